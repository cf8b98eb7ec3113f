"""Writes that reach every app's outbox: delivery receipts from GOV.UK Notify."""

from django.utils import timezone

from coprod.core.texts import BOUNCED
from decisions.models import VoteEmail
from projects.models import MeetingEmail, ProjectInvitation
from stakeholders.models import SigninLink

# Every outbox whose rows carry the provider's id for the message they sent.
OUTBOXES = (MeetingEmail, VoteEmail, ProjectInvitation, SigninLink)

# Notify's statuses for a message that will never arrive.
FAILED_STATUSES = frozenset(BOUNCED)


def delivery_receipt_record(*, provider_id: str, status: str) -> bool:
    """Mark the outbox row that sent message `provider_id` as bounced when the receipt says
    it never arrived, so staff see it. Returns whether a row had that id. A receipt that
    comes again changes nothing more; a "delivered" one changes nothing."""
    if not provider_id:
        return False
    for outbox in OUTBOXES:
        rows = outbox.objects.filter(provider_id=provider_id)
        if status in FAILED_STATUSES:
            changed = rows.filter(bounced_at=None).update(
                bounced_at=timezone.now(), last_error=BOUNCED[status]
            )
            if changed or rows.exists():
                return True
        elif rows.exists():
            return True
    return False
