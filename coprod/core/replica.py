"""Reports read from a PostgreSQL read replica when one is configured.

Set DATABASE_REPLICA_URL to a streaming replica of DATABASE_URL and the commissioner report
(its page, CSV and PDF, all made by `evidence.selectors.report_for_project`) reads from it,
so the heaviest read-only work leaves the primary to the people saving things. A replica
may be a second or so behind; a report can wait that long, a page someone has just saved
cannot, so nothing else reads from it. Without the setting everything uses the primary.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica, if there is one; writes always go to the primary."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def reads_from_replica(function: Callable) -> Callable:
    """Runs `function` with `replica_reads()`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return function(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _reading_from_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> None:
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows as the primary.
        databases = {obj1._state.db, obj2._state.db}
        return True if databases <= {"default", REPLICA} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica copies the primary's schema; nothing is migrated on it directly.
        return False if db == REPLICA else None
