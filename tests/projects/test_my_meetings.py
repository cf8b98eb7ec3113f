"""A participant's meetings in /me/: answers and calendar files, only their own."""

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from projects.models import Response
from stakeholders.models import ConsentKind
from stakeholders.services import consent_withdraw
from tests.factories.meetings import InvitationFactory, MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(personas):
    meeting = MeetingFactory(project=personas.project, title="Planning day")
    return InvitationFactory(meeting=meeting, person=personas.participant.person)


def test_me_lists_upcoming_meetings_with_my_answer(client, personas, invitation):
    client.force_login(personas.participant)
    html = client.get(reverse("pages:me")).content.decode()
    assert "Planning day" in html
    assert "Your answer: <strong>Not answered yet</strong>" in html


def test_i_can_change_my_answer_from_me(client, personas, invitation):
    client.force_login(personas.participant)
    url = reverse("projects:meeting_answer", args=[invitation.meeting.public_id])
    client.post(url, {"action": "accept"})
    invitation.refresh_from_db()
    assert invitation.response == Response.ACCEPTED
    client.post(url, {"action": "decline"})
    invitation.refresh_from_db()
    assert invitation.response == Response.DECLINED


def test_a_made_up_answer_changes_nothing(client, personas, invitation):
    client.force_login(personas.participant)
    url = reverse("projects:meeting_answer", args=[invitation.meeting.public_id])
    response = client.post(url, {"action": "maybe"}, follow=True)
    assert b"Choose whether you can come or not." in response.content
    invitation.refresh_from_db()
    assert invitation.response == Response.NO_ANSWER


def test_the_calendar_file_is_text_calendar_and_only_for_me(client, personas, invitation):
    url = reverse("projects:meeting_calendar", args=[invitation.meeting.public_id])
    client.force_login(personas.participant)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Planning day (Crisis support)"

    client.force_login(personas.other_participant)
    assert client.get(url).status_code == 404
    client.force_login(personas.staff)
    assert client.get(url).status_code == 403


def test_another_participant_cannot_answer_for_me(client, personas, invitation):
    client.force_login(personas.other_participant)
    url = reverse("projects:meeting_answer", args=[invitation.meeting.public_id])
    assert client.post(url, {"action": "decline"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.response == Response.NO_ANSWER


def test_after_withdrawing_consent_i_can_no_longer_answer_from_me(client, personas, invitation):
    client.force_login(personas.participant)
    consent_withdraw(
        person=personas.participant.person,
        kind=ConsentKind.INVOLVEMENT,
        withdrawn_by=personas.participant,
    )
    invitation.refresh_from_db()
    answer_after_withdrawal = invitation.response
    url = reverse("projects:meeting_answer", args=[invitation.meeting.public_id])

    response = client.post(url, {"action": "accept"}, follow=True)

    assert b"This invitation is no longer active" in response.content
    assert "Planning day" not in client.get(reverse("pages:me")).content.decode()
    invitation.refresh_from_db()
    assert invitation.response == answer_after_withdrawal


def test_an_answer_from_me_to_a_meeting_of_an_archived_project_is_refused_and_changes_nothing(
    client, personas, invitation
):
    personas.project.archived_at = timezone.now()
    personas.project.save(update_fields=["archived_at"])
    client.force_login(personas.participant)
    url = reverse("projects:meeting_answer", args=[invitation.meeting.public_id])

    response = client.post(url, {"action": "accept"}, follow=True)

    assert (
        "This project has ended and its records are kept as they are, so nothing can be changed."
        in response.content.decode()
    )
    invitation.refresh_from_db()
    assert invitation.response == Response.NO_ANSWER
