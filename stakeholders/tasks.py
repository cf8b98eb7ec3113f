from smtplib import SMTPException

from celery import shared_task

from stakeholders.privacy import retention_apply
from stakeholders.services import (
    claim_reminders_send,
    payment_digest_send,
    pool_invitation_send,
    pool_invitations_sweep,
)


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_pool_invitation(invitation_id: int) -> bool:
    return pool_invitation_send(invitation_id=invitation_id)


@shared_task
def sweep_pool_invitations() -> int:
    return pool_invitations_sweep()


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_payment_digest() -> bool:
    return payment_digest_send()


@shared_task(autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_claim_reminders() -> int:
    return claim_reminders_send()


@shared_task
def apply_retention() -> dict[str, int]:
    return retention_apply()
