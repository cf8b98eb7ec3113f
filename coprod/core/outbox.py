"""Outbox rows (one per email owed) that the periodic sweep hands to the broker again."""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Model, Q
from django.utils import timezone

from coprod.core.queue import task_delay
from coprod.core.texts import Channel

logger = logging.getLogger(__name__)


class Delivery(models.Model):
    """How an outbox row went (email or text), the provider's id for it, and when a delivery
    receipt said it never arrived; every outbox keeps these."""

    channel = models.CharField(max_length=5, choices=Channel.choices, blank=True)
    # Matches delivery receipts (GOV.UK Notify's notification id) to the row.
    provider_id = models.CharField(max_length=100, blank=True, db_index=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


def outbox_waiting_ids(model: type[Model], *, older_than: timedelta) -> list[int]:
    """Release rows claimed by a worker that died, then the ids of rows still unsent and
    unclaimed after `older_than` (the broker never got them), oldest first, one batch.

    `model` has sent_at, failed_at, claimed_at and created_at, as every outbox does."""
    now = timezone.now()
    stale_claim = now - timedelta(minutes=settings.COPROD_EMAIL_CLAIM_TIMEOUT_MINUTES)
    model.objects.filter(sent_at=None, failed_at=None, claimed_at__lt=stale_claim).update(
        claimed_at=None
    )
    return list(
        model.objects.filter(
            sent_at=None, failed_at=None, claimed_at=None, created_at__lt=now - older_than
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[: settings.COPROD_EMAIL_SWEEP_BATCH]
    )


def undelivered(through: str = "") -> Q:
    """Outbox rows staff must see: given up on unsent, or bounced after sending. `through`
    is the path to the outbox rows from the model queried, as "emails__"."""
    return Q(**{f"{through}failed_at__isnull": False, f"{through}sent_at": None}) | Q(
        **{f"{through}bounced_at__isnull": False}
    )


def send_each(ids: Iterable[int], *, send: Callable[[int], bool], retry_task: str) -> int:
    """Send a batch of outbox rows one after another with `send(id)` (which claims the row
    and returns whether it sent it); returns how many were sent. One that fails goes on by
    itself as `retry_task`, which retries it with backoff; if the broker is gone too, the
    periodic sweep sends it later."""
    sent = 0
    for row_id in ids:
        try:
            sent += send(row_id)
        except Exception:  # noqa: BLE001 - the failure is kept on the row; retried alone
            try:
                task_delay(retry_task, row_id)
            except Exception:  # noqa: BLE001 - broker gone too: the sweep sends it later
                logger.warning("%s(%s) left in the outbox for the sweep", retry_task, row_id)
    return sent


def give_up(model: type[Model], row_id: int, error: str) -> None:
    """After the last retry: show the failure, with its reason, to staff."""
    model.objects.filter(pk=row_id, sent_at=None).update(
        failed_at=timezone.now(), claimed_at=None, last_error=error[:1000]
    )
