"""How fast meeting invitations go out at scale: through Redis and separate Celery workers
(each prefork, consuming the same queue) to a real SMTP server (aiosmtpd, in a process of its
own), beside a bare loop rendering and sending the same messages over one SMTP connection,
which is the practical limit. The aim is at least half the bare loop's rate. Every
invitation must arrive exactly once, counted by recipient at the SMTP server, or the bench
fails.

    make bench-invitations
    .venv/bin/python bench/invitations.py --count 10000 --workers 2 --concurrency 2

Needs PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/coprod_bench,
created and migrated when missing) and Redis (REDIS_URL, default redis://127.0.0.1:6379/0).
Runs on production settings (DEBUG off). It prints a table and writes it to
bench/invitations-results.md, removes what it created, and stops by itself if a worker
stalls or dies: every wait has a deadline, the sending one scaled to the count.
"""

import argparse
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402 - needs the repository on the path
    ROOT,
    measured_on,
    postgres_and_redis_ready,
    production_env,
    write_report,
)
from tests.celery_worker import celery_worker_command  # noqa: E402 - needs the repository on the path
from tests.smtp import SmtpSink  # noqa: E402 - needs the repository on the path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/coprod_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
RESULTS = ROOT / "bench" / "invitations-results.md"
AIM_SHARE = 0.5
WORKERS_READY_SECONDS = 90
# Sending fails if no invitation arrives for STALL_SECONDS, or if the whole run is slower
# than SLOWEST_RATE per second after SEND_GRACE_SECONDS: 10,000 invitations get 560 s.
STALL_SECONDS = 60
SEND_GRACE_SECONDS = 60
SLOWEST_RATE = 20
SETTLE_SECONDS = 10
SMTP_TIMEOUT_SECONDS = 30
WORKER_STOP_SECONDS = 30


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000, help="invitations to send")
    parser.add_argument("--workers", type=int, default=2, help="separate worker processes")
    parser.add_argument(
        "--concurrency", type=int, default=2, help="pool processes in each worker (prefork)"
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="where to write the table (Markdown)"
    )
    args = parser.parse_args()
    if args.count < 1 or args.workers < 1 or args.concurrency < 1:
        parser.error("--count, --workers and --concurrency must be at least 1")

    _use_production_settings()
    if not postgres_and_redis_ready(os.environ):
        return 2

    with SmtpServerProcess() as sink:
        os.environ["EMAIL_URL"] = sink.url
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return Bench(
            sink=sink, count=args.count, workers=args.workers, concurrency=args.concurrency
        ).run(results=args.results)


def _use_production_settings() -> None:
    """Workers in production run with DEBUG off; with it on, Django records every query."""
    env = production_env(
        database_url=DEFAULT_DATABASE_URL,
        redis_url=DEFAULT_REDIS_URL,
        CELERY_QUEUE=f"bench-{uuid.uuid4().hex[:8]}",
        DJANGO_SETTINGS_MODULE="coprod.settings",
        COPROD_BASE_URL="https://coprod.example.org",
    )
    # This process and the workers it starts see exactly `env`: no other DJANGO_*/COPROD_*.
    for name in [name for name in os.environ if name not in env]:
        del os.environ[name]
    os.environ.update(env)


class Bench:
    def __init__(
        self, *, sink: "SmtpServerProcess", count: int, workers: int, concurrency: int
    ) -> None:
        self.sink = sink
        self.count = count
        self.concurrency = concurrency
        self.queue = os.environ["CELERY_QUEUE"]
        self.run_id = uuid.uuid4().hex[:8]
        self.hostnames = [f"{self.queue}-{n}@{socket.gethostname()}" for n in range(1, workers + 1)]
        self.workers: dict[str, subprocess.Popen] = {}
        self.logs = {
            hostname: Path(tempfile.gettempdir()) / f"coprod-{hostname.split('@')[0]}.log"
            for hostname in self.hostnames
        }
        self.send_deadline = SEND_GRACE_SECONDS + count / SLOWEST_RATE

    def run(self, *, results: Path) -> int:
        started = time.monotonic()
        load_before = os.getloadavg()[0]
        try:
            meeting, people, staff = self._create_data()
            self._start_workers()
            worker = self._send_through_workers(meeting, people, staff)
            worker["tasks"] = self._tasks_per_worker()
            self._stop_workers()
            bare = self._send_in_a_bare_loop(meeting)
        except BenchFailed as failure:
            print(f"FAILED: {failure}", file=sys.stderr)
            for hostname, log in self.logs.items():
                if log.exists():
                    print(f"log of worker {hostname} ({log}):", file=sys.stderr)
                    print(log.read_text()[-4000:], file=sys.stderr)
            return 1
        finally:
            self._stop_workers()
            self._remove_data()
        report = self._report(
            worker,
            bare,
            run_seconds=time.monotonic() - started,
            load_before=load_before,
        )
        print()
        write_report(report, results)
        return 0

    def _create_data(self):
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from projects.models import Meeting, Project
        from stakeholders.models import Person, Role

        User = get_user_model()

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
        # Only people whose consent to be contacted stands are sent anything.
        people = Person.objects.bulk_create(
            Person(
                full_name=f"Bench Person {n}",
                email=f"bench-{self.run_id}-{n}@example.org",
                involvement_consent_given=True,
            )
            for n in range(self.count)
        )
        return meeting, people, staff

    def _start_workers(self) -> None:
        for hostname, log_path in self.logs.items():
            with log_path.open("w") as log:
                self.workers[hostname] = subprocess.Popen(
                    celery_worker_command(
                        hostname=hostname,
                        queue=self.queue,
                        pool="prefork",
                        concurrency=self.concurrency,
                        loglevel="WARNING",
                    ),
                    cwd=ROOT,
                    env=os.environ.copy(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Its own process group, so that a stuck worker goes with its pool.
                    start_new_session=True,
                )
        from coprod.celery import app

        waiting = set(self.hostnames)
        deadline = time.monotonic() + WORKERS_READY_SECONDS
        while waiting:
            self._check_workers_alive()
            if time.monotonic() > deadline:
                raise BenchFailed(
                    f"{', '.join(sorted(waiting))} did not answer within {WORKERS_READY_SECONDS} s"
                )
            for reply in app.control.ping(destination=sorted(waiting), timeout=1):
                waiting -= reply.keys()

    def _check_workers_alive(self) -> None:
        for hostname, worker in self.workers.items():
            if worker.poll() is not None:
                raise BenchFailed(f"worker {hostname} exited with code {worker.returncode}")

    def _send_through_workers(self, meeting, people, staff) -> dict:
        from projects.models import MeetingEmail
        from projects.services.meetings import meeting_invite

        self.sink.clear()
        started = time.perf_counter()
        meeting_invite(meeting=meeting, people=people, invited_by=staff)
        queued = time.perf_counter()
        sent_while_queueing = len(self.sink)
        self._wait_for_every_invitation(started)
        finished = time.perf_counter()

        # Late arrivals would be repeats: wait for every row to be marked sent and the queue
        # to be empty before counting.
        from django.conf import settings

        broker = redis.Redis.from_url(settings.REDIS_URL)
        unsent = MeetingEmail.objects.filter(invitation__meeting=meeting, sent_at=None)
        deadline = time.monotonic() + SETTLE_SECONDS
        while (unsent.exists() or broker.llen(self.queue)) and time.monotonic() < deadline:
            time.sleep(0.1)
        self._check_each_arrived_once(people, unsent_rows=unsent.count())
        return {
            "seconds": finished - started,
            "queueing": queued - started,
            "sent_while_queueing": sent_while_queueing,
        }

    def _wait_for_every_invitation(self, started: float) -> None:
        arrived, last_arrival = 0, time.monotonic()
        while not self.sink.wait_for(self.count, timeout=1):
            self._check_workers_alive()
            now = time.monotonic()
            if len(self.sink) > arrived:
                arrived, last_arrival = len(self.sink), now
            elif now - last_arrival > STALL_SECONDS:
                raise BenchFailed(
                    f"no invitation arrived for {STALL_SECONDS} s; {arrived} of {self.count} so far"
                )
            if time.perf_counter() - started > self.send_deadline:
                raise BenchFailed(
                    f"only {arrived} of {self.count} invitations arrived within "
                    f"{self.send_deadline:.0f} s"
                )

    def _check_each_arrived_once(self, people, *, unsent_rows: int) -> None:
        expected = {person.email for person in people}
        received = self.sink.count_by_recipient()
        missing = expected - received.keys()
        unexpected = received.keys() - expected
        repeated = {rcpt: n for rcpt, n in received.items() if n > 1}
        problems = []
        if missing:
            problems.append(f"{len(missing)} invited got none (e.g. {min(missing)})")
        if repeated:
            repeats = sum(repeated.values()) - len(repeated)
            problems.append(
                f"{len(repeated)} got more than one, {repeats} repeats (e.g. {min(repeated)})"
            )
        if unexpected:
            problems.append(f"{len(unexpected)} not invited got one (e.g. {min(unexpected)})")
        if unsent_rows:
            problems.append(f"{unsent_rows} outbox rows not marked sent")
        if problems:
            raise BenchFailed(
                f"{len(self.sink)} messages arrived for {self.count} invitations, not each "
                f"exactly once: {'; '.join(problems)}"
            )

    def _tasks_per_worker(self) -> dict[str, int]:
        """Tasks each worker ran, from its own count; a worker that ran none fails the bench,
        since the figure would then be one worker's."""
        from coprod.celery import app
        from projects.tasks import send_meeting_email, send_meeting_emails

        stats = app.control.inspect(destination=self.hostnames, timeout=5).stats() or {}
        tasks = {
            hostname: sum(
                stats.get(hostname, {}).get("total", {}).get(task.name, 0)
                for task in (send_meeting_emails, send_meeting_email)
            )
            for hostname in self.hostnames
        }
        if len(self.hostnames) > 1 and not all(tasks.values()):
            raise BenchFailed(f"not every worker answered with invitations it sent: {tasks}")
        return tasks

    def _send_in_a_bare_loop(self, meeting) -> dict:
        from django.core.mail import get_connection

        from projects.models import MeetingEmail
        from projects.services.meetings import _build_email

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
            timeout=SMTP_TIMEOUT_SECONDS,
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

    def _report(self, worker: dict, bare: dict, *, run_seconds: float, load_before: float) -> str:
        def row(label: str, seconds: float, count: int = self.count) -> str:
            return f"| {label} | {seconds:.2f} | {count / seconds:,.0f} |"

        share = bare["seconds"] / worker["seconds"]
        while_queueing = worker["sent_while_queueing"]
        after_queueing = self.count - while_queueing
        workers = f"{len(self.hostnames)} worker{'s' if len(self.hostnames) > 1 else ''}"
        command = " ".join(["bench/invitations.py", *sys.argv[1:]])
        tasks = ", ".join(
            f"{hostname.split('@')[0]}: {n:,}" for hostname, n in worker["tasks"].items()
        )
        return "\n".join(
            [
                "# Invitation benchmark",
                "",
                f"{measured_on()}.",
                "",
                f"`{command}` sends {self.count:,} meeting invitations through Redis and",
                f"{workers} (separate Celery processes on one queue, each prefork with",
                f"concurrency {self.concurrency}) to an aiosmtpd server in a process of its own,",
                "on production settings, then renders and sends the same messages in a bare loop",
                "over one SMTP connection. PostgreSQL, Redis, the SMTP server and the workers",
                "all run on this machine, which may be shared with other work, so figures vary",
                "from run to run.",
                "",
                "| | seconds | invitations/s |",
                "|---|---:|---:|",
                row(f"via Redis + {workers} (invite to last email)", worker["seconds"]),
                row(
                    f"of which during `meeting_invite` (saving, queueing): {while_queueing:,} sent",
                    worker["queueing"],
                    while_queueing,
                ),
                row(
                    f"of which after it returned: {after_queueing:,} sent",
                    worker["seconds"] - worker["queueing"],
                    after_queueing,
                ),
                row("bare loop: render + send, one SMTP connection", bare["seconds"]),
                row("of which sending", bare["sending"]),
                "",
                f"Workers' rate / bare loop's rate: **{share:.3f}** "
                f"(aim {AIM_SHARE}: {'met' if share >= AIM_SHARE else 'MISSED'}).",
                "",
                "Every invitation arrived exactly once (counted by recipient at the SMTP server).",
                f"Tasks run per worker: {tasks}. The whole run took {run_seconds:.0f} s; the",
                f"machine's load average (1 minute) was {load_before:.1f} when it started.",
                "",
            ]
        )

    def _stop_workers(self) -> None:
        for worker in self.workers.values():
            if worker.poll() is None:
                worker.terminate()
        deadline = time.monotonic() + WORKER_STOP_SECONDS
        for worker in self.workers.values():
            try:
                worker.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        self.workers.clear()

    def _remove_data(self) -> None:
        from django.conf import settings
        from django.contrib.auth import get_user_model

        from projects.models import Meeting, Project
        from stakeholders.models import Person

        User = get_user_model()

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
        # A worker that died leaves its unacknowledged tasks, which Redis would hand back to
        # the queue within the hour, and its control queue's binding.
        for tag, message in broker.hscan_iter("unacked"):
            if json.loads(message)[-1] == self.queue:
                broker.hdel("unacked", tag)
                broker.zrem("unacked_index", tag)
        pidboxes = tuple(f"{hostname}.celery.pidbox" for hostname in self.hostnames)
        for binding in broker.smembers("_kombu.binding.celery.pidbox"):
            if binding.decode().endswith(pidboxes):
                broker.srem("_kombu.binding.celery.pidbox", binding)
        # The queue, kombu's records of its binding and each worker's control queue; task
        # results expire by themselves.
        broker.delete(
            self.queue, *broker.scan_iter(match=f"_kombu.binding*.{self.queue}"), *pidboxes
        )
        for log in self.logs.values():
            log.unlink(missing_ok=True)


class SmtpServerProcess:
    """tests/smtp.py's sink in a process of its own, as a mail server would be: in the bench's
    process it would share the interpreter lock with the code queueing the emails."""

    def __init__(self) -> None:
        self._connection, self._server_end = multiprocessing.Pipe()
        self._process = multiprocessing.Process(
            target=_serve_smtp_sink, args=(self._server_end, self._connection), daemon=True
        )

    def __enter__(self) -> "SmtpServerProcess":
        self._process.start()
        # Each side keeps only its own end, so that either sees the other stop.
        self._server_end.close()
        self.port = self._call("port")
        self.url = f"smtp://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc_info) -> None:
        self._connection.close()
        self._process.join(timeout=SMTP_TIMEOUT_SECONDS)
        if self._process.is_alive():
            self._process.kill()

    def _call(self, name: str, *args, timeout: float = 0):
        self._connection.send((name, args))
        if not self._connection.poll(timeout + SMTP_TIMEOUT_SECONDS):
            raise BenchFailed(f"the SMTP server did not answer {name}")
        try:
            return self._connection.recv()
        except EOFError as error:
            raise BenchFailed("the SMTP server's process stopped") from error

    def __len__(self) -> int:
        return self._call("__len__")

    def clear(self) -> None:
        self._call("clear")

    def wait_for(self, count: int, timeout: float) -> bool:
        return self._call("wait_for", count, timeout, timeout=timeout)

    def count_by_recipient(self) -> Counter:
        return self._call("count_by_recipient")


def _serve_smtp_sink(connection, bench_end) -> None:
    bench_end.close()
    with SmtpSink() as sink:
        requests = {
            "port": lambda: sink.port,
            "__len__": sink.__len__,
            "clear": sink.clear,
            "wait_for": sink.wait_for,
            "count_by_recipient": sink.count_by_recipient,
        }
        while True:
            try:
                name, args = connection.recv()
            except EOFError:
                return
            connection.send(requests[name](*args))


class BenchFailed(Exception):
    pass


if __name__ == "__main__":
    sys.exit(main())
