"""Background work for the pages that gather every app: the dashboard's figures."""

from celery import shared_task

from coprod.pages.services import dashboard_figures_refresh


# Nothing reads the result: the figures are kept in their row.
@shared_task(ignore_result=True)
def refresh_dashboard_figures() -> None:
    dashboard_figures_refresh()
