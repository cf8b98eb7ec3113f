"""What /healthz reports: can we reach the database and the Celery broker, and if not, why.

Each check returns its status ("ok", "error", or "eager" for a broker that runs tasks
in-process) and, for "error", a short reason.
"""

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection

REASON_MAX_LENGTH = 200


def database_status() -> tuple[str, str | None]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy", reported not raised
        return "error", failure_reason(error)
    return "ok", None


def broker_status() -> tuple[str, str | None]:
    if celery_app.conf.task_always_eager:
        return "eager", None
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.COPROD_HEALTH_TIMEOUT)
    except Exception as error:  # noqa: BLE001
        return "error", failure_reason(error)
    return "ok", None


def failure_reason(error: Exception) -> str:
    """The exception's class and the first line of its message: enough for whoever is on
    call to tell a refused connection from a timeout or a login failure. The database and
    broker drivers do not put passwords in these messages."""
    lines = str(error).strip().splitlines()
    first_line = lines[0].strip() if lines else ""
    reason = f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__
    return reason[:REASON_MAX_LENGTH]
