"""Voting and the ladder self-assessment from /me/: only active members, only their own vote."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import (
    AssessorRole,
    DecisionMethod,
    LadderAssessment,
    Vote,
    VoteChoice,
)
from decisions.services import (
    DecisionError,
    decision_create,
    ladder_assessment_add,
    vote_cast,
    voting_close,
    voting_open,
)
from projects.models import MembershipStatus
from tests.factories.people import ParticipantFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _open_vote(project, staff, **fields):
    defaults = {
        "title": "Saturday opening",
        "question": "Should the drop-in open on Saturdays?",
        "options": "Open every Saturday\nOpen once a month\nKeep it closed",
        "method": DecisionMethod.VOTE,
        "ladder_rung": "co_design",
    }
    decision = decision_create(project=project, created_by=staff, **{**defaults, **fields})
    return voting_open(decision=decision)


@pytest.fixture
def decision(personas):
    return _open_vote(personas.project, personas.staff)


def _vote_url(decision):
    return reverse("decisions:vote", args=[decision.public_id])


def _my_page(client) -> str:
    return client.get(reverse("decisions:my_decisions")).content.decode()


def _participant_with(membership_status=None, project=None):
    """A participant who logs in, with a membership of `project` in the given status."""
    user = ParticipantFactory(name="Lee Login")
    person = PersonFactory(user=user, email=user.email)
    if membership_status is not None:
        MembershipFactory(project=project, person=person, status=membership_status)
    return user


def test_my_decisions_lists_the_question_and_options_of_open_votes(client, personas, decision):
    client.force_login(personas.participant)
    html = _my_page(client)
    assert "Saturday opening" in html
    assert "Should the drop-in open on Saturdays?" in html
    assert "<li>Open once a month</li>" in html
    assert "You have not voted yet." in html
    assert "<strong>Against</strong>: I do not want this to happen." in html


def test_a_consensus_offers_agree_stand_aside_and_block_with_plain_explanations(client, personas):
    _open_vote(personas.project, personas.staff, method=DecisionMethod.CONSENSUS)
    client.force_login(personas.participant)
    html = _my_page(client)
    assert "<strong>Agree</strong>: I am happy with this." in html
    assert "<strong>Stand aside</strong>: I have doubts, but I will not stop it." in html
    assert "<strong>Block</strong>: I cannot accept this, and we need to talk again." in html
    assert "<strong>For</strong>" not in html


def test_an_active_member_votes_and_voting_again_changes_their_vote(client, personas, decision):
    client.force_login(personas.participant)
    response = client.post(_vote_url(decision), {"choice": "for"}, follow=True)
    assert "Your vote on Saturday opening is saved: For." in response.content.decode()

    client.post(_vote_url(decision), {"choice": "against"})

    vote = Vote.objects.get(decision=decision)
    assert vote.person == personas.participant.person
    assert vote.choice == VoteChoice.AGAINST
    html = _my_page(client)
    assert "Your vote now: <strong>Against</strong>" in html
    assert re.search(r'value="against"[^>]*checked', html)


@pytest.mark.parametrize("secret", [True, False], ids=["secret ballot", "open ballot"])
def test_my_page_shows_nothing_of_other_peoples_votes(client, personas, secret):
    decision = _open_vote(personas.project, personas.staff, anonymous_voting=secret)
    client.force_login(personas.participant)
    before = CSRF.sub("", _my_page(client))

    vote_cast(decision=decision, person=personas.other_participant.person, choice="against")
    for choice in ["for", "against", "against"]:
        member = PersonFactory(full_name="Vera Voter")
        MembershipFactory(project=personas.project, person=member)
        vote_cast(decision=decision, person=member, choice=choice)

    after = CSRF.sub("", _my_page(client))
    assert after == before
    assert "Olu Other" not in after
    assert "Vera Voter" not in after
    assert "checked" not in after


@pytest.mark.parametrize(
    "status", [MembershipStatus.LEFT, MembershipStatus.INTERESTED], ids=["left", "interested"]
)
def test_people_who_are_not_active_members_cannot_vote(client, personas, decision, status):
    client.force_login(_participant_with(status, personas.project))
    response = client.post(_vote_url(decision), {"choice": "for"}, follow=True)
    assert "Only active members of this project can vote on its decisions." in (
        response.content.decode()
    )
    assert not Vote.objects.exists()


def test_people_who_left_do_not_see_the_vote(client, personas, decision):
    client.force_login(_participant_with(MembershipStatus.LEFT, personas.project))
    assert "Saturday opening" not in _my_page(client)


def test_a_decision_of_another_project_is_not_found(client, personas):
    elsewhere = _open_vote(personas.other_project, personas.staff, title="Boiler repairs")
    client.force_login(personas.participant)
    assert client.post(_vote_url(elsewhere), {"choice": "for"}).status_code == 404
    assert "Boiler repairs" not in _my_page(client)
    assert not Vote.objects.exists()


def test_a_member_of_another_project_cannot_vote_here(client, personas, decision):
    client.force_login(_participant_with(MembershipStatus.ACTIVE, personas.other_project))
    assert client.post(_vote_url(decision), {"choice": "for"}).status_code == 404
    assert not Vote.objects.exists()


def test_someone_in_no_project_cannot_vote(client, personas, decision):
    client.force_login(_participant_with())
    assert client.post(_vote_url(decision), {"choice": "for"}).status_code == 404
    assert not Vote.objects.exists()


def test_staff_cannot_vote_from_me(client, personas, decision):
    client.force_login(personas.staff)
    assert client.post(_vote_url(decision), {"choice": "for"}).status_code == 403
    assert not Vote.objects.exists()


def test_a_made_up_choice_changes_nothing(client, personas, decision):
    client.force_login(personas.participant)
    client.post(_vote_url(decision), {"choice": "for"})

    response = client.post(_vote_url(decision), {"choice": "block"})

    html = response.content.decode()
    assert "Your vote was not saved" in html
    assert "Choose one of the options shown." in html
    assert list(Vote.objects.values_list("choice", flat=True)) == ["for"]


def test_voting_without_choosing_shows_the_problem_beside_the_choices(client, personas, decision):
    client.force_login(personas.participant)
    response = client.post(_vote_url(decision), {})
    html = response.content.decode()
    field = html.index(f'id="vote-{decision.public_id}-choice_0"')
    form_end = html.index("</form>", field)
    assert "Choose one of the options, then save your vote." in html[field:form_end]
    assert not Vote.objects.exists()


def test_a_closed_vote_takes_no_more_votes_and_says_so(client, personas, decision):
    voting_close(decision=decision)
    client.force_login(personas.participant)
    response = client.post(_vote_url(decision), {"choice": "for"}, follow=True)
    assert "Voting on this decision has closed." in response.content.decode()
    assert not Vote.objects.exists()


def test_a_closed_vote_i_took_part_in_shows_the_outcome(client, personas, decision):
    vote_cast(decision=decision, person=personas.participant.person, choice="for")
    vote_cast(decision=decision, person=personas.other_participant.person, choice="abstain")
    voting_close(decision=decision)
    client.force_login(personas.participant)
    html = _my_page(client)
    assert "You voted: <strong>For</strong>" in html
    assert "1 for, 0 against, 1 abstained: carried by a simple majority." in html
    assert "Save my vote" not in html


def test_a_closed_vote_i_did_not_take_part_in_is_not_shown(client, personas, decision):
    vote_cast(decision=decision, person=personas.other_participant.person, choice="for")
    voting_close(decision=decision)
    client.force_login(personas.participant)
    assert "Saturday opening" not in _my_page(client)


def _queries_for_page(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("decisions:my_decisions")).status_code == 200
    return len(queries)


def test_my_decisions_runs_the_same_queries_for_2_and_20_open_votes(client, personas):
    client.force_login(personas.participant)
    person = personas.participant.person
    closed = _open_vote(personas.project, personas.staff, title="Closed")
    vote_cast(decision=closed, person=person, choice="for")
    voting_close(decision=closed)
    for number in range(2):
        decision = _open_vote(personas.project, personas.staff, title=f"Vote {number}")
        vote_cast(decision=decision, person=person, choice="for")
    two = _queries_for_page(client)

    for number in range(18):
        decision = _open_vote(
            personas.project, personas.staff, title=f"More {number}", anonymous_voting=True
        )
        vote_cast(decision=decision, person=person, choice="against")
    twenty = _queries_for_page(client)

    assert "More 17" in client.get(reverse("decisions:my_decisions")).content.decode()
    assert twenty == two


def _ladder_url(project):
    return reverse("decisions:ladder", args=[project.slug])


def test_the_ladder_shows_the_seven_steps_with_their_explanations(client, personas):
    client.force_login(personas.participant)
    html = client.get(_ladder_url(personas.project)).content.decode()
    assert "Where do you think this project is now?" in html
    assert len(re.findall(r'<input type="radio"[^>]*name="rung"', html)) == 7
    assert "People design the solution with staff; decisions are shaped together." in html
    assert "stakeholder" not in html.lower()


def test_a_participant_ladder_assessment_is_saved_with_role_participant(client, personas):
    client.force_login(personas.participant)
    response = client.post(
        _ladder_url(personas.project), {"rung": "consultation", "note": "We are asked, not heard."}
    )
    assert response.status_code == 302
    assessment = LadderAssessment.objects.get()
    assert assessment.project == personas.project
    assert assessment.assessor_role == AssessorRole.PARTICIPANT
    assert assessment.assessed_by == personas.participant
    assert assessment.rung == "consultation"
    assert assessment.note == "We are asked, not heard."


def test_the_ladder_needs_a_step_chosen(client, personas):
    client.force_login(personas.participant)
    response = client.post(_ladder_url(personas.project), {"note": "Not sure"})
    assert "Choose the step that fits this project best." in response.content.decode()
    assert not LadderAssessment.objects.exists()


def test_the_ladder_is_refused_for_a_project_i_am_not_active_in(client, personas):
    client.force_login(personas.participant)
    assert client.get(_ladder_url(personas.other_project)).status_code == 404
    response = client.post(_ladder_url(personas.other_project), {"rung": "co_production"})
    assert response.status_code == 404

    client.force_login(_participant_with(MembershipStatus.LEFT, personas.project))
    response = client.post(_ladder_url(personas.project), {"rung": "co_production"})
    assert response.status_code == 404
    assert not LadderAssessment.objects.exists()


ENDED = "This project has ended and its records are kept as they are, so nothing can be changed."


def _archive(project):
    project.archived_at = timezone.now()
    project.save(update_fields=["archived_at"])


def test_a_vote_on_a_decision_of_an_archived_project_is_refused_and_changes_nothing(
    client, personas, decision
):
    _archive(personas.project)
    client.force_login(personas.participant)

    response = client.post(_vote_url(decision), {"choice": "for"}, follow=True)

    assert ENDED in response.content.decode()
    assert not Vote.objects.exists()
    with pytest.raises(DecisionError, match="This project has ended"):
        vote_cast(decision=decision, person=personas.participant.person, choice="for")
    assert not Vote.objects.exists()


def test_the_ladder_of_an_archived_project_is_refused_in_plain_words_and_saves_nothing(
    client, personas
):
    _archive(personas.project)
    client.force_login(personas.participant)

    opened = client.get(_ladder_url(personas.project), follow=True).content.decode()
    response = client.post(_ladder_url(personas.project), {"rung": "co_production"}, follow=True)

    assert ENDED in opened
    assert ENDED in response.content.decode()
    assert 'name="rung"' not in response.content.decode()
    assert not LadderAssessment.objects.exists()
    with pytest.raises(DecisionError, match="This project has ended"):
        ladder_assessment_add(
            project=personas.project,
            assessed_by=personas.participant,
            role=AssessorRole.PARTICIPANT,
            rung="co_production",
        )
    assert not LadderAssessment.objects.exists()
