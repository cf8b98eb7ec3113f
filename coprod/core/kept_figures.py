"""Figures worked out by a task and kept in a row, for pages that would otherwise count
too much on every visit (the dashboard's quarter, each project's report). The row has
`worked_out_at` and `refresh_queued_at`. When a visit finds it older than REFRESH_EVERY,
the first visit to find it so claims it and queues one refresh; every visit shows the
figures it has meanwhile, and the page says when they were worked out."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Model, Q

from coprod.core.queue import task_delay

logger = logging.getLogger(__name__)

# Figures are worked out again when older than this; the pages say so.
REFRESH_EVERY = timedelta(minutes=5)
# A refresh queued this long ago that never ran (its worker died, the message was lost)
# no longer stops the next visit queueing another.
CLAIM_TIMEOUT = timedelta(minutes=10)


def refresh_claimed(row: Model, *, now: datetime, due: bool | None = None) -> bool:
    """Whether this visit is the one to queue `row`'s refresh: the figures are due (older
    than REFRESH_EVERY, unless the caller says whether they are), no refresh queued within
    CLAIM_TIMEOUT shows on the row (then no query is run), and this visit claims it."""
    if due is None:
        due = row.worked_out_at <= now - REFRESH_EVERY
    if not due:
        return False
    queued_at = row.refresh_queued_at
    if queued_at is not None and queued_at > now - CLAIM_TIMEOUT:
        return False
    return refresh_claim(type(row), row.pk, now=now)


def refresh_claim(model: type[Model], pk, *, now: datetime) -> bool:
    """Claim the refresh of row `pk` of `model`, unless one claimed within CLAIM_TIMEOUT
    is still to run: a conditional update, so of many visits at once only one claims it."""
    unclaimed = Q(refresh_queued_at=None) | Q(refresh_queued_at__lte=now - CLAIM_TIMEOUT)
    return bool(model.objects.filter(unclaimed, pk=pk).update(refresh_queued_at=now))


def refresh_queue(task: str, *args) -> None:
    """Queue task `task` with `args` once the transaction commits. If the broker cannot
    take it, the page still shows the figures it has and the log says so."""

    def queue() -> None:
        try:
            task_delay(task, *args)
        except Exception:  # noqa: BLE001 - the page still shows the figures it has
            logger.exception("Could not queue %s%s to refresh kept figures", task, args)

    transaction.on_commit(queue)
