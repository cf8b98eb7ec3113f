"""What /healthz reports: can we reach the database and the Celery broker?"""

from django.conf import settings
from django.db import connection

from coprod.celery import app as celery_app


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not healthy", reported not raised
        return "error"
    return "ok"


def broker_status() -> str:
    if celery_app.conf.task_always_eager:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.COPROD_HEALTH_TIMEOUT)
    except Exception:  # noqa: BLE001
        return "error"
    return "ok"
