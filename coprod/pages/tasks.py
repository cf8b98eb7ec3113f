"""Background work for the pages that gather every app: the dashboard's figures and
what the dashboard shows."""

from datetime import datetime

from celery import shared_task

from coprod.pages.services import (
    dashboard_content_refresh,
    dashboard_content_refresh_if_claimed,
    dashboard_figures_refresh,
)


# Nothing reads the result: the figures are kept in their row.
@shared_task(ignore_result=True)
def refresh_dashboard_figures() -> None:
    dashboard_figures_refresh()


# Queued by the visit that claimed the refresh at `claimed_at` (ISO 8601); nothing reads
# the result, which is kept in its row.
@shared_task(ignore_result=True)
def refresh_dashboard_content(claimed_at: str) -> None:
    dashboard_content_refresh(claimed_at=datetime.fromisoformat(claimed_at))


# Beat's, every minute.
@shared_task(ignore_result=True)
def refresh_dashboard_content_regularly() -> None:
    dashboard_content_refresh_if_claimed()
