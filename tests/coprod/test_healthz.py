import pytest
from django.db import OperationalError

from coprod.celery import app as celery_app


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
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_it_returns_503_when_the_database_fails(client, db, monkeypatch):
    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("database is down")

    monkeypatch.setattr("coprod.health.connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_it_is_never_cached(client, db):
    assert "no-store" in client.get("/healthz")["Cache-Control"]
