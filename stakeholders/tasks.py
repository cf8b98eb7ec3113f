from celery import shared_task

from stakeholders.privacy import retention_apply
from stakeholders.signin import signin_link_give_up, signin_link_send, signin_links_sweep

MAX_SEND_RETRIES = 5


@shared_task
def apply_retention() -> dict[str, int]:
    return retention_apply()


@shared_task(bind=True, max_retries=MAX_SEND_RETRIES, ignore_result=True)
def send_signin_link(self, link_id: int) -> bool:
    """Send one sign-in link. Failures retry with exponential backoff; after the last retry
    the failure is shown, with its reason, on the person's page."""
    try:
        return signin_link_send(link_id=link_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            signin_link_give_up(link_id=link_id, error=str(error))
            return False
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task
def sweep_signin_links() -> int:
    return signin_links_sweep()
