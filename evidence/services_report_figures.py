"""A project's report figures, worked out by a task and kept in one row per project
(ReportFigures): the web page, the CSV and the PDF are all made from that row.

Working the figures out counts every meeting, payment, answer and record of the project, tens
of queries, and drawing their charts takes longer than the rest of the page; reading them
back is one query, so the report's sections are rendered, charts and all, with the figures.
The first visit works them out; after that they are refreshed every few minutes by beat and
whenever a visit finds them older than that (one refresh queued at a time), and the page says
when they were worked out.
"""

import json
from datetime import datetime

from django.template.defaultfilters import date as date_text
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils import timezone

from coprod.core.kept_figures import REFRESH_EVERY, refresh_claimed, refresh_queue
from evidence.models import ImpactSummary, ReportFigures
from evidence.models.report_pdfs import FiguresDecoder, FiguresEncoder
from evidence.selectors import report_for_project
from projects.models import Project

IMPACT_SUMMARY_FIELDS = ("aim", "methods", "results", "influence", "reflections")


def _figure_text(value) -> str:
    return str(floatformat(value, "-2"))


def _outcome_texts(outcome: dict) -> dict:
    """How an outcome's figures read on the page, worked out once with the figures rather
    than by two filters for each cell of every table on every visit."""
    baseline, change = outcome["baseline"], outcome["change"]
    readings = []
    for number, (measured_on, value) in enumerate(outcome["readings"]):
        if not measured_on:
            label = "Baseline"
        else:
            label = date_text(measured_on, "j M Y")
            if number == 0 and baseline is not None:
                label += " (baseline)"
        readings.append([label, _figure_text(value)])
    return {
        "baseline_text": None if baseline is None else _figure_text(baseline),
        "baseline_on_text": date_text(outcome["baseline_on"], "j M Y"),
        "latest_text": None if outcome["latest"] is None else _figure_text(outcome["latest"]),
        "latest_on_text": date_text(outcome["latest_on"], "j M Y"),
        "change_text": None
        if change is None
        else ("+" if change > 0 else "") + _figure_text(change),
        "reading_texts": readings,
    }


def _storable(report: dict) -> dict:
    """The report with its decisions and impact summary as plain values, to keep as JSON,
    and its outcomes with their figures as they read."""
    summary: ImpactSummary | None = report["impact_summary"]
    you_said = report["you_said_we_did"]
    return {
        **report,
        "outcomes": [{**outcome, **_outcome_texts(outcome)} for outcome in report["outcomes"]],
        "you_said_we_did": {
            **you_said,
            "decisions": [
                {
                    "title": decision.title,
                    "decided_on": decision.decided_on,
                    "you_said": decision.you_said,
                    "we_did": decision.we_did,
                    "difference_made": decision.difference_made,
                    "progress": decision.get_progress_display(),
                }
                for decision in you_said["decisions"]
            ],
        },
        "impact_summary": (
            {field: getattr(summary, field) for field in IMPACT_SUMMARY_FIELDS} if summary else None
        ),
    }


def _sections_html(*, project: Project, figures: dict) -> str:
    """The report's sections as the page and the PDF show them, charts drawn. Rendered from
    the figures as they come back from the kept row (dates and money restored, pairs as
    lists), so they read exactly as if rendered from the row on each visit."""
    kept = json.loads(json.dumps(figures, cls=FiguresEncoder), cls=FiguresDecoder)
    return render_to_string(
        "evidence/report_sections.html", {"project": project, "report": kept, "charts": True}
    )


def report_figures_refresh(*, project: Project, now: datetime | None = None) -> ReportFigures:
    """Work out the project's report figures (report_for_project, read from the replica if
    there is one), render the report's sections from them and keep both, with when; a
    refresh queued is done."""
    now = now or timezone.now()
    figures = _storable(report_for_project(project))
    row, _created = ReportFigures.objects.update_or_create(
        project=project,
        defaults={
            "figures": figures,
            "sections_html": _sections_html(project=project, figures=figures),
            "worked_out_at": now,
            "refresh_queued_at": None,
        },
    )
    return row


def report_figures_kept(
    *, project: Project, now: datetime | None = None, figures: bool = True
) -> ReportFigures:
    """The project's report figures as last worked out, their sections rendered, and when:
    one query. Worked out here the first time, so a commissioner's first look shows the
    report at once rather than a page to come back to; when older than REFRESH_EVERY, a
    refresh is queued (by the first visit to find them so: it claims the row) and these are
    shown meanwhile. Without `figures` the figures are left unread: the page shows only the
    rendered sections, and decoding the figures would cost it more than writing them out."""
    now = now or timezone.now()
    kept = ReportFigures.objects.filter(project=project)
    if not figures:
        kept = kept.defer("figures")
    row = kept.first()
    if row is None:
        return report_figures_refresh(project=project, now=now)
    if refresh_claimed(row, now=now):
        refresh_queue("evidence.tasks.refresh_report_figures", project.pk)
    return row


def report_figures_forget(*, project_id: int) -> None:
    """Drop a project's kept figures, so that the next visit works them out at once: for a
    change no reader may go on seeing for minutes, such as a quote whose publication is no
    longer agreed, or a record deleted."""
    ReportFigures.objects.filter(project_id=project_id).delete()


def report_figures_refresh_stale(*, now: datetime | None = None) -> int:
    """Refresh every project's kept figures older than the refresh interval, for beat:
    only projects whose report someone has read have a row. Returns how many."""
    now = now or timezone.now()
    stale = Project.objects.filter(report_figures__worked_out_at__lte=now - REFRESH_EVERY).order_by(
        "pk"
    )
    refreshed = 0
    for project in stale.iterator():
        report_figures_refresh(project=project)
        refreshed += 1
    return refreshed


def report_figures_refresh_one(*, project_id: int) -> bool:
    """The task's refresh of one project's figures; False if the project has gone."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return False
    report_figures_refresh(project=project)
    return True
