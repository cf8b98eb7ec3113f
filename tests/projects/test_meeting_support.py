"""Staff mark the support someone asked for as arranged, from the meeting page: it then
says who arranged it and when, and it leaves the dashboard until the person asks for
something different."""

import html as html_lib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Invitation, Meeting, Response
from projects.rsvp import RsvpAction
from projects.services.meetings import (
    invitation_record_answer,
    invitation_respond,
    invitation_support_arrange,
    meeting_cancel,
)
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.people import StaffFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _arrange_url(invitation: Invitation) -> str:
    return reverse(
        "projects:meeting_support_arranged",
        kwargs={
            "slug": invitation.meeting.project.slug,
            "meeting_id": invitation.meeting.public_id,
            "person_id": invitation.person.public_id,
        },
    )


def _page(client, meeting: Meeting) -> str:
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def asked(personas) -> Invitation:
    """The participant asked for a step-free way in to the planning session."""
    invitation = Invitation.objects.get(
        meeting=personas.meeting, person=personas.participant.person
    )
    return invitation_respond(
        invitation=invitation, action=RsvpAction.SUPPORT, support_note="A step-free way in"
    )


def _unchanged(invitation: Invitation) -> None:
    invitation.refresh_from_db()
    assert invitation.support_arranged_at is None
    assert invitation.support_arranged_by is None


def test_staff_mark_support_as_arranged_and_the_meeting_page_says_by_whom_and_when(
    staff_client, personas, asked
):
    before = _page(staff_client, personas.meeting)
    assert "Mark as arranged" in before

    response = staff_client.post(_arrange_url(asked), follow=True)

    html = html_lib.unescape(response.content.decode())
    assert "Support for Pat Participant is marked as arranged." in html
    asked.refresh_from_db()
    assert asked.support_arranged_by == personas.staff
    assert asked.support_arranged_at is not None
    today = timezone.localtime(asked.support_arranged_at)
    assert f"Arranged by {personas.staff} on {today.day} {today:%B %Y}" in html
    assert "Mark as arranged" not in html
    assert "A step-free way in" in html


def test_marking_support_as_arranged_is_refused_by_get(staff_client, asked):
    assert staff_client.get(_arrange_url(asked)).status_code == 405
    _unchanged(asked)


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
def test_only_staff_can_mark_support_as_arranged(client, personas, asked, visitor):
    client.force_login(getattr(personas, visitor))

    assert client.post(_arrange_url(asked)).status_code == 403
    _unchanged(asked)


def test_support_cannot_be_marked_for_someone_not_invited_to_that_meeting(
    staff_client, personas, asked
):
    other = MeetingFactory(project=personas.project)
    url = reverse(
        "projects:meeting_support_arranged",
        kwargs={
            "slug": personas.project.slug,
            "meeting_id": other.public_id,
            "person_id": asked.person.public_id,
        },
    )
    assert staff_client.post(url).status_code == 404
    wrong_project = reverse(
        "projects:meeting_support_arranged",
        kwargs={
            "slug": personas.other_project.slug,
            "meeting_id": personas.meeting.public_id,
            "person_id": asked.person.public_id,
        },
    )
    assert staff_client.post(wrong_project).status_code == 404
    _unchanged(asked)


def test_support_cannot_be_marked_for_someone_who_did_not_ask_for_any(staff_client, personas):
    invitation = Invitation.objects.get(meeting=personas.meeting)
    assert "Mark as arranged" not in _page(staff_client, personas.meeting)

    response = staff_client.post(_arrange_url(invitation), follow=True)

    assert "Pat Participant has not asked for support to come to this meeting." in (
        html_lib.unescape(response.content.decode())
    )
    _unchanged(invitation)


def test_support_cannot_be_marked_for_someone_who_said_they_are_not_coming(
    staff_client, personas, asked
):
    invitation_respond(invitation=asked, action=RsvpAction.DECLINE)
    assert "Mark as arranged" not in _page(staff_client, personas.meeting)

    response = staff_client.post(_arrange_url(asked), follow=True)

    assert "Pat Participant has said they are not coming, so there is no support to arrange." in (
        html_lib.unescape(response.content.decode())
    )
    _unchanged(asked)


def test_support_cannot_be_marked_once_the_meeting_has_started(staff_client, personas, asked):
    Meeting.objects.filter(pk=personas.meeting.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    assert "Mark as arranged" not in _page(staff_client, personas.meeting)

    response = staff_client.post(_arrange_url(asked), follow=True)

    assert "This meeting has started or was cancelled" in response.content.decode()
    _unchanged(asked)


def test_support_cannot_be_marked_for_a_cancelled_meeting(staff_client, personas, asked):
    meeting_cancel(meeting=personas.meeting)
    assert "Mark as arranged" not in _page(staff_client, personas.meeting)

    response = staff_client.post(_arrange_url(asked), follow=True)

    assert "This meeting has started or was cancelled" in response.content.decode()
    _unchanged(asked)


def test_marking_support_twice_keeps_the_staff_member_who_arranged_it_first(
    client, personas, asked
):
    invitation_support_arrange(invitation=asked, arranged_by=personas.staff)
    asked.refresh_from_db()
    first_at = asked.support_arranged_at
    colleague = StaffFactory(email="colleague@example.org")
    client.force_login(colleague)

    response = client.post(_arrange_url(asked), follow=True)

    assert "Support for Pat Participant is already marked as arranged." in (
        html_lib.unescape(response.content.decode())
    )
    asked.refresh_from_db()
    assert asked.support_arranged_by == personas.staff
    assert asked.support_arranged_at == first_at


def test_a_new_support_note_makes_arranged_support_unarranged_again(personas, asked):
    invitation_support_arrange(invitation=asked, arranged_by=personas.staff)

    invitation_respond(
        invitation=asked,
        action=RsvpAction.SUPPORT,
        support_note="A British Sign Language interpreter",
    )

    _unchanged(asked)
    assert asked.support_note == "A British Sign Language interpreter"


def test_a_new_support_note_taken_by_staff_on_the_phone_makes_it_unarranged_again(personas, asked):
    invitation_support_arrange(invitation=asked, arranged_by=personas.staff)

    invitation_record_answer(
        invitation=asked,
        answer=RsvpAction.SUPPORT,
        support_note="A lift from the station",
        recorded_by=personas.staff,
    )

    _unchanged(asked)


def test_answering_again_with_the_same_note_or_none_keeps_support_arranged(personas, asked):
    invitation_support_arrange(invitation=asked, arranged_by=personas.staff)

    invitation_respond(
        invitation=asked, action=RsvpAction.SUPPORT, support_note="A step-free way in"
    )
    invitation_respond(invitation=asked, action=RsvpAction.SUPPORT)
    invitation_respond(invitation=asked, action=RsvpAction.ACCEPT)

    asked.refresh_from_db()
    assert asked.support_arranged_by == personas.staff


def test_the_meeting_page_runs_the_same_queries_for_3_or_30_arranged_requests(staff_client):
    counts = []
    for size in (3, 30):
        meeting = MeetingFactory()
        for _ in range(size):
            person = PersonFactory()
            MembershipFactory(project=meeting.project, person=person)
            InvitationFactory(
                meeting=meeting,
                person=person,
                response=Response.ACCEPTED,
                needs_support=True,
                support_note="Large print",
                support_arranged_at=timezone.now(),
                support_arranged_by=StaffFactory(),
            )
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get(meeting.get_absolute_url()).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_marking_support_on_a_later_page_returns_to_that_page(staff_client, personas):
    meeting = personas.meeting
    for number in range(55):
        person = PersonFactory(full_name=f"Aaron {number:02d}")
        InvitationFactory(meeting=meeting, person=person, response=Response.ACCEPTED)
    last = InvitationFactory(
        meeting=meeting,
        person=PersonFactory(full_name="Zed Last"),
        response=Response.ACCEPTED,
        needs_support=True,
        support_note="Hearing loop",
    )

    response = staff_client.post(_arrange_url(last), {"page": "2"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/?page=2#support-{last.person.public_id}")
    for hostile in ["https://evil.example", "²", "-1", "1" * 50]:
        location = staff_client.post(_arrange_url(last), {"page": hostile})["Location"]
        assert location == f"{meeting.get_absolute_url()}#support-{last.person.public_id}"
