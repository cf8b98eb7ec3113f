"""The public "you said, we did" board: anyone may read it, and it holds no personal data."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import DecisionMethod, Progress
from decisions.services import (
    action_create,
    decision_create,
    vote_cast,
    voting_close,
    voting_open,
)
from tests.factories.people import StaffFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _board_url(project) -> str:
    return reverse("decisions:you_said_we_did", args=[project.slug])


def _decision(personas, **fields):
    defaults = {
        "title": "Saturday opening",
        "question": "Should the drop-in open on Saturdays?",
        "method": DecisionMethod.DELEGATED,
        "ladder_rung": "co_production",
        "you_said": "We need somewhere to go at weekends.",
        "we_did": "The drop-in now opens every Saturday morning.",
        "difference_made": "Forty more visits a month, and fewer calls to the crisis line.",
        "progress": Progress.UNDER_WAY,
        "decided_on": date(2026, 3, 14),
    }
    return decision_create(
        project=personas.project, created_by=personas.staff, **{**defaults, **fields}
    )


def test_the_board_shows_you_said_we_did_the_difference_and_progress_in_words(client, personas):
    _decision(personas)
    html = client.get(_board_url(personas.project)).content.decode()
    assert "You said, we did: Crisis support" in html
    assert "Saturday opening" in html
    assert "We need somewhere to go at weekends." in html
    assert "The drop-in now opens every Saturday morning." in html
    assert "Forty more visits a month, and fewer calls to the crisis line." in html
    assert ">Under way</span>" in html
    assert ">March 2026</time>" in html


def test_the_board_says_plainly_what_is_not_known_yet(client, personas):
    _decision(personas, we_did="", difference_made="", progress=Progress.NOT_STARTED)
    html = client.get(_board_url(personas.project)).content.decode()
    assert "We are still working out what to do." in html
    assert "It is too early to say." in html
    assert ">Not started yet</span>" in html


def test_decisions_without_a_you_said_are_not_on_the_board(client, personas):
    _decision(personas, title="Staff rota change", you_said="")
    html = client.get(_board_url(personas.project)).content.decode()
    assert "Staff rota change" not in html
    assert "Nothing here yet." in html


def test_the_board_shows_only_this_projects_decisions(client, personas):
    decision_create(
        project=personas.other_project,
        created_by=personas.staff,
        title="Boiler repairs",
        question="Which boilers first?",
        method=DecisionMethod.VOTE,
        ladder_rung="engagement",
        you_said="Fix the oldest boilers first.",
    )
    assert "Boiler repairs" not in client.get(_board_url(personas.project)).content.decode()
    assert "Boiler repairs" in client.get(_board_url(personas.other_project)).content.decode()


def test_the_board_holds_no_name_or_email_of_anyone(client, personas):
    staff = StaffFactory(name="Quentin Staffordshire", email="quentin.staff@council.example")
    personas.project.contact_name = "Quentin Staffordshire"
    personas.project.contact_email = "quentin.staff@council.example"
    personas.project.save()
    people = [
        PersonFactory(
            full_name="Zebedee Lived-Experience",
            preferred_name="Zeb Secret",
            email="zebedee.private@mail.example",
            stakeholder_group="lived_experience",
        ),
        PersonFactory(
            full_name="Ottoline Carerton",
            email="ottoline.carer@mail.example",
            stakeholder_group="carer",
        ),
    ]
    for person in people:
        MembershipFactory(project=personas.project, person=person)
    decision = decision_create(
        project=personas.project,
        created_by=staff,
        participants=people,
        proposers=people[:1],
        title="Saturday opening",
        question="Should the drop-in open on Saturdays?",
        method=DecisionMethod.VOTE,
        ladder_rung="co_design",
        you_said="We need somewhere to go at weekends.",
        we_did="The drop-in now opens on Saturdays.",
    )
    voting_open(decision=decision)
    for person in people:
        vote_cast(decision=decision, person=person, choice="for")
    voting_close(decision=decision)
    action_create(
        decision=decision,
        description="Find a Saturday volunteer",
        owner="Quentin Staffordshire",
        due_on=date(2026, 6, 1),
    )

    html = client.get(_board_url(personas.project)).content.decode()

    assert "We need somewhere to go at weekends." in html
    for private in [
        "Zebedee",
        "Lived-Experience",
        "Zeb Secret",
        "zebedee.private",
        "Ottoline",
        "Carerton",
        "ottoline.carer",
        "Quentin",
        "Staffordshire",
        "council.example",
        "mail.example",
        "Carer or family member",
        "Person with lived experience",
        "Pat Participant",
        "participant@example.org",
    ]:
        assert private not in html


def test_an_unknown_slug_is_not_found(client, personas):
    response = client.get(reverse("decisions:you_said_we_did", args=["no-such-project"]))
    assert response.status_code == 404


def test_it_works_logged_out_for_a_project_not_open_to_join(client, personas):
    hidden = ProjectFactory(name="Quiet project", slug="quiet-project", is_open_to_join=False)
    decision_create(
        project=hidden,
        created_by=personas.staff,
        title="Letters",
        question="Letters or texts?",
        method=DecisionMethod.STAFF_AFTER_CONSULTATION,
        ladder_rung="consultation",
        you_said="Letters arrive too late.",
    )
    response = client.get(_board_url(hidden))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Letters arrive too late." in html
    assert reverse("projects:join", args=[hidden.slug]) not in html


def test_the_board_links_to_the_join_page_of_a_project_open_to_join(client, personas):
    html = client.get(_board_url(personas.project)).content.decode()
    assert f'href="{reverse("projects:join", args=[personas.project.slug])}"' in html


def test_the_join_page_and_the_home_page_link_to_the_board(client, personas):
    link = f'href="{_board_url(personas.project)}"'
    assert (
        link in client.get(reverse("projects:join", args=[personas.project.slug])).content.decode()
    )
    assert link in client.get(reverse("pages:home")).content.decode()


def test_the_board_runs_the_same_queries_for_2_and_20_decisions(client, personas):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_board_url(personas.project)).status_code == 200
        return len(captured)

    for number in range(2):
        _decision(personas, title=f"Decision {number}")
    two = queries()
    for number in range(18):
        _decision(personas, title=f"More {number}")
    assert queries() == two
