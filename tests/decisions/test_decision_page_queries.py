"""A decision's staff page reads the decision, its project and meeting in one query and its
options, people, votes, actions and history in one more, each list a JSON array: these
prove the count, and that what comes back through JSON is what the models hold."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.models import Action, DecisionMethod, DecisionParticipant
from decisions.selectors.decision_page import (
    decision_detail,
    decision_for_page,
    decision_history_rows,
)
from decisions.services import decision_create, decision_update, vote_cast, voting_open

pytestmark = pytest.mark.django_db

# The signed-in user, the decision with its project and meeting, the page's lists.
PAGE_QUERIES = 3
AWKWARD = 'Café “quoted” \\ back\\slash "double" <b>&amp;</b>\ttab'


def _decision(personas, **fields):
    defaults = {
        "title": "Easier sign-up",
        "question": "How should people tell us what they need?",
        "options": "Picture cards\nA phone call",
        "method": DecisionMethod.RANKED,
        "ladder_rung": "co_design",
    }
    return voting_open(
        decision=decision_create(
            project=personas.project, created_by=personas.staff, **{**defaults, **fields}
        )
    )


def _queries(client, decision) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(decision.get_absolute_url())
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def _fill(personas, decision) -> None:
    first = decision.option_rows.order_by("position").first()
    for person in (personas.participant.person, personas.other_participant.person):
        vote_cast(decision=decision, person=person, ranking=[first.pk])
        DecisionParticipant.objects.create(
            decision=decision, person=person, stakeholder_group="carer", proposed=True
        )
    Action.objects.create(
        decision=decision, description="Book the hall", owner="Sam", due_on=date(2027, 1, 1)
    )


@pytest.mark.parametrize("secret", [False, True])
def test_the_page_runs_three_queries_whatever_it_shows(staff_client, personas, secret):
    bare = _decision(personas, title="Nothing yet", anonymous_voting=secret)
    full = _decision(
        personas, title="Everything", anonymous_voting=secret, meeting=personas.meeting
    )
    _fill(personas, full)
    staff_client.get(bare.get_absolute_url())

    bare_count, _ = _queries(staff_client, bare)
    full_count, page = _queries(staff_client, full)

    assert bare_count == full_count == PAGE_QUERIES
    assert f'href="{personas.meeting.get_absolute_url()}"' in page
    assert "Book the hall" in page


def test_a_decision_is_found_only_under_its_own_project(personas):
    decision = _decision(personas)

    assert decision_for_page(personas.other_project.slug, decision.public_id) is None
    found = decision_for_page(personas.project.slug, decision.public_id)
    assert found == decision
    assert found.project == personas.project


def test_the_page_reads_the_decision_as_the_model_holds_it(personas):
    decision = _decision(personas, meeting=personas.meeting, voting_closes_on=date(2030, 1, 2))
    decision.refresh_from_db()

    found = decision_for_page(personas.project.slug, decision.public_id)

    for field in type(decision)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(decision, field.attname), field.name
    assert found.meeting.get_absolute_url() == personas.meeting.get_absolute_url()
    assert found.project.name == personas.project.name


def test_history_read_with_the_lists_is_the_history_read_alone(personas):
    decision = _decision(personas)
    decision_update(decision=decision, title=AWKWARD, change_reason=AWKWARD)

    history = decision_detail(decision)["history"]

    assert history == decision_history_rows(decision)

    assert history[0]["reason"] == AWKWARD
    assert history[0]["summary"] == "Changed: title"
    assert [row["when"] for row in history] == list(
        decision.history.values_list("history_date", flat=True)
    )


def test_text_comes_back_through_json_exactly_and_is_escaped(staff_client, personas):
    decision = _decision(personas, options=f"{AWKWARD}\nPlain")
    person = personas.participant.person
    person.full_name = AWKWARD
    person.save()
    vote_cast(decision=decision, person=person, ranking=[decision.option_rows.first().pk])
    DecisionParticipant.objects.create(decision=decision, person=person, stakeholder_group="carer")
    action = Action.objects.create(
        decision=decision, description=AWKWARD, owner=AWKWARD, due_on=date(2027, 3, 4)
    )

    detail = decision_detail(decision)
    page = staff_client.get(
        reverse("decisions:detail", args=[personas.project.slug, decision.public_id])
    ).content.decode()

    assert detail["options"] == [AWKWARD, "Plain"]
    assert detail["participants"][0]["name"] == AWKWARD
    assert detail["named_votes"][0]["name"] == AWKWARD
    assert detail["named_votes"][0]["in_words"] == f"1. {AWKWARD}"
    (read,) = detail["actions"]
    assert (read["public_id"], read["description"], read["owner"], read["due_on"]) == (
        action.public_id,
        AWKWARD,
        AWKWARD,
        date(2027, 3, 4),
    )
    assert "<b>&amp;</b>" not in page
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in page
