"""Staff record the vote of someone who is not online, where the decision allows it."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from decisions.models import DecisionMethod, Vote
from decisions.services import DecisionError, decision_create, vote_cast, voting_open
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _decision(personas, **fields):
    defaults = {
        "title": "Saturday opening",
        "question": "Should the drop-in open on Saturdays?",
        "method": DecisionMethod.VOTE,
        "ladder_rung": "co_design",
        "assisted_votes": True,
    }
    decision = decision_create(
        project=personas.project, created_by=personas.staff, **{**defaults, **fields}
    )
    return voting_open(decision=decision)


def _offline_member(personas):
    person = PersonFactory(full_name="Ola Offline", email="")
    MembershipFactory(project=personas.project, person=person)
    return person


def _record(staff_client, decision, data):
    return staff_client.post(
        reverse("decisions:vote_record", args=[decision.project.slug, decision.public_id]),
        data,
        follow=True,
    )


def test_staff_record_a_vote_marked_as_recorded_on_behalf_of_the_person(staff_client, personas):
    decision = _decision(personas)
    person = _offline_member(personas)

    response = _record(staff_client, decision, {"person": str(person.public_id), "choice": "for"})

    html = response.content.decode()
    assert "The vote of Ola Offline has been recorded." in html
    assert f"Recorded by {escape(personas.staff)} on behalf of Ola Offline" in html
    vote = Vote.objects.get()
    assert (vote.person, vote.recorded_by, vote.choice) == (person, personas.staff, "for")


def test_staff_cannot_record_votes_where_the_decision_does_not_allow_it(staff_client, personas):
    decision = _decision(personas, assisted_votes=False)
    person = _offline_member(personas)

    response = _record(staff_client, decision, {"person": str(person.public_id), "choice": "for"})

    assert "This decision does not let staff record votes for people." in response.content.decode()
    assert not Vote.objects.exists()
    with pytest.raises(DecisionError):
        vote_cast(decision=decision, person=person, choice="for", recorded_by=personas.staff)


def test_a_vote_recorded_on_a_secret_ballot_stays_anonymous(staff_client, personas):
    decision = _decision(personas, anonymous_voting=True)
    person = _offline_member(personas)

    _record(staff_client, decision, {"person": str(person.public_id), "choice": "against"})

    html = staff_client.get(decision.get_absolute_url()).content.decode()
    assert "1 of these was recorded by staff for people who were not online." in html
    assert "on behalf of" not in html
    assert "Who voted how" not in html


def test_staff_cannot_record_a_vote_for_someone_outside_the_project(staff_client, personas):
    decision = _decision(personas)
    outsider = PersonFactory(full_name="Out Sider")

    response = _record(staff_client, decision, {"person": str(outsider.public_id), "choice": "for"})

    assert response.status_code == 200
    assert "Choose an active member of this project from the list." in response.content.decode()
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"person": "not-a-uuid", "choice": "for"}, {"person": "", "choice": "maybe"}],
    ids=["nothing", "a made-up person", "a made-up choice"],
)
def test_a_bad_assisted_vote_gets_a_plain_error_and_changes_nothing(staff_client, personas, data):
    decision = _decision(personas)

    response = _record(staff_client, decision, data)

    assert response.status_code == 200
    assert "Please check the form" in response.content.decode()
    assert not Vote.objects.exists()


def test_a_person_voting_themselves_replaces_the_vote_staff_recorded(personas):
    decision = _decision(personas)
    person = personas.participant.person
    vote_cast(decision=decision, person=person, choice="for", recorded_by=personas.staff)

    vote_cast(decision=decision, person=person, choice="against")

    vote = Vote.objects.get()
    assert (vote.choice, vote.recorded_by) == ("against", None)
