"""Background work for evidence: asking people who came to a meeting what they thought,
reminding people to answer measures, and making commissioner report PDFs. Thin shells over
services."""

from celery import shared_task

from evidence import services_feedback as services
from evidence import services_measures, services_report_figures, services_report_pdfs

MAX_SEND_RETRIES = 5


@shared_task
def ask_for_meeting_feedback() -> int:
    return services.feedback_requests_due()


# Nothing reads the result, and not storing it keeps publishing quick.
@shared_task(bind=True, max_retries=MAX_SEND_RETRIES, ignore_result=True)
def send_feedback_request(self, request_id: int) -> bool:
    """Send one request; failures retry with backoff, then give up, with the reason kept
    on the row."""
    try:
        return services.feedback_request_send(request_id=request_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            services.feedback_request_give_up(request_id=request_id, error=str(error))
            return False
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task(ignore_result=True)
def send_feedback_requests(request_ids: list[int]) -> int:
    """Each request is claimed on its own, so a batch delivered twice sends each once."""
    return services.feedback_requests_send_batch(request_ids=request_ids)


@shared_task
def remind_measure_rounds() -> int:
    """Daily: reminders to answer rounds that are open, and closing soon."""
    return services_measures.measure_reminders_due()


@shared_task(ignore_result=True)
def send_measure_reminders(reminder_ids: list[int]) -> int:
    """Each reminder is claimed on its own, so a batch delivered twice sends each once."""
    return services_measures.measure_reminders_send_batch(reminder_ids=reminder_ids)


@shared_task
def sweep_measure_reminders() -> int:
    return services_measures.measure_reminders_sweep()


@shared_task(ignore_result=True)
def render_report_pdf(pdf_id: int) -> bool:
    """Make one report PDF; a second delivery for a PDF already made does nothing."""
    return services_report_pdfs.report_pdf_render(pdf_id=pdf_id)


@shared_task
def delete_old_report_pdfs() -> int:
    """Daily: report PDFs asked for more than a week ago, and their files."""
    return services_report_pdfs.report_pdfs_delete_old()


# Nothing reads the result: the figures are kept in their row.
@shared_task(ignore_result=True)
def refresh_report_figures(project_id: int) -> bool:
    """Work out one project's report figures again, asked for by a visit that found them
    stale; a second delivery only works them out once more."""
    return services_report_figures.report_figures_refresh_one(project_id=project_id)


@shared_task
def refresh_stale_report_figures() -> int:
    """Every 5 minutes: the report figures of every project read, when older than that."""
    return services_report_figures.report_figures_refresh_stale()
