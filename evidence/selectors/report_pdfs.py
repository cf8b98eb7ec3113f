"""Reads of the report PDFs kept in storage."""

from evidence.models import ReportPdf
from projects.models import Project


def report_pdf_for(*, project: Project, fingerprint: str) -> ReportPdf | None:
    """The PDF of this version of the project's report, made or on its way, if asked for."""
    return ReportPdf.objects.filter(project=project, fingerprint=fingerprint).first()
