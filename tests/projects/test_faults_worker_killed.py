"""A Celery worker killed with SIGKILL in the middle of sending invitations: once a new
worker has started and the periodic sweep has run, every invitation has arrived exactly
once. Real PostgreSQL, Redis, prefork workers and an SMTP server (aiosmtpd)."""

import os
import signal
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F

from projects.models import MeetingEmail
from projects.services.meetings import meeting_emails_sweep, meeting_invite
from tests.factories.meetings import MeetingFactory
from tests.factories.people import StaffFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import PersonFactory
from tests.smtp import SmtpSink

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

INVITATIONS = 500
ACCEPTED_BEFORE_THE_KILL = 100
WORKER_PROCESSES = 2
# Generous for a loaded 2-core machine: 500 emails take about 10 s when it is quiet.
DEADLINE_SECONDS = 240


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _is_gone(pid: int) -> bool:
    """Exited, or a zombie: either way it runs no more code."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _kill_process_tree(process) -> None:
    """SIGKILL the worker and all its pool processes at once, as the OOM killer or a lost
    machine would: no task gets to finish, acknowledge or release anything."""
    pids = [process.pid, *_descendants(process.pid)]
    assert len(pids) == 1 + WORKER_PROCESSES, f"expected a prefork worker tree, found {pids}"
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while not all(_is_gone(pid) for pid in pids):
        assert time.monotonic() < deadline, "the killed worker processes did not go away"
        time.sleep(0.1)


class _Output:
    """Reads a worker's output as it comes: 500 tasks log more than a pipe holds, and a
    worker whose pipe is full stops working."""

    def __init__(self, process) -> None:
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def tail(self, count: int = 60) -> str:
        return "".join(self.lines[-count:])


def _wait(condition, what: str, output: _Output) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"after {DEADLINE_SECONDS} s, still waiting for {what}; the worker said:\n"
                + output.tail()
            )
        time.sleep(0.2)


def test_a_worker_killed_mid_send_loses_and_doubles_no_invitation(
    transactional_db, postgres, start_celery_worker
):
    with SmtpSink(hold_after=ACCEPTED_BEFORE_THE_KILL) as sink:
        first = start_celery_worker(
            EMAIL_URL=sink.url, pool="prefork", concurrency=WORKER_PROCESSES
        )
        first_output = _Output(first)
        meeting = MeetingFactory(project=ProjectFactory())
        people = PersonFactory.create_batch(INVITATIONS)
        emails = MeetingEmail.objects.filter(invitation__meeting=meeting)

        assert meeting_invite(meeting=meeting, people=people, invited_by=StaffFactory()) == (
            INVITATIONS
        )

        # Each pool process is blocked in DATA on its next email once 100 are accepted.
        _wait(
            lambda: sink.held == WORKER_PROCESSES,
            "both pool processes to be mid-send",
            first_output,
        )
        # Claim-then-send has one window no design removes: between the SMTP server's 250
        # and the row being marked sent, a kill makes the email go out again after the
        # claim times out. The kill waits until every accepted email is marked sent, so no
        # process is in that window and the test can demand "exactly once".
        _wait(
            lambda: emails.exclude(sent_at=None).count() == ACCEPTED_BEFORE_THE_KILL,
            "the accepted emails to be marked sent",
            first_output,
        )
        _kill_process_tree(first)

        assert len(sink) == ACCEPTED_BEFORE_THE_KILL
        # The emails the killed processes were sending: claimed, never sent.
        stuck = list(
            emails.filter(sent_at=None).exclude(claimed_at=None).values_list("pk", flat=True)
        )
        assert len(stuck) == WORKER_PROCESSES
        sink.release()

        second = start_celery_worker(
            EMAIL_URL=sink.url, pool="prefork", concurrency=WORKER_PROCESSES
        )
        second_output = _Output(second)
        # Time passes as far as the sweep is concerned: the invitations are over a minute
        # old, and the dead processes' claims older than the claim timeout. Claims the new
        # worker makes from now on stay fresh, so the sweep cannot take them away.
        emails.update(created_at=F("created_at") - timedelta(minutes=2))
        emails.filter(pk__in=stuck).update(
            claimed_at=F("claimed_at")
            - timedelta(minutes=settings.COPROD_EMAIL_CLAIM_TIMEOUT_MINUTES + 1)
        )
        # What beat runs every minute; it queues (again) every email not yet sent,
        # including those still waiting in the broker: the claim makes repeats harmless.
        assert meeting_emails_sweep() >= len(stuck)

        _wait(
            lambda: not emails.filter(sent_at=None).exists() and len(sink) >= INVITATIONS,
            "every email to be sent",
            second_output,
        )

        # Once every row is marked sent no claim can succeed again, so nothing more can arrive.
        assert sink.count_by_recipient() == Counter({person.email: 1 for person in people})
        assert not emails.exclude(failed_at=None).exists()
        attempts = dict(emails.values_list("pk", "attempts"))
        assert {pk: attempts[pk] for pk in stuck} == dict.fromkeys(stuck, 2)
        assert {n for pk, n in attempts.items() if pk not in stuck} == {1}
