"""A commissioner report's PDF, made in the background once for each version of the report
and kept in private storage (served only through the report's own access check) until the
report changes."""

import json
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe


class ReportPdfStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be made"
    RENDERING = "rendering", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ReportPdf(models.Model):
    """The PDF of one version of a project's report. `fingerprint` is the SHA-256 of the
    HTML the PDF is made from, which changes exactly when a figure, the date or the
    template does; a request whose HTML has the same fingerprint gets this file."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="report_pdfs"
    )
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=ReportPdfStatus.choices, default=ReportPdfStatus.WAITING
    )
    file = models.FileField(upload_to="report-pdfs/%Y/%m/", blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    # When a worker took the render, so one that died mid-way can be taken over.
    started_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # What went wrong, for whoever looks after coprod; people see a plain message instead.
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "fingerprint"], name="report_pdf_once_per_version"
            ),
        ]
        indexes = [
            # The daily clean-up deletes PDFs asked for more than a week ago.
            models.Index(fields=["requested_at"], name="report_pdf_requested_idx"),
        ]

    def __str__(self) -> str:
        return f"Report PDF of {self.project} ({self.get_status_display()})"

    @property
    def is_ready(self) -> bool:
        return self.status == ReportPdfStatus.READY and bool(self.file)


class FiguresEncoder(json.JSONEncoder):
    """Money, means and dates kept exactly as worked out, each tagged with its type, so the
    page shows "£12.50" and "3 Dec 2026" from the kept row just as from the figures."""

    def default(self, value):
        if isinstance(value, Decimal):
            return {"$decimal": str(value)}
        if isinstance(value, datetime):
            return {"$datetime": value.isoformat()}
        if isinstance(value, date):
            return {"$date": value.isoformat()}
        return super().default(value)


def _tagged_value(tagged: dict):
    if len(tagged) == 1:
        if "$decimal" in tagged:
            return Decimal(tagged["$decimal"])
        if "$datetime" in tagged:
            return datetime.fromisoformat(tagged["$datetime"])
        if "$date" in tagged:
            return date.fromisoformat(tagged["$date"])
    return tagged


class FiguresDecoder(json.JSONDecoder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **{**kwargs, "object_hook": _tagged_value})


class ReportFigures(models.Model):
    """A project's report figures as last worked out (evidence.services_report_figures),
    already suppressed: the web page, CSV and PDF are all made from this one row, so they
    agree, and a visit reads one row instead of counting every meeting, payment and answer
    again. Commissioners read quarterly figures, so figures a few minutes old, said so on
    the page, tell them as much as figures counted now."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="report_figures"
    )
    figures = models.JSONField(encoder=FiguresEncoder, decoder=FiguresDecoder)
    # The report's sections as HTML, charts drawn, rendered from `figures` when they are
    # worked out: they are the same for every viewer (nobody is named, small numbers are
    # already suppressed), so a visit writes them out instead of drawing every chart again.
    sections_html = models.TextField()
    worked_out_at = models.DateTimeField()
    # Set when a visit finds the figures stale and queues their refresh, so that only one
    # refresh is queued at a time; cleared when the figures are worked out.
    refresh_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "report figures"
        indexes = [
            # The sweep refreshes the figures older than the refresh interval.
            models.Index(fields=["worked_out_at"], name="report_figures_worked_idx"),
        ]

    def __str__(self) -> str:
        return f"Report figures of {self.project} worked out at {self.worked_out_at:%Y-%m-%d %H:%M}"

    @property
    def sections(self) -> SafeString:
        return mark_safe(self.sections_html)  # noqa: S308 - our own template rendered it, escaped
