"""Outbox rows (one per email owed) that the periodic sweep hands to the broker again."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Model
from django.utils import timezone


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
