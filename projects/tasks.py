"""Background work for projects: meeting emails, pool invitations, payment reminders,
roster imports.

Each task is a thin shell that loads by id and calls a service."""

from smtplib import SMTPException

from celery import shared_task

from projects.services import meetings as services
from projects.services.payments import claim_reminders_send, payment_digest_send
from projects.services.pool import pool_invitation_send, pool_invitations_sweep
from projects.services.roster_import_jobs import (
    roster_import_job_check,
    roster_import_job_import,
    roster_import_jobs_delete_old,
)

MAX_SEND_RETRIES = 5


# Nothing reads the result, and not storing it keeps publishing quick.
@shared_task(bind=True, max_retries=MAX_SEND_RETRIES, ignore_result=True)
def send_meeting_email(self, email_id: int) -> bool:
    """Send one outbox email. SMTP failures retry with exponential backoff; after the last
    retry the failure is shown to staff, with its reason, to retry by hand."""
    try:
        return services.meeting_email_send(email_id=email_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            services.meeting_email_give_up(email_id=email_id, error=str(error))
            return False
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task(ignore_result=True)
def send_meeting_emails(email_ids: list[int]) -> int:
    """Send a batch of outbox emails; each is claimed on its own, so a batch delivered
    twice, or overlapping the sweep, still sends every email once."""
    return services.meeting_emails_send_batch(email_ids=email_ids)


@shared_task
def sweep_meeting_emails() -> int:
    return services.meeting_emails_sweep()


@shared_task
def queue_meeting_reminders() -> int:
    return services.meeting_reminders_due()


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


@shared_task(ignore_result=True)
def check_roster_import(job_id: int) -> None:
    roster_import_job_check(job_id=job_id)


@shared_task(ignore_result=True)
def run_roster_import(job_id: int) -> None:
    roster_import_job_import(job_id=job_id)


@shared_task
def delete_old_roster_imports() -> int:
    return roster_import_jobs_delete_old()
