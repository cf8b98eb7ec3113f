"""How fast meeting invitations go out: through Redis, a Celery worker and a real SMTP server
(aiosmtpd), beside a bare loop sending the same messages over one SMTP connection, which is
the practical limit. The aim is at least half the bare loop's rate.

    make bench-invitations
    .venv/bin/python bench/invitations.py --count 2000 --concurrency 2

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/coprod_bench,
created and migrated when missing) and Redis (REDIS_URL, default redis://127.0.0.1:6379/0).
It removes what it created, and stops by itself if the worker stalls.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import redis
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp import SmtpSink  # noqa: E402 - needs ROOT on the path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coprod_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
WORKER_READY_SECONDS = 60
SEND_DEADLINE_SECONDS = 180


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="invitations to send")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ["CELERY_QUEUE"] = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")
    try:
        _create_database_if_missing(os.environ["DATABASE_URL"])
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2).ping()
    except (psycopg2.OperationalError, redis.RedisError) as error:
        print(f"This bench needs PostgreSQL and Redis: {error}", file=sys.stderr)
        return 2

    with SmtpSink() as sink:
        os.environ["EMAIL_URL"] = sink.url
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return Bench(sink=sink, count=args.count, concurrency=args.concurrency).run()


def _create_database_if_missing(database_url: str) -> None:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    server = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        server.close()


class Bench:
    def __init__(self, *, sink: SmtpSink, count: int, concurrency: int) -> None:
        self.sink = sink
        self.count = count
        self.concurrency = concurrency
        self.queue = os.environ["CELERY_QUEUE"]
        self.run_id = uuid.uuid4().hex[:8]
        self.worker: subprocess.Popen | None = None
        self.worker_log = Path(tempfile.gettempdir()) / f"coprod-{self.queue}.log"

    def run(self) -> int:
        try:
            meeting, people, staff = self._create_data()
            self._start_worker()
            worker = self._send_through_worker(meeting, people, staff)
            bare = self._send_in_a_bare_loop(meeting)
        except BenchFailed as failure:
            print(f"FAILED: {failure}", file=sys.stderr)
            if self.worker_log.exists():
                print(f"worker log ({self.worker_log}):", file=sys.stderr)
                print(self.worker_log.read_text()[-4000:], file=sys.stderr)
            return 1
        finally:
            self._stop_worker()
            self._remove_data()
        self._report(worker, bare)
        return 0

    def _create_data(self):
        from django.utils import timezone

        from projects.models import Meeting, Project
        from stakeholders.models import Person, Role, User

        staff = User.objects.create_user(email=f"bench-{self.run_id}@example.org", role=Role.STAFF)
        project = Project.objects.create(
            name=f"Invitation bench {self.run_id}",
            slug=f"bench-{self.run_id}",
            summary="Created and removed by bench/invitations.py.",
        )
        starts_at = timezone.now() + timedelta(days=7)
        meeting = Meeting.objects.create(
            project=project,
            title="Planning the crisis line",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            place="Riverside Community Centre",
            agenda="Introductions, what we heard, what we will try next.",
            created_by=staff,
        )
        people = Person.objects.bulk_create(
            Person(full_name=f"Bench Person {n}", email=f"bench-{self.run_id}-{n}@example.org")
            for n in range(self.count)
        )
        return meeting, people, staff

    def _start_worker(self) -> None:
        from coprod.tasks import ping

        with self.worker_log.open("w") as log:
            self.worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "coprod",
                    "worker",
                    "--hostname",
                    f"{self.queue}@%h",
                    "--queues",
                    self.queue,
                    "--pool",
                    "prefork",
                    "--concurrency",
                    str(self.concurrency),
                    "--loglevel",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            ping.apply_async(queue=self.queue).get(timeout=WORKER_READY_SECONDS)
        except Exception as error:  # noqa: BLE001 - reported with the worker's log
            raise BenchFailed(f"the worker did not answer a ping: {error!r}") from error

    def _send_through_worker(self, meeting, people, staff) -> dict:
        from projects.models import MeetingEmail
        from projects.services import meeting_invite

        self.sink.clear()
        started = time.perf_counter()
        meeting_invite(meeting=meeting, people=people, invited_by=staff)
        queued = time.perf_counter()
        if not self.sink.wait_for(self.count, timeout=SEND_DEADLINE_SECONDS):
            raise BenchFailed(
                f"only {len(self.sink)} of {self.count} invitations arrived within "
                f"{SEND_DEADLINE_SECONDS} s"
            )
        finished = time.perf_counter()
        unsent = MeetingEmail.objects.filter(invitation__meeting=meeting, sent_at=None)
        deadline = time.monotonic() + 10
        while unsent.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        repeated = sum(n - 1 for n in self.sink.count_by_recipient().values() if n > 1)
        if repeated or len(self.sink) != self.count or unsent.exists():
            raise BenchFailed(
                f"{len(self.sink)} messages arrived for {self.count} invitations "
                f"({repeated} repeats, {unsent.count()} not marked sent)"
            )
        return {"seconds": finished - started, "queueing": queued - started}

    def _send_in_a_bare_loop(self, meeting) -> dict:
        from django.core.mail import get_connection

        from projects.models import MeetingEmail
        from projects.services import _build_email

        emails = list(
            MeetingEmail.objects.filter(invitation__meeting=meeting).select_related(
                "invitation__meeting__project", "invitation__person"
            )
        )
        self.sink.clear()
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host="127.0.0.1",
            port=self.sink.port,
            use_tls=False,
            use_ssl=False,
            username="",
            password="",
        )
        started = time.perf_counter()
        messages = [_build_email(email) for email in emails]
        rendered = time.perf_counter()
        with connection:
            sent = connection.send_messages(messages)
        finished = time.perf_counter()
        if sent != self.count or len(self.sink) != self.count:
            raise BenchFailed(f"the bare loop sent {sent} and {len(self.sink)} arrived")
        return {"seconds": finished - started, "sending": finished - rendered}

    def _report(self, worker: dict, bare: dict) -> None:
        def rate(seconds: float) -> str:
            return f"{self.count / seconds:10.1f}"

        ratio = bare["seconds"] / worker["seconds"]
        print()
        print(
            f"{self.count} meeting invitations; 1 Celery worker (prefork, concurrency "
            f"{self.concurrency}); PostgreSQL, Redis, aiosmtpd on 127.0.0.1"
        )
        print(f"{'':46}{'seconds':>9}{'per second':>12}")
        print(
            f"{'via Redis + worker (invite to last email)':46}{worker['seconds']:9.2f}"
            f"{rate(worker['seconds']):>12}"
        )
        print(f"{'  of which meeting_invite (saving, queueing)':46}{worker['queueing']:9.2f}")
        print(
            f"{'bare loop: render + send, one connection':46}{bare['seconds']:9.2f}"
            f"{rate(bare['seconds']):>12}"
        )
        print(f"{'  of which sending':46}{bare['sending']:9.2f}{rate(bare['sending']):>12}")
        verdict = "met" if ratio >= 0.5 else "not met"
        print(f"{'worker rate / bare loop rate':46}{'':9}{ratio:12.3f}  (aim 0.5: {verdict})")

    def _stop_worker(self) -> None:
        if self.worker is None:
            return
        self.worker.terminate()
        try:
            self.worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.worker.kill()
            self.worker.wait()

    def _remove_data(self) -> None:
        from django.conf import settings

        from projects.models import Meeting, Project
        from stakeholders.models import Person, User

        projects = Project.objects.filter(slug=f"bench-{self.run_id}")
        project_ids = list(projects.values_list("pk", flat=True))
        meeting_ids = list(
            Meeting.objects.filter(project_id__in=project_ids).values_list("pk", flat=True)
        )
        projects.delete()
        Meeting.history.filter(id__in=meeting_ids).delete()
        Project.history.filter(id__in=project_ids).delete()
        Person.objects.filter(email__startswith=f"bench-{self.run_id}-").delete()
        User.objects.filter(email=f"bench-{self.run_id}@example.org").delete()
        broker = redis.Redis.from_url(settings.REDIS_URL)
        # The queue and kombu's record of its binding; task results expire by themselves.
        broker.delete(self.queue, *broker.scan_iter(match=f"_kombu.binding*.{self.queue}"))
        self.worker_log.unlink(missing_ok=True)


class BenchFailed(Exception):
    pass


if __name__ == "__main__":
    sys.exit(main())
