"""Faults, against the real services: Redis stopped, the PostgreSQL connection dropped, and a
minute of load. Each service that goes down is a private one the test starts itself (a
redis-server, a TCP proxy in front of PostgreSQL), never the machine's shared ones."""

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.models import F
from django.urls import reverse

from coprod.celery import app as celery_app
from projects.rsvp import RsvpAction, rsvp_token
from projects.services.meetings import meeting_emails_sweep
from tests.conftest import require_service
from tests.factories.meetings import MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory
from tests.gunicorn import Gunicorn, signed_in_cookie
from tests.projects.test_invitations_real_services import invite_everyone_with_the_broker_down
from tests.redis_server import RedisServer
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent.parent

# Generous for a loaded 2-core machine; each wait ends as soon as its condition holds.
DEADLINE_SECONDS = 120
SWEEP_INTERVAL_SECONDS = 2


# Redis stopped ------------------------------------------------------------------------


@pytest.fixture
def private_redis():
    with RedisServer() as server:
        yield server


@contextmanager
def _celery_using(broker_url: str):
    """This process's Celery app publishes to `broker_url`. Celery caches its connection
    pools and result backend, so they are dropped on the way in and on the way out."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.result_backend, celery_app.backend
    _forget_celery_connections()
    conf.update(broker_url=broker_url, result_backend=broker_url)
    try:
        yield
    finally:
        _forget_celery_connections()
        conf.update(broker_url=previous[0], result_backend=previous[1])
        celery_app._backend = previous[2]


def _forget_celery_connections() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    celery_app._local.backend = None


@pytest.fixture
def redis_is_broker_and_cache(private_redis, settings, start_celery_worker, smtp_sink):
    """As in production with REDIS_URL set: the private Redis is the Celery broker (of this
    process and of a real worker sending to the SMTP sink) and the Django cache."""
    settings.REDIS_URL = private_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "coprod.core.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "coprod",
        }
    }
    worker = start_celery_worker(REDIS_URL=private_redis.url, EMAIL_URL=smtp_sink.url)
    with _celery_using(private_redis.url):
        yield worker


def test_with_redis_stopped_pages_serve_invites_answer_at_once_and_are_sent_when_it_is_back(
    transactional_db,
    postgres,
    personas,
    client,
    private_redis,
    redis_is_broker_and_cache,
    smtp_sink,
    caplog,
):
    project = personas.project
    invitation = personas.meeting.invitations.get()
    new_project = ProjectFactory()
    meeting = MeetingFactory(project=new_project, created_by=personas.staff)
    invitees = [MembershipFactory(project=new_project).person for _ in range(20)]
    anonymous_pages = [
        "/",
        f"/join/{project.slug}/",
        reverse("account_login"),
        # Counts its rate limit in the cache.
        reverse("projects:rsvp", args=[rsvp_token(invitation, RsvpAction.ACCEPT)]),
    ]

    private_redis.stop()

    for path in anonymous_pages:
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
    # allauth counts failed logins in the cache: the form still answers, with its error.
    response = client.post(
        reverse("account_login"), {"login": personas.participant.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "That email address and password do not match." in response.content.decode()
    client.force_login(personas.participant)
    assert client.get("/me/").status_code == 200
    client.force_login(personas.staff)
    assert client.get("/dashboard/").status_code == 200
    # The pages did ask the stopped Redis, and carried on without it.
    assert any(record.name == "coprod.core.cache" for record in caplog.records)

    emails = invite_everyone_with_the_broker_down(client, meeting, expected=20)

    private_redis.start()
    # The sweep takes emails over a minute old. Beat runs it every minute; here it runs
    # every few seconds, until the worker has reconnected and sent everything.
    emails.update(created_at=F("created_at") - timedelta(minutes=2))
    deadline = time.monotonic() + DEADLINE_SECONDS
    while emails.filter(sent_at=None).exists() or len(smtp_sink) < len(invitees):
        assert time.monotonic() < deadline, (
            f"after {DEADLINE_SECONDS} s with Redis back, {emails.filter(sent_at=None).count()}"
            f" of 20 emails were unsent and the SMTP server had {len(smtp_sink)}"
        )
        meeting_emails_sweep()
        time.sleep(SWEEP_INTERVAL_SECONDS)

    assert smtp_sink.count_by_recipient() == Counter({person.email: 1 for person in invitees})
    assert client.get("/dashboard/").status_code == 200


# gunicorn on production settings ------------------------------------------------------

HOST_NAME = "coprod.example.org"
# What the reverse proxy in front of gunicorn says: the visitor came over https.
PROXY_HEADERS = {"Host": HOST_NAME, "X-Forwarded-Proto": "https"}
GUNICORN_WORKERS = 4


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COPROD_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="coprod.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="test-only-" + secrets.token_hex(32),
        DJANGO_ALLOWED_HOSTS=HOST_NAME,
        COPROD_BASE_URL=f"https://{HOST_NAME}",
        COPROD_FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DJANGO_LOG_LEVEL="WARNING",
    )
    # Production needs a Redis address to start; the tests that use Redis set their own.
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """Production pages name their CSS through the collected files' manifest."""
    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**_production_env(), "DJANGO_STATIC_ROOT": str(root)},
        check=True,
        timeout=300,
    )
    return root


def _database_url(*, port: int | None = None) -> str:
    """The test database, which gunicorn must use too; `port` to go through a proxy."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{port or db.get('PORT') or 5432}/{db['NAME']}"


# The PostgreSQL connection dropped ----------------------------------------------------


def test_with_the_database_connection_dropped_healthz_says_why_and_recovers_without_a_restart(
    transactional_db, postgres, static_root, tmp_path
):
    project = ProjectFactory()
    db = connection.settings_dict
    with TcpProxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)) as proxy:
        env = {
            **_production_env(),
            "DATABASE_URL": _database_url(port=proxy.port),
            "DJANGO_STATIC_ROOT": str(static_root),
        }
        with Gunicorn(
            env=env,
            log_path=tmp_path / "gunicorn.log",
            workers=GUNICORN_WORKERS,
            headers=PROXY_HEADERS,
        ) as server:
            workers = server.worker_pids()
            # Enough requests that every worker is likely to hold a database connection.
            for _ in range(3 * GUNICORN_WORKERS):
                assert server.get("/healthz")[0] == 200
                assert server.get(f"/join/{project.slug}/")[0] == 200
            assert proxy.live_connections >= 1

            proxy.cut()
            for _ in range(2 * GUNICORN_WORKERS):
                status, body = server.get("/healthz")
                assert status == 503, server.log()
                health = json.loads(body)
                assert health["status"] == "error"
                assert health["database"] == "error"
                assert health["database_error"].startswith("OperationalError: ")
                assert "refused" in health["database_error"]
                assert health["broker"] == "ok"

            proxy.restore()
            # Every request, from the first on, whichever worker takes it: the workers
            # notice their connection is dead and open a new one.
            for _ in range(2 * GUNICORN_WORKERS):
                status, body = server.get("/healthz")
                assert status == 200, body
                assert json.loads(body)["database"] == "ok"
                status, body = server.get(f"/join/{project.slug}/")
                assert status == 200, server.log()
                assert project.name in body.decode()
            assert server.worker_pids() == workers, "a gunicorn worker was restarted"


# A minute of load -----------------------------------------------------------------------

LOAD_SECONDS = 60
LOAD_CONNECTIONS = 32
# Far above the page times; a request waiting longer than this counts as an error.
LOAD_TIMEOUT = "10s"
# Well under what 2 cores serve, so a loaded machine passes, yet proof the load was real.
LOAD_MINIMUM_REQUESTS = 600
LOAD_SCRIPT = Path(__file__).with_name("wrk_mixed_pages.lua")


def test_a_minute_at_32_connections_ends_with_no_error_response(
    transactional_db, postgres, personas, static_root, tmp_path
):
    require_service(
        shutil.which("wrk") is not None, "the load test needs wrk (apt-get install wrk)"
    )
    anonymous_pages = ["/", f"/join/{personas.project.slug}/", "/healthz"]
    signed_in_pages = ["/me/"]
    env = {
        **_production_env(),
        "DATABASE_URL": _database_url(),
        "DJANGO_STATIC_ROOT": str(static_root),
    }
    cookie = signed_in_cookie(personas.participant, secret_key=env["DJANGO_SECRET_KEY"])
    with Gunicorn(
        env=env, log_path=tmp_path / "gunicorn.log", workers=GUNICORN_WORKERS, headers=PROXY_HEADERS
    ) as server:
        for path in anonymous_pages:
            assert server.get(path)[0] == 200, path
        # 200, not a redirect to the login page: the cookie signs the participant in.
        assert server.get("/me/", cookie)[0] == 200
        wrk = subprocess.run(
            [
                "wrk",
                "--threads",
                "2",
                "--connections",
                str(LOAD_CONNECTIONS),
                "--duration",
                f"{LOAD_SECONDS}s",
                "--timeout",
                LOAD_TIMEOUT,
                "--script",
                str(LOAD_SCRIPT),
                server.base,
            ],
            env={
                **os.environ,
                "LOAD_PAGES": " ".join(anonymous_pages),
                "LOAD_SIGNED_IN_PAGES": " ".join(signed_in_pages),
                "LOAD_COOKIE": cookie,
                "LOAD_HOST": HOST_NAME,
            },
            capture_output=True,
            text=True,
            timeout=LOAD_SECONDS + DEADLINE_SECONDS,
        )
        gunicorn_log = server.log()

    assert wrk.returncode == 0, wrk.stderr
    (line,) = [line for line in wrk.stdout.splitlines() if line.startswith("LOAD ")]
    load = json.loads(line.removeprefix("LOAD "))
    print(wrk.stdout)
    assert load["requests"] >= LOAD_MINIMUM_REQUESTS, wrk.stdout
    assert load["statuses"] == {"200": load["requests"]}, wrk.stdout + gunicorn_log
    errors = ("non_2xx_3xx", "connect_errors", "read_errors", "write_errors", "timeouts")
    assert {name: load[name] for name in errors} == dict.fromkeys(errors, 0), wrk.stdout
    assert "Traceback" not in gunicorn_log, gunicorn_log
