"""Shared fixtures: the personas every test reuses, and the real services some tests need.

A test that needs PostgreSQL, Redis, a Celery worker or Chromium asks for the fixture of
that service. Where the service is missing the test is skipped with the reason, except
under CI=true, where a missing service is a failure.
"""

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from coprod.celery import app as celery_app
from projects.models import Response
from tests.celery_worker import celery_worker_command
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.people import CommissionerFactory, ParticipantFactory, StaffFactory
from tests.factories.projects import ProjectFactory, ReportGrantFactory
from tests.factories.roster import MembershipFactory, PersonFactory
from tests.smtp import SmtpSink

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_service(available: bool, reason: str) -> None:
    """Skip when a real service is missing; under CI=true, fail instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_tasks(settings):
    """Each test gets an empty cache (allauth's rate limits count there), a fast password
    hasher, and runs tasks in-process; tests that need the real broker ask for
    `celery_worker`."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded files (receipts, documents) go to a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture(autouse=True)
def text_outbox(settings):
    """Text messages go to `coprod.core.texts.outbox`, emptied for each test (as Django
    empties mail.outbox); the fixture's value is that list."""
    from coprod.core import texts

    settings.COPROD_SMS_BACKEND = "coprod.core.texts.LocmemBackend"
    texts.outbox.clear()
    return texts.outbox


@dataclass
class Personas:
    staff: object
    participant: object
    other_participant: object
    commissioner: object
    ungranted_commissioner: object
    project: object
    other_project: object
    meeting: object

    def by_role(self) -> dict:
        return {
            "staff": self.staff,
            "participant": self.participant,
            "commissioner": self.commissioner,
            "ungranted_commissioner": self.ungranted_commissioner,
        }


@pytest.fixture
def personas(db) -> Personas:
    """A staff member, two participants, a granted and an ungranted commissioner, and two
    projects: `project` is granted to `commissioner`, `other_project` to nobody. Each
    participant has a roster entry (`participant.person`) and is active in `project`.
    `meeting` is a two-hour meeting of `project` tomorrow at 10:00 UK time, created by
    `staff`, which `participant` is invited to and has said yes to."""
    project = ProjectFactory(name="Crisis support", slug="crisis-support")
    other_project = ProjectFactory(name="Housing repairs", slug="housing-repairs")
    commissioner = CommissionerFactory(email="commissioner@example.org")
    ReportGrantFactory(project=project, commissioner=commissioner)
    participants = []
    for email, name in [
        ("participant@example.org", "Pat Participant"),
        ("other.participant@example.org", "Olu Other"),
    ]:
        user = ParticipantFactory(email=email, name=name)
        person = PersonFactory(user=user, email=email, full_name=name)
        MembershipFactory(project=project, person=person)
        participants.append(user)
    staff = StaffFactory(email="staff@example.org")
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=1), time(10))
    )
    meeting = MeetingFactory(
        project=project,
        title="Planning session",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        created_by=staff,
    )
    InvitationFactory(meeting=meeting, person=participants[0].person, response=Response.ACCEPTED)
    return Personas(
        staff=staff,
        participant=participants[0],
        other_participant=participants[1],
        commissioner=commissioner,
        ungranted_commissioner=CommissionerFactory(email="ungranted@example.org"),
        project=project,
        other_project=other_project,
        meeting=meeting,
    )


@pytest.fixture
def staff_client(client, personas):
    client.force_login(personas.staff)
    return client


@pytest.fixture
def participant_client(client, personas):
    client.force_login(personas.participant)
    return client


@pytest.fixture
def commissioner_client(client, personas):
    client.force_login(personas.commissioner)
    return client


@pytest.fixture
def postgres(db) -> None:
    require_service(
        connection.vendor == "postgresql",
        "this test needs PostgreSQL: set DATABASE_URL=postgres://…",
    )


@pytest.fixture
def redis_url() -> str:
    url = django_settings.REDIS_URL
    reachable = False
    if url:
        try:
            reachable = redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError:
            reachable = False
    require_service(
        reachable, f"this test needs Redis: REDIS_URL={url or '(unset)'} is not reachable"
    )
    return url


def _database_url_for_worker() -> str | None:
    """The worker must use the database the tests use (the test database on PostgreSQL)."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return None
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db.get('USER', '')}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def database_url_for_subprocess(postgres) -> str:
    """The URL of the database the tests use, for a process of its own (a bench, say)."""
    return _database_url_for_worker()


@pytest.fixture
def start_celery_worker(redis_url):
    """Start real `celery worker` processes consuming one queue of the test's own through
    the real Redis: `start_celery_worker(concurrency=2, EMAIL_URL=...)`; call it twice for
    two workers. Keyword arguments other than `pool` and `concurrency` are added to the
    worker's environment.

    Tasks are published (not run eagerly) for the length of the test; send them with
    `queue=worker.queue` or rely on the default queue, which is set to it.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    base_env = {**os.environ, "REDIS_URL": redis_url, "CELERY_QUEUE": queue, "DJANGO_DEBUG": "true"}
    database_url = _database_url_for_worker()
    if database_url:
        base_env["DATABASE_URL"] = database_url
    processes = []

    def start(*, pool: str = "solo", concurrency: int = 1, **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            celery_worker_command(
                hostname=f"worker{len(processes) + 1}-{queue}@%h",
                queue=queue,
                pool=pool,
                concurrency=concurrency,
            ),
            cwd=ROOT,
            env={**base_env, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        process.queue = queue
        processes.append(process)
        return process

    previous = {key: celery_app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    celery_app.conf.update(task_always_eager=False, task_default_queue=queue)
    try:
        yield start
    finally:
        celery_app.conf.update(previous)
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def celery_worker(start_celery_worker) -> subprocess.Popen:
    """One real `celery worker` process (see `start_celery_worker`)."""
    return start_celery_worker()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    found = Path(path).exists() or shutil.which(path) is not None
    require_service(found, f"browser tests need Chromium at {path} (apt-get install chromium)")
    return path


@pytest.fixture
def production_env() -> dict:
    """Environment for a subprocess running coprod with production settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "COPROD_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="test-only-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="coprod.example.org",
        COPROD_BASE_URL="https://coprod.example.org",
        COPROD_FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DJANGO_SETTINGS_MODULE="coprod.settings",
    )
    # Production needs a Redis address to start; nothing here connects to it unless a
    # test starts a server that does.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


@pytest.fixture
def manage(production_env):
    """Run `manage.py` in a subprocess; returns the CompletedProcess."""

    def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=production_env if env is None else env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def pytest_report_header(config) -> list[str]:
    db = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [
        f"coprod: database={db} redis={'yes' if os.environ.get('REDIS_URL') else 'no'} CI={IN_CI}"
    ]


@pytest.fixture
def smtp_sink():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping what it receives; point a worker
    at it with `EMAIL_URL=smtp_sink.url`."""
    with SmtpSink() as sink:
        yield sink
