"""A commissioner report's PDF, made in the background once for each version of the report
and kept in private storage (served only through the report's own access check) until the
report changes."""

from django.db import models
from django.utils import timezone


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
