"""Commissioner report PDFs, made by a Celery task once for each version of the report and
kept in private storage until the report changes.

A version is the HTML the PDF is made from: it costs milliseconds next to WeasyPrint's
seconds, and it changes exactly when a figure, the date or the template does. A row moves
waiting → rendering → ready (or failed); a render that finds the report has changed since it
was asked for makes nothing, because the next request asks for the new version.
"""

import hashlib
import logging
import uuid
from datetime import date, timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from coprod.core.pdf import html_to_pdf
from coprod.core.queue import task_delay
from evidence.models import ReportPdf, ReportPdfStatus
from evidence.services_report_figures import report_figures_kept
from projects.models import Project

logger = logging.getLogger(__name__)

KEEP_PDFS_FOR = timedelta(days=7)
# A render not finished by then has been lost (a worker died, the queue was emptied): the
# person waiting may try again, and another worker may take it over.
RENDER_TIMEOUT = timedelta(minutes=10)

NOT_STARTED = "The render could not be queued."


def report_pdf_html(*, project: Project, made_on: date) -> str:
    """The HTML the PDF is made from; the same whether a request or a worker renders it."""
    return render_to_string(
        "evidence/report_pdf.html",
        {
            "project": project,
            # The sections the page shows, rendered from the figures the CSV is made from,
            # so the three agree.
            "sections": report_figures_kept(project=project, figures=False).sections,
            "made_on": made_on,
        },
    )


def report_pdf_fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def report_pdf_is_stuck(pdf: ReportPdf) -> bool:
    return pdf.status in (ReportPdfStatus.WAITING, ReportPdfStatus.RENDERING) and (
        pdf.requested_at < timezone.now() - RENDER_TIMEOUT
    )


def report_pdf_request(*, project: Project, fingerprint: str) -> ReportPdf:
    """The row of this version of the report, and a render queued once this transaction
    commits if the row is new: two requests at once queue one render."""
    pdf, created = ReportPdf.objects.get_or_create(project=project, fingerprint=fingerprint)
    if created:
        transaction.on_commit(lambda: _queue(pdf.pk))
    return pdf


def report_pdf_retry(*, pdf: ReportPdf) -> None:
    """Ask again for a PDF whose render failed or was lost."""
    again = (
        ReportPdf.objects.filter(pk=pdf.pk)
        .filter(
            Q(status=ReportPdfStatus.FAILED)
            | Q(
                status__in=[ReportPdfStatus.WAITING, ReportPdfStatus.RENDERING],
                requested_at__lt=timezone.now() - RENDER_TIMEOUT,
            )
        )
        .update(
            status=ReportPdfStatus.WAITING, requested_at=timezone.now(), started_at=None, error=""
        )
    )
    if again:
        transaction.on_commit(lambda: _queue(pdf.pk))


def _queue(pdf_id: int) -> None:
    try:
        task_delay("evidence.tasks.render_report_pdf", pdf_id)
    except Exception:  # noqa: BLE001 - the person waiting is shown "Try again"
        logger.exception("Could not queue the render of report PDF %s", pdf_id)
        ReportPdf.objects.filter(pk=pdf_id, status=ReportPdfStatus.WAITING).update(
            status=ReportPdfStatus.FAILED, error=NOT_STARTED
        )


def report_pdf_render(*, pdf_id: int) -> bool:
    """Make and keep the PDF of a waiting row; True if this call made it. A second delivery
    of the task, for a row already taken or ready, does nothing."""
    started_at = timezone.now()
    claimed = (
        ReportPdf.objects.filter(pk=pdf_id)
        .filter(
            Q(status=ReportPdfStatus.WAITING)
            | Q(status=ReportPdfStatus.RENDERING, started_at__lt=started_at - RENDER_TIMEOUT)
        )
        .update(status=ReportPdfStatus.RENDERING, started_at=started_at)
    )
    if not claimed:
        return False
    pdf = ReportPdf.objects.select_related("project").filter(pk=pdf_id).first()
    if pdf is None:
        return False
    html = report_pdf_html(project=pdf.project, made_on=timezone.localdate())
    if report_pdf_fingerprint(html) != pdf.fingerprint:
        # The report changed while this waited: whoever is waiting now asks for the new one.
        ReportPdf.objects.filter(pk=pdf_id, started_at=started_at).delete()
        return False
    try:
        content = html_to_pdf(html, base_url=urljoin(settings.COPROD_BASE_URL, "/"))
    except Exception as error:  # noqa: BLE001 - kept on the row; the person sees "Try again"
        logger.exception("Could not render report PDF %s", pdf_id)
        ReportPdf.objects.filter(pk=pdf_id, started_at=started_at).update(
            status=ReportPdfStatus.FAILED, error=str(error) or type(error).__name__
        )
        return False
    storage = pdf.file.storage
    name = storage.save(
        pdf.file.field.generate_filename(pdf, f"{uuid.uuid4().hex}.pdf"), ContentFile(content)
    )
    finished = ReportPdf.objects.filter(
        pk=pdf_id, status=ReportPdfStatus.RENDERING, started_at=started_at
    ).update(status=ReportPdfStatus.READY, file=name, rendered_at=timezone.now(), error="")
    if not finished:
        # Taken over by another worker, or deleted as out of date, while this one rendered.
        storage.delete(name)
        return False
    _delete(
        ReportPdf.objects.filter(project_id=pdf.project_id, requested_at__lte=pdf.requested_at)
        .exclude(pk=pdf_id)
        .exclude(status=ReportPdfStatus.RENDERING)
    )
    return True


def report_pdfs_delete_old() -> int:
    """Delete PDFs (and their files) asked for more than a week ago. Returns how many."""
    return _delete(ReportPdf.objects.filter(requested_at__lt=timezone.now() - KEEP_PDFS_FOR))


def report_pdf_forget(*, pdf: ReportPdf) -> None:
    """Drop a row whose file has gone from storage, so the next request makes it again."""
    ReportPdf.objects.filter(pk=pdf.pk).delete()


def _delete(pdfs) -> int:
    old = list(pdfs.values_list("pk", "file"))
    if not old:
        return 0
    ReportPdf.objects.filter(pk__in=[pk for pk, _ in old]).delete()
    storage = ReportPdf._meta.get_field("file").storage
    names = [name for _, name in old if name]
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return len(old)
