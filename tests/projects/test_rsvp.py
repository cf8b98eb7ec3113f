"""/rsvp/<token>/: answering from the email without logging in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Response
from projects.rsvp import RsvpAction, rsvp_token
from projects.services.meetings import ProjectArchived, invitation_respond
from stakeholders.models import ConsentKind
from stakeholders.privacy import person_erase
from stakeholders.services import consent_withdraw
from tests.factories.meetings import InvitationFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _url(invitation, action=RsvpAction.ACCEPT) -> str:
    return reverse("projects:rsvp", args=[rsvp_token(invitation, action)])


def test_opening_the_link_changes_nothing_until_the_button_is_pressed(client):
    invitation = InvitationFactory()
    response = client.get(_url(invitation))
    assert response.status_code == 200
    assert b"Yes, I can come" in response.content
    invitation.refresh_from_db()
    assert invitation.response == Response.NO_ANSWER


def test_accepting_works_without_logging_in(client):
    invitation = InvitationFactory()
    response = client.post(_url(invitation))
    assert response.status_code == 200
    assert b"You are coming." in response.content
    invitation.refresh_from_db()
    assert invitation.response == Response.ACCEPTED


def test_declining_works_without_logging_in(client):
    invitation = InvitationFactory()
    client.post(_url(invitation, RsvpAction.DECLINE))
    invitation.refresh_from_db()
    assert invitation.response == Response.DECLINED


def test_asking_for_support_records_what_they_need(client):
    invitation = InvitationFactory()
    client.post(
        _url(invitation, RsvpAction.SUPPORT), {"support_note": "Someone to meet me at the door"}
    )
    invitation.refresh_from_db()
    assert invitation.needs_support
    assert invitation.support_note == "Someone to meet me at the door"


def test_a_support_note_that_is_too_long_is_explained_and_kept(client):
    invitation = InvitationFactory()
    note = "x" * 2001
    response = client.post(_url(invitation, RsvpAction.SUPPORT), {"support_note": note})
    assert b"Please keep this to 2000 characters or fewer." in response.content
    assert note.encode() in response.content
    invitation.refresh_from_db()
    assert not invitation.needs_support


def test_a_full_meeting_puts_them_on_the_waiting_list(client):
    meeting = MeetingFactory(capacity=1)
    client.post(_url(InvitationFactory(meeting=meeting)))
    response = client.post(_url(InvitationFactory(meeting=meeting)))
    assert b"you are on the waiting list" in response.content


def test_a_changed_token_is_a_plain_400(client):
    token = rsvp_token(InvitationFactory(), RsvpAction.ACCEPT)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(reverse("projects:rsvp", args=[tampered]))
    assert response.status_code == 400
    assert b"This link does not work" in response.content
    assert client.post(reverse("projects:rsvp", args=["not-a-token"])).status_code == 400


def test_a_token_cannot_be_used_for_another_invitation(client):
    mine, theirs = InvitationFactory(), InvitationFactory()
    token = rsvp_token(mine, RsvpAction.DECLINE)
    client.post(reverse("projects:rsvp", args=[token]))
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.response == Response.NO_ANSWER
    assert mine.response == Response.DECLINED


def test_a_withdrawn_invitation_is_a_plain_404(client):
    invitation = InvitationFactory()
    url = _url(invitation)
    invitation.delete()
    response = client.get(url)
    assert response.status_code == 404
    assert b"We could not find this invitation" in response.content


def test_the_link_stops_working_after_the_meeting(client):
    meeting = MeetingFactory(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    response = client.post(_url(InvitationFactory(meeting=meeting)))
    assert response.status_code == 410
    assert b"This meeting is over" in response.content


def test_a_cancelled_meeting_says_so(client):
    meeting = MeetingFactory(cancelled_at=timezone.now())
    response = client.get(_url(InvitationFactory(meeting=meeting)))
    assert response.status_code == 410
    assert b"This meeting was cancelled" in response.content


def test_a_link_stops_working_once_the_person_withdraws_their_consent(client):
    invitation = InvitationFactory()
    url = _url(invitation)
    consent_withdraw(person=invitation.person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=None)
    invitation.refresh_from_db()
    answer_after_withdrawal = invitation.response

    for action in RsvpAction.ALL:
        response = client.get(_url(invitation, action))
        assert response.status_code == 410
        assert b"This link is no longer active" in response.content
        response = client.post(_url(invitation, action), {"support_note": "A lift"})
        assert response.status_code == 410
        assert b"This link is no longer active" in response.content
    assert client.post(url).status_code == 410

    invitation.refresh_from_db()
    assert invitation.response == answer_after_withdrawal
    assert not invitation.needs_support
    assert invitation.support_note == ""


def test_a_link_stops_working_once_the_person_is_erased(client):
    invitation = InvitationFactory()
    person_erase(person=invitation.person, erased_by=None)
    invitation.refresh_from_db()
    answer_after_erasure = invitation.response

    response = client.post(_url(invitation, RsvpAction.ACCEPT))

    assert response.status_code == 410
    assert b"This link is no longer active" in response.content
    invitation.refresh_from_db()
    assert invitation.response == answer_after_erasure


def test_a_link_for_a_meeting_of_an_archived_project_says_it_has_ended_and_changes_nothing(
    client,
):
    invitation = InvitationFactory()
    project = invitation.meeting.project
    project.archived_at = timezone.now()
    project.save(update_fields=["archived_at"])

    for action in RsvpAction.ALL:
        response = client.post(_url(invitation, action), {"support_note": "A lift"})
        assert response.status_code == 410
        assert "This project has ended and its records are kept as they are" in (
            response.content.decode()
        )
    with pytest.raises(ProjectArchived):
        invitation_respond(invitation=invitation, action=RsvpAction.ACCEPT)

    invitation.refresh_from_db()
    assert invitation.response == Response.NO_ANSWER
    assert not invitation.needs_support
