"""Background work for decisions: the "voting is open" emails. Thin shells over services."""

from celery import shared_task

from decisions import services

MAX_SEND_RETRIES = 5


# Nothing reads the result, and not storing it keeps publishing quick.
@shared_task(bind=True, max_retries=MAX_SEND_RETRIES, ignore_result=True)
def send_vote_email(self, email_id: int) -> bool:
    """Send one outbox email; SMTP failures retry with backoff, then give up, with the
    reason kept on the row."""
    try:
        return services.vote_email_send(email_id=email_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            services.vote_email_give_up(email_id=email_id, error=str(error))
            return False
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task(ignore_result=True)
def send_vote_emails(email_ids: list[int]) -> int:
    """Each email is claimed on its own, so a batch delivered twice sends each once."""
    return services.vote_emails_send_batch(email_ids=email_ids)


@shared_task
def sweep_vote_emails() -> int:
    return services.vote_emails_sweep()
