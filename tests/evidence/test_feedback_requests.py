"""Asking people who came to a meeting how it went: by their own channel, once each, only
people who may be contacted, only about meetings that ended in the last week."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coprod.celery import app as celery_app
from evidence.models import FeedbackRequest
from evidence.services_feedback import (
    NOT_SENT_ANSWERED,
    NOT_SENT_NO_LONGER,
    feedback_request_send,
    feedback_requests_due,
)
from projects.models import AttendanceStatus
from stakeholders.models import ContactMethod
from tests.evidence.feedback_helpers import came, past_meeting, said
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def _feedback_path(meeting) -> str:
    return reverse("evidence:meeting_feedback", args=[meeting.public_id])


def test_someone_who_came_is_asked_by_email_with_a_link_to_the_questions():
    meeting = past_meeting(title="Menu planning")
    person = came(meeting)

    assert feedback_requests_due() == 1

    [email] = mail.outbox
    assert email.to == [person.email]
    assert email.subject == "How did Menu planning go for you?"
    assert settings.COPROD_BASE_URL.rstrip("/") + _feedback_path(meeting) in email.body
    assert "Did you feel listened to?" in email.body
    request = FeedbackRequest.objects.get(meeting=meeting, person=person)
    assert request.sent_at is not None and request.channel == "email"


def test_running_again_asks_nobody_a_second_time():
    meeting = past_meeting()
    came(meeting)
    came(meeting)
    feedback_requests_due()

    assert feedback_requests_due() == 0

    assert len(mail.outbox) == 2
    assert FeedbackRequest.objects.count() == 2


def test_a_request_is_sent_once_however_often_its_task_runs():
    meeting = past_meeting()
    person = came(meeting)
    request = FeedbackRequest.objects.create(meeting=meeting, person=person)

    assert feedback_request_send(request_id=request.pk) is True
    assert feedback_request_send(request_id=request.pk) is False

    assert len(mail.outbox) == 1


def test_someone_who_asked_for_texts_gets_a_text_with_one_short_link(text_outbox):
    meeting = past_meeting(title="Menu planning")
    person = came(
        meeting, PersonFactory(phone="+447700900982", preferred_contact=ContactMethod.TEXT)
    )

    feedback_requests_due()

    assert mail.outbox == []
    [text] = text_outbox
    assert text["to"] == "+447700900982"
    assert "Menu planning" in text["body"]
    assert text["body"].count("http") == 1 and "/l/" in text["body"]
    assert FeedbackRequest.objects.get(person=person).channel == "text"


def test_people_who_may_not_be_contacted_or_did_not_come_are_not_asked():
    meeting = past_meeting()
    came(meeting, PersonFactory(consented=False))
    came(meeting, PersonFactory(erased_at=timezone.now()))
    came(meeting, status=AttendanceStatus.NO_SHOW)

    assert feedback_requests_due() == 0

    assert FeedbackRequest.objects.count() == 0
    assert mail.outbox == []


def test_only_meetings_that_ended_in_the_last_week_are_asked_about():
    came(past_meeting(days_ago=8))
    came(past_meeting(days_ago=-0.01))
    asked = came(past_meeting(days_ago=6.9))

    feedback_requests_due()

    assert list(FeedbackRequest.objects.values_list("person", flat=True)) == [asked.pk]


def test_someone_who_answered_already_from_their_page_is_not_asked():
    meeting = past_meeting()
    said(meeting, listened=4)

    feedback_requests_due()

    assert FeedbackRequest.objects.count() == 0


def test_a_request_waiting_when_the_person_withdrew_is_never_sent():
    meeting = past_meeting()
    person = came(meeting)
    request = FeedbackRequest.objects.create(meeting=meeting, person=person)
    person.involvement_consent_given = False
    person.save()

    assert feedback_request_send(request_id=request.pk) is False

    request.refresh_from_db()
    assert mail.outbox == []
    assert request.sent_at is None and request.last_error == NOT_SENT_NO_LONGER


def test_a_request_waiting_when_the_person_answered_is_never_sent():
    meeting = past_meeting()
    feedback = said(meeting, accessible=2)
    request = FeedbackRequest.objects.create(meeting=meeting, person=feedback.person)

    feedback_request_send(request_id=request.pk)

    request.refresh_from_db()
    assert mail.outbox == []
    assert request.failed_at is not None and request.last_error == NOT_SENT_ANSWERED


def test_the_job_runs_from_beat_and_is_known_to_celery():
    schedule = settings.CELERY_BEAT_SCHEDULE["ask-for-meeting-feedback"]
    assert schedule["task"] == "evidence.tasks.ask_for_meeting_feedback"
    assert {
        "evidence.tasks.ask_for_meeting_feedback",
        "evidence.tasks.send_feedback_requests",
        "evidence.tasks.send_feedback_request",
    } <= set(celery_app.tasks)


def test_a_request_the_broker_lost_is_sent_on_the_next_run():
    meeting = past_meeting()
    person = came(meeting)
    FeedbackRequest.objects.create(
        meeting=meeting, person=person, created_at=timezone.now() - timedelta(hours=1)
    )

    assert feedback_requests_due() == 1

    assert len(mail.outbox) == 1
