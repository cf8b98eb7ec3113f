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
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from coprod.celery import app as celery_app
from tests.factories.people import CommissionerFactory, ParticipantFactory, StaffFactory
from tests.factories.projects import ProjectFactory, ReportGrantFactory

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


@dataclass
class Personas:
    staff: object
    participant: object
    other_participant: object
    commissioner: object
    ungranted_commissioner: object
    project: object
    other_project: object

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
    projects: `project` is granted to `commissioner`, `other_project` to nobody."""
    project = ProjectFactory(name="Crisis support", slug="crisis-support")
    other_project = ProjectFactory(name="Housing repairs", slug="housing-repairs")
    commissioner = CommissionerFactory(email="commissioner@example.org")
    ReportGrantFactory(project=project, commissioner=commissioner)
    return Personas(
        staff=StaffFactory(email="staff@example.org"),
        participant=ParticipantFactory(email="participant@example.org"),
        other_participant=ParticipantFactory(email="other.participant@example.org"),
        commissioner=commissioner,
        ungranted_commissioner=CommissionerFactory(email="ungranted@example.org"),
        project=project,
        other_project=other_project,
    )


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
def celery_worker(redis_url):
    """A real `celery worker` process consuming a queue of its own through the real Redis.

    Tasks are published (not run eagerly) for the length of the test; send them with
    `queue=celery_worker.queue` or rely on the default queue, which is set to it.
    """
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "REDIS_URL": redis_url, "CELERY_QUEUE": queue, "DJANGO_DEBUG": "true"}
    database_url = _database_url_for_worker()
    if database_url:
        env["DATABASE_URL"] = database_url
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "coprod",
            "worker",
            "--queues",
            queue,
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = {key: celery_app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    celery_app.conf.update(task_always_eager=False, task_default_queue=queue)
    process.queue = queue
    try:
        yield process
    finally:
        celery_app.conf.update(previous)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    found = Path(path).exists() or shutil.which(path) is not None
    require_service(found, f"browser tests need Chromium at {path} (apt-get install chromium)")
    return path


@pytest.fixture
def production_env() -> dict:
    """Environment for a subprocess running coprod with production settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="test-only-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DJANGO_ALLOWED_HOSTS="coprod.example.org",
        DJANGO_SETTINGS_MODULE="coprod.settings",
    )
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
