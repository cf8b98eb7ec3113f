"""Faults, against the real services: Redis stopped, the PostgreSQL connection dropped, and a
minute of load. Each service that goes down is a private one the test starts itself (a
redis-server, a TCP proxy in front of PostgreSQL), never the machine's shared ones."""

import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse

from coprod.celery import app as celery_app
from projects.models import MeetingEmail
from projects.rsvp import RsvpAction, rsvp_token
from projects.services import meeting_emails_sweep
from tests.factories.meetings import MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

# Generous for a loaded 2-core machine; each wait ends as soon as its condition holds.
DEADLINE_SECONDS = 120
SWEEP_INTERVAL_SECONDS = 2


def _wait(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"after {DEADLINE_SECONDS} s, still waiting for {what}")
        time.sleep(0.2)


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
            "BACKEND": "coprod.cache.ResilientRedisCache",
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
):
    project = personas.project
    invitation = personas.meeting.invitations.get()
    new_project = ProjectFactory()
    meeting = MeetingFactory(project=new_project, created_by=personas.staff)
    invitees = [MembershipFactory(project=new_project).person for _ in range(20)]
    invite_url = reverse(
        "projects:meeting_invite",
        kwargs={"slug": new_project.slug, "meeting_id": meeting.public_id},
    )
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
    assert "not correct" in response.content.decode()
    client.force_login(personas.participant)
    assert client.get("/me/").status_code == 200
    client.force_login(personas.staff)
    assert client.get("/dashboard/").status_code == 200

    started = time.monotonic()
    response = client.post(invite_url, {"who": "all", "send": "1"}, follow=True)
    elapsed = time.monotonic() - started

    assert elapsed < 2, f"inviting took {elapsed:.1f} s with Redis stopped"
    assert response.status_code == 200
    page = response.content.decode()
    assert "Invited 20 people" in page
    assert "on their way" in page
    emails = MeetingEmail.objects.filter(invitation__meeting=meeting)
    assert emails.count() == 20
    assert not emails.exclude(sent_at=None).exists()

    private_redis.start()
    # The sweep takes emails over a minute old; beat runs it every minute and it is run
    # here as often, until the worker has reconnected and sent everything.
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
