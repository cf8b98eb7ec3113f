import pytest
from django.db import OperationalError

from coprod.celery import app as celery_app
from coprod.core.health import failure_reason


def test_it_reports_database_and_broker_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] in ("ok", "eager")


@pytest.mark.redis
def test_it_reaches_the_real_redis_broker(client, db, celery_worker):
    assert client.get("/healthz").json()["broker"] == "ok"


def test_it_returns_503_when_the_broker_is_unreachable(client, db, settings):
    settings.COPROD_HEALTH_TIMEOUT = 0.5
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.update(broker_url=previous[0], task_always_eager=previous[1])
    assert response.status_code == 503
    body = response.json()
    assert {key: body[key] for key in ("status", "database", "broker")} == {
        "status": "error",
        "database": "ok",
        "broker": "error",
    }
    assert "database_error" not in body
    # Celery reports a refused connection to Redis as an OperationalError.
    assert body["broker_error"].startswith("OperationalError: ")
    assert "refused" in body["broker_error"].lower()


def test_it_returns_503_when_the_database_fails(client, db, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("database is down")

    monkeypatch.setattr("coprod.core.health.connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["database_error"] == "OperationalError: database is down"


def test_a_healthy_answer_gives_no_reasons(client, db):
    body = client.get("/healthz").json()
    assert not [key for key in body if key.endswith("_error")]


def test_the_reason_is_one_short_line_of_the_error():
    error = OperationalError("could not connect to server\nIs the server running?\n" + "x" * 500)
    assert failure_reason(error) == "OperationalError: could not connect to server"
    assert failure_reason(OperationalError("y" * 500)) == ("OperationalError: " + "y" * 500)[:200]
    assert failure_reason(TimeoutError()) == "TimeoutError"


def test_it_is_never_cached(client, db):
    assert "no-store" in client.get("/healthz")["Cache-Control"]
