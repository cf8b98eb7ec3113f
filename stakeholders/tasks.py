from celery import shared_task

from stakeholders.privacy import retention_apply


@shared_task
def apply_retention() -> dict[str, int]:
    return retention_apply()
