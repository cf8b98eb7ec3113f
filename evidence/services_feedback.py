"""Asking people who came to a meeting what they thought of it, once each, and keeping
their answers."""

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from coprod.core.emails import render_email
from coprod.core.notify import EmailNotSent
from coprod.core.outbox import give_up, outbox_waiting_ids, send_each
from coprod.core.queue import task_delay
from coprod.core.texts import Channel, TextNotSent, render_text, send_text
from evidence.models import ANSWER_WITHIN, QUESTIONS, FeedbackRequest, MeetingFeedback
from projects.models import Attendance, AttendanceStatus, Meeting
from stakeholders.models import Person
from stakeholders.signin import short_link_create

logger = logging.getLogger(__name__)

# People are asked about meetings that ended in the last week; the periodic job runs far
# more often, so a meeting is asked about soon after staff mark who came.
ASK_WITHIN = timedelta(days=7)
REQUESTS_PER_TASK = 25

NOT_SENT_NO_LONGER = "Not sent: they no longer take part, or were not marked as having come."
NOT_SENT_ANSWERED = "Not sent: they had already answered."
NOT_SENT_NO_ADDRESS = "Not sent: they have no email address or mobile number."


class FeedbackClosed(Exception):
    """The person cannot answer about this meeting; `reason` is one of
    feedback_problem's answers."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def feedback_problem(
    *, meeting: Meeting, person: Person, now: datetime | None = None
) -> str | None:
    """Why `person` cannot answer about `meeting`: "not_attended" (not recorded as having
    come), "withdrawn" (their involvement consent no longer stands, or they were erased),
    "too_late" (more than 30 days after it ended); None when they can."""
    now = now or timezone.now()
    came = Attendance.objects.filter(
        meeting=meeting, person=person, status=AttendanceStatus.ATTENDED
    ).exists()
    if not came or meeting.is_cancelled:
        return "not_attended"
    if not person.may_be_contacted:
        return "withdrawn"
    if meeting.ends_at + ANSWER_WITHIN < now:
        return "too_late"
    return None


def meeting_feedback_save(
    *,
    meeting: Meeting,
    person: Person,
    listened: int | None,
    influence: int | None,
    accessible: int | None,
    comment: str,
) -> MeetingFeedback:
    """Keep the person's answers about a meeting they came to, or replace the answers they
    gave before. Raises FeedbackClosed when they cannot answer (feedback_problem)."""
    if problem := feedback_problem(meeting=meeting, person=person):
        raise FeedbackClosed(problem)
    answers = {
        "listened": listened,
        "influence": influence,
        "accessible": accessible,
        "comment": comment.strip(),
        "answered_at": timezone.now(),
    }
    feedback = MeetingFeedback(meeting=meeting, person=person, **answers)
    feedback.full_clean(exclude=["meeting", "person"], validate_constraints=False)
    try:
        with transaction.atomic():
            feedback, _ = MeetingFeedback.objects.update_or_create(
                meeting=meeting, person=person, defaults=answers
            )
    except IntegrityError:
        # Sent twice at once (a double click): the other request made the row; update it.
        MeetingFeedback.objects.filter(meeting=meeting, person=person).update(**answers)
        feedback = MeetingFeedback.objects.get(meeting=meeting, person=person)
    return feedback


# Asking ------------------------------------------------------------------------------------


def _due_attendances(now: datetime):
    """People marked as having come to a meeting that ended in the last week, who may be
    contacted, and who have neither been asked about it nor answered already."""
    asked = FeedbackRequest.objects.filter(
        meeting_id=OuterRef("meeting_id"), person_id=OuterRef("person_id")
    )
    answered = MeetingFeedback.objects.filter(
        meeting_id=OuterRef("meeting_id"), person_id=OuterRef("person_id")
    )
    return (
        Attendance.objects.filter(
            status=AttendanceStatus.ATTENDED,
            meeting__cancelled_at=None,
            meeting__ends_at__gt=now - ASK_WITHIN,
            meeting__ends_at__lte=now,
            meeting__project__archived_at=None,
            person__involvement_consent_given=True,
            person__erased_at=None,
        )
        .exclude(Exists(asked))
        .exclude(Exists(answered))
    )


def feedback_requests_due(*, now: datetime | None = None) -> int:
    """Make one request for each person due to be asked, and hand to the broker those and
    any the broker never got. Returns how many were handed over."""
    now = now or timezone.now()
    pairs = list(_due_attendances(now).values_list("meeting_id", "person_id")[:1000])
    # A conflict means another run made the same request a moment ago; theirs stands.
    FeedbackRequest.objects.bulk_create(
        [FeedbackRequest(meeting_id=meeting, person_id=person) for meeting, person in pairs],
        ignore_conflicts=True,
    )
    waiting = outbox_waiting_ids(FeedbackRequest, older_than=timedelta(0))
    return feedback_requests_queue(waiting)


def feedback_requests_queue(request_ids: Sequence[int]) -> int:
    """Hand requests to the broker in batches; if it is down they wait for the next run."""
    queued = 0
    for start in range(0, len(request_ids), REQUESTS_PER_TASK):
        batch = list(request_ids[start : start + REQUESTS_PER_TASK])
        try:
            task_delay("evidence.tasks.send_feedback_requests", batch)
        except Exception:  # noqa: BLE001 - any broker failure leaves the rows for the next run
            logger.warning("Broker unavailable; feedback requests left for the next run")
            return queued
        queued += len(batch)
    return queued


def feedback_request_send(*, request_id: int) -> bool:
    """Claim one request and send it by the person's channel, at most once however often it
    is called. Returns False if another worker has it, it was sent already, or it is no
    longer wanted (kept on the row, with why). On a failure the claim is released."""
    claimed = FeedbackRequest.objects.filter(
        pk=request_id, claimed_at=None, sent_at=None, failed_at=None
    ).update(claimed_at=timezone.now())
    if not claimed:
        return False
    request = FeedbackRequest.objects.select_related("meeting__project", "person").get(
        pk=request_id
    )
    meeting, person = request.meeting, request.person
    why_not = None
    if feedback_problem(meeting=meeting, person=person) is not None:
        why_not = NOT_SENT_NO_LONGER
    elif MeetingFeedback.objects.filter(meeting=meeting, person=person).exists():
        why_not = NOT_SENT_ANSWERED
    elif person.message_channel is None:
        why_not = NOT_SENT_NO_ADDRESS
    if why_not:
        FeedbackRequest.objects.filter(pk=request_id).update(
            failed_at=timezone.now(), last_error=why_not
        )
        return False
    channel = person.message_channel
    path = reverse("evidence:meeting_feedback", args=[meeting.public_id])
    try:
        if channel == Channel.TEXT:
            provider_id = send_text(
                to=person.phone.as_e164,
                body=render_text(
                    "meeting-feedback",
                    {
                        "meeting": meeting,
                        "project": meeting.project,
                        "link": short_link_create(path, expires_at=meeting.ends_at + ANSWER_WITHIN),
                    },
                ),
                reference=f"feedback-request-{request_id}",
            )
        else:
            message = render_email(
                "meeting-feedback",
                to=[person.email],
                context={
                    "person": person,
                    "meeting": meeting,
                    "project": meeting.project,
                    "feedback_url": settings.COPROD_BASE_URL.rstrip("/") + path,
                    "questions": QUESTIONS,
                    "answer_by": timezone.localtime(meeting.ends_at + ANSWER_WITHIN),
                },
            )
            message.send()
            provider_id = getattr(message, "provider_id", "")
    except (TextNotSent, EmailNotSent) as error:
        # The provider refused it for good (a bad number, say): retrying will not help.
        FeedbackRequest.objects.filter(pk=request_id).update(
            claimed_at=None, failed_at=timezone.now(), channel=channel, last_error=str(error)[:1000]
        )
        return False
    except Exception as error:
        FeedbackRequest.objects.filter(pk=request_id).update(
            claimed_at=None, channel=channel, last_error=str(error)[:1000]
        )
        raise
    FeedbackRequest.objects.filter(pk=request_id).update(
        sent_at=timezone.now(), channel=channel, provider_id=provider_id, last_error=""
    )
    return True


def feedback_requests_send_batch(*, request_ids: Iterable[int]) -> int:
    return send_each(
        request_ids,
        send=lambda request_id: feedback_request_send(request_id=request_id),
        retry_task="evidence.tasks.send_feedback_request",
    )


def feedback_request_give_up(*, request_id: int, error: str) -> None:
    give_up(FeedbackRequest, request_id, error)
