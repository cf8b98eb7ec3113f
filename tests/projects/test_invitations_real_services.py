"""Meeting invitations through the real services: PostgreSQL, Redis, Celery workers and an
SMTP server (aiosmtpd). Every invitation arrives exactly once, with a calendar that parses,
even when tasks are delivered twice or the broker was down when staff pressed "invite"."""

import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from icalendar import Calendar

from coprod.celery import app as celery_app
from projects.calendar import meeting_uid
from projects.models import Meeting, MeetingEmail
from projects.services.meetings import meeting_emails_sweep, meeting_invite
from projects.tasks import send_meeting_email
from tests.factories.meetings import MeetingFactory
from tests.factories.people import StaffFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.redis

DEADLINE_SECONDS = 60
# Nothing listens on port 1: connecting is refused at once, as when Redis is down.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _calendar_in(message) -> Calendar:
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def _fail_with_worker_logs(workers, reason: str) -> None:
    for worker in workers:
        worker.terminate()
        print(worker.communicate(timeout=15)[0])
    pytest.fail(reason)


def _wait_until_all_sent(meeting: Meeting, sink, workers) -> None:
    """Until every invitation email of the meeting is marked sent and has reached the sink."""
    emails = MeetingEmail.objects.filter(invitation__meeting=meeting)
    expected = emails.count()
    deadline = time.monotonic() + DEADLINE_SECONDS
    sink.wait_for(expected, timeout=DEADLINE_SECONDS)
    while emails.filter(sent_at=None).exists() or len(sink) < expected:
        if time.monotonic() > deadline:
            _fail_with_worker_logs(
                workers,
                f"after {DEADLINE_SECONDS} s, {emails.filter(sent_at=None).count()} of "
                f"{expected} emails were unsent and the SMTP server had {len(sink)} messages",
            )
        time.sleep(0.2)


def _assert_each_received_exactly_once(sink, meeting: Meeting, people) -> None:
    # Once every row is marked sent no claim can succeed again, so nothing more can arrive.
    assert sink.count_by_recipient() == Counter({person.email: 1 for person in people})
    for received in sink.messages:
        (recipient,) = received.rcpt_tos
        calendar = _calendar_in(received.message)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert event["UID"] == meeting_uid(meeting)
        assert str(event["ATTENDEE"]) == f"mailto:{recipient}"
    emails = MeetingEmail.objects.filter(invitation__meeting=meeting)
    assert emails.count() == len(people)
    assert not emails.filter(sent_at=None).exists()
    assert not emails.exclude(failed_at=None).exists()
    # Claimed once each: a repeated task found its email already claimed and sent nothing.
    assert set(emails.values_list("attempts", flat=True)) == {1}


def test_fifty_invitations_reach_the_smtp_server_once_each_with_a_calendar(
    transactional_db, postgres, start_celery_worker, smtp_sink
):
    worker = start_celery_worker(EMAIL_URL=smtp_sink.url)
    meeting = MeetingFactory(project=ProjectFactory())
    people = PersonFactory.create_batch(50)

    assert meeting_invite(meeting=meeting, people=people, invited_by=StaffFactory()) == 50

    _wait_until_all_sent(meeting, smtp_sink, [worker])
    _assert_each_received_exactly_once(smtp_sink, meeting, people)


def test_two_workers_given_every_task_twice_still_send_each_invitation_once(
    transactional_db, postgres, start_celery_worker, smtp_sink
):
    workers = [
        start_celery_worker(EMAIL_URL=smtp_sink.url, pool="prefork", concurrency=2)
        for _ in range(2)
    ]
    meeting = MeetingFactory(project=ProjectFactory())
    people = PersonFactory.create_batch(50)

    meeting_invite(meeting=meeting, people=people, invited_by=StaffFactory())
    # Results are asked for (even if the task ignores them) to know each repeat has run.
    again = [
        send_meeting_email.apply_async((email_id,), ignore_result=False)
        for email_id in MeetingEmail.objects.filter(invitation__meeting=meeting).values_list(
            "pk", flat=True
        )
    ]

    try:
        outcomes = [result.get(timeout=DEADLINE_SECONDS) for result in again]
    except Exception as error:  # noqa: BLE001 - show the workers' logs, whatever went wrong
        _fail_with_worker_logs(workers, f"a repeated task did not finish: {error!r}")
    assert set(outcomes) <= {True, False}
    _wait_until_all_sent(meeting, smtp_sink, workers)
    _assert_each_received_exactly_once(smtp_sink, meeting, people)


@contextmanager
def _redis_unreachable():
    """Point this process's Celery app (broker and result store) at a Redis that is down;
    the workers keep the real one. Celery caches its connection pools and result backend,
    so those are dropped on the way in and the real ones put back on the way out."""
    conf = celery_app.conf
    broker_url, result_backend, backend = conf.broker_url, conf.result_backend, celery_app.backend
    _forget_cached_connections()
    conf.update(broker_url=UNREACHABLE_REDIS, result_backend=UNREACHABLE_REDIS)
    try:
        yield
    finally:
        _forget_cached_connections()
        conf.update(broker_url=broker_url, result_backend=result_backend)
        celery_app._backend = backend


def _forget_cached_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.backend = None


def invite_everyone_with_the_broker_down(client, meeting: Meeting, *, expected: int):
    """Staff invite all the meeting's project members while the broker cannot be reached:
    the page answers within 2 s, says the emails are on their way, and every email waits
    untouched in the outbox. Returns those emails."""
    url = reverse(
        "projects:meeting_invite",
        kwargs={"slug": meeting.project.slug, "meeting_id": meeting.public_id},
    )
    checked = client.post(url, {"who": "all", "preview": "1"}).context["checked"]
    started = time.monotonic()
    response = client.post(url, {"who": "all", "send": "1", "checked": checked}, follow=True)
    elapsed = time.monotonic() - started

    assert elapsed < 2, f"the invite page took {elapsed:.1f} s with the broker down"
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Invited {expected} people" in page
    assert "on their way" in page
    emails = MeetingEmail.objects.filter(invitation__meeting=meeting)
    assert emails.count() == expected
    assert not emails.exclude(sent_at=None, claimed_at=None, failed_at=None).exists()
    return emails


def test_with_the_broker_down_the_invite_page_answers_at_once_and_the_sweep_sends_later(
    transactional_db, postgres, start_celery_worker, smtp_sink, client
):
    worker = start_celery_worker(EMAIL_URL=smtp_sink.url)
    project = ProjectFactory()
    people = [MembershipFactory(project=project).person for _ in range(20)]
    meeting = MeetingFactory(project=project)
    staff = StaffFactory()
    client.force_login(staff)

    with _redis_unreachable():
        emails = invite_everyone_with_the_broker_down(client, meeting, expected=20)

    # The broker is back; the periodic sweep takes emails that have waited over a minute.
    emails.update(created_at=F("created_at") - timedelta(minutes=2))
    assert meeting_emails_sweep() == 20

    _wait_until_all_sent(meeting, smtp_sink, [worker])
    _assert_each_received_exactly_once(smtp_sink, meeting, people)
