import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from coprod.core.access import permission_required
from coprod.core.csv import csv_safe
from coprod.core.kept_figures import REFRESH_EVERY
from coprod.core.ratelimit import rate_limited, too_many_requests
from coprod.core.suppression import is_suppressed
from evidence.models import ReportPdf, ReportPdfStatus
from evidence.selectors import projects_reported_to
from evidence.selectors.feedback import FEEDBACK_CSV_HEADER, feedback_csv_rows
from evidence.selectors.measures import measures_csv_rows
from evidence.selectors.report_pdfs import report_pdf_for
from evidence.selectors.valuation import VALUATION_CSV_HEADER, valuation_csv_rows
from evidence.services_report_figures import report_figures_kept
from evidence.services_report_pdfs import (
    report_pdf_fingerprint,
    report_pdf_forget,
    report_pdf_html,
    report_pdf_is_stuck,
    report_pdf_request,
    report_pdf_retry,
)
from projects.models import Project
from projects.selectors.projects import project_with_slug

REPORTS_ONLY = "Reports are for commissioners and staff."
NOT_GRANTED = "You have not been given access to this project's report."
REPORTS_PER_PAGE = 25
PENNY = Decimal("0.01")
MEASURES_CSV_HEADER = ["Measure", "Question", "Figure", "Value"]


def _get_report_project_for_user(request: HttpRequest, slug: str) -> Project:
    project = project_with_slug(slug)
    if project is None:
        raise Http404("No project has this address.")
    if not rules.has_perm("evidence.read_report", request.user, project):
        raise PermissionDenied(NOT_GRANTED)
    return project


@require_safe
@permission_required("evidence.access_reports", denied=REPORTS_ONLY)
def reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(projects_reported_to(request.user), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "evidence/reports.html", {"page": page})


@require_safe
@permission_required("evidence.access_reports", denied=REPORTS_ONLY)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    """The report as a web page, or with ?format=csv or ?format=pdf as a download."""
    project = _get_report_project_for_user(request, slug)
    render_as = REPORT_FORMATS.get(request.GET.get("format", "html"))
    if render_as is None:
        return render(request, "evidence/report_bad_format.html", {"project": project}, status=400)
    # Only the CSV is made from the figures here: the page shows the sections rendered with
    # them, and the PDF reads the kept row itself.
    kept = report_figures_kept(project=project, figures=render_as is _report_csv)
    context = {
        "project": project,
        "kept": kept,
        "figures_worked_out_at": kept.worked_out_at,
        "figures_refresh_minutes": REFRESH_EVERY // timedelta(minutes=1),
        "made_on": timezone.localdate(),
    }
    return render_as(request, context)


def _report_html(request: HttpRequest, context: dict) -> HttpResponse:
    return render(request, "evidence/report.html", context)


def _download_name(context: dict, extension: str) -> str:
    return f"coprod-report-{context['project'].slug}-{context['made_on']:%Y-%m-%d}.{extension}"


# CSV: a zip with one file per section ------------------------------------------------------


def _csv_cell(value) -> object:
    # SQLite sums decimals with more places than they were stored with.
    if isinstance(value, Decimal):
        return value.quantize(PENNY)
    return csv_safe(value)


def _csv_text(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _yes_no(flag: bool | str) -> str:
    if is_suppressed(flag):
        return flag
    return "Yes" if flag else "No"


def _engagement_rows(engagement: dict) -> list[list]:
    rows = []
    for group in engagement["groups"]:
        rows += [
            ["Active people", group["label"], group["active"]],
            ["Target", group["label"], group["target"]],
            ["Target met", group["label"], _yes_no(group["target_met"])],
        ]
    rate = engagement["attendance_rate"]
    return rows + [
        ["Meetings held", "", engagement["meetings_held"]],
        ["Times people came to a meeting", "", engagement["attended"]],
        ["People who came at least once", "", engagement["people_attended"]],
        ["Times people were expected but did not come", "", engagement["no_show"]],
        ["Attendance rate (%)", "", "none recorded yet" if rate is None else rate],
        ["Hours of involvement", "", engagement["hours"]],
    ]


def _power_sharing_rows(shared: dict) -> list[list]:
    rows = [
        ["Decisions logged", "", shared["total"]],
        ["Proposed by people with lived experience (%)", "", shared["lived_proposed"]],
        ["Voted on by people with lived experience (%)", "", shared["lived_voted"]],
        ["Made by staff alone after consultation (%)", "", shared["staff_alone"]],
    ]
    rows += [["Decisions at this ladder rung", label, count] for label, count in shared["rungs"]]
    for quarter in shared["over_time"]:
        rows += [
            ["Decisions in the quarter", quarter["quarter"], quarter["decisions"]],
            [
                "Involving people with lived experience (%)",
                quarter["quarter"],
                quarter["lived_involved"],
            ],
            ["Made by staff alone (%)", quarter["quarter"], quarter["staff_alone"]],
        ]
    return rows


def _payments_rows(payments: dict) -> list[list]:
    median_days = payments["median_days_to_pay"]
    return [
        ["Fees paid, less any reversed (£)", payments["fees_paid"]],
        ["Expenses paid (£)", payments["expenses_paid"]],
        ["Total paid (£)", payments["total_paid"]],
        ["Fees paid for coming to a meeting", payments["fees_paid_count"]],
        [
            "Median days from the meeting to payment",
            "no fees paid yet" if median_days is None else median_days,
        ],
        [
            "Days within which 9 in 10 fees were paid (90th percentile)",
            "no fees paid yet"
            if payments["p90_days_to_pay"] is None
            else payments["p90_days_to_pay"],
        ],
    ]


def _cost_benefit_rows(costs: dict) -> list[list]:
    return [
        ["Fees paid (£)", costs["fees_paid"]],
        ["Expenses paid (£)", costs["expenses_paid"]],
        ["Other costs recorded (£)", costs["recorded_costs"]],
        ["Other cost records", costs["cost_records"]],
        ["Total costs (£)", costs["total_costs"]],
        ["Savings recorded (£)", costs["savings"]],
        ["Saving records", costs["saving_records"]],
        ["Savings less costs (£)", costs["net"]],
        ["Savings for each £1 spent (£)", costs["ratio"]],
    ]


def _report_csv_files(report: dict) -> dict[str, str]:
    outcomes = report["outcomes"]
    summary = report["impact_summary"]
    return {
        "engagement.csv": _csv_text(
            ["Measure", "Stakeholder group", "Value"], _engagement_rows(report["engagement"])
        ),
        "power_sharing.csv": _csv_text(
            ["Measure", "Rung or quarter", "Value"], _power_sharing_rows(report["power_sharing"])
        ),
        "payments.csv": _csv_text(["Measure", "Value"], _payments_rows(report["payments"])),
        "outcomes.csv": _csv_text(
            [
                "Measure",
                "Unit",
                "Which way is better",
                "Baseline",
                "Baseline date",
                "Latest",
                "Latest date",
                "Change",
                "Result",
            ],
            [
                [
                    outcome["name"],
                    outcome["unit"],
                    outcome["better"],
                    outcome["baseline"],
                    outcome["baseline_on"],
                    outcome["latest"],
                    outcome["latest_on"],
                    outcome["change"],
                    outcome["trend_label"],
                ]
                for outcome in outcomes
            ],
        ),
        "outcome_readings.csv": _csv_text(
            ["Measure", "Unit", "Date", "Value"],
            [
                [outcome["name"], outcome["unit"], measured_on, value]
                for outcome in outcomes
                for measured_on, value in outcome["readings"]
            ],
        ),
        "you_said_we_did.csv": _csv_text(
            ["Date", "Decision", "You said", "We did", "The difference it made", "Progress"],
            [
                [
                    decision["decided_on"],
                    decision["title"],
                    decision["you_said"],
                    decision["we_did"],
                    decision["difference_made"],
                    decision["progress"],
                ]
                for decision in report["you_said_we_did"]["decisions"]
            ],
        ),
        "what_people_told_us.csv": _csv_text(
            ["Date", "Words"],
            [[voice["recorded_on"], voice["text"]] for voice in report["voices"]],
        ),
        "learning.csv": _csv_text(
            ["Title", "What we learned"],
            [[entry["title"], entry["learned"]] for entry in report["learning"]],
        ),
        "impact_summary.csv": _csv_text(
            ["GRIPP2 item", "What we wrote"],
            [
                ["Aim of involvement", summary["aim"]],
                ["Methods", summary["methods"]],
                ["Results", summary["results"]],
                ["How involvement influenced the work", summary["influence"]],
                ["Reflections", summary["reflections"]],
            ]
            if summary
            else [],
        ),
        "cost_benefit.csv": _csv_text(
            ["Measure", "Value"], _cost_benefit_rows(report["cost_benefit"])
        ),
        "measures.csv": _csv_text(MEASURES_CSV_HEADER, measures_csv_rows(report["measures"])),
        "meeting_feedback.csv": _csv_text(
            FEEDBACK_CSV_HEADER, feedback_csv_rows(report["feedback"])
        ),
        "valuation.csv": _csv_text(VALUATION_CSV_HEADER, valuation_csv_rows(report["valuation"])),
    }


def _report_csv(request: HttpRequest, context: dict) -> HttpResponse:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
        for name, text in _report_csv_files(context["kept"].figures).items():
            # With a byte order mark, Excel reads £ and other non-ASCII letters correctly.
            files.writestr(name, text.encode("utf-8-sig"))
    return HttpResponse(
        archive.getvalue(),
        content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(context, "zip")}"'},
    )


# PDF ---------------------------------------------------------------------------------------


def _report_pdf(request: HttpRequest, context: dict) -> HttpResponse:
    """The PDF from storage if this version of the report has been made; otherwise its
    render is queued and a page that refreshes itself says it is being prepared."""
    project = context["project"]
    fingerprint = report_pdf_fingerprint(
        report_pdf_html(project=project, made_on=context["made_on"])
    )
    pdf = report_pdf_for(project=project, fingerprint=fingerprint)
    if pdf is not None and pdf.is_ready:
        download = _report_pdf_file(pdf, context)
        if download is not None:
            return download
        report_pdf_forget(pdf=pdf)
        pdf = None
    retry = "retry" in request.GET
    if pdf is None or (retry and _can_retry(pdf)):
        # A render costs seconds of CPU, and one person may ask for many: each signed-in
        # person may queue a few a minute, wherever they are (colleagues in one office share
        # its address). Downloading a PDF already made is not counted.
        if rate_limited(
            request,
            action="report-pdf",
            per_minute=settings.COPROD_REPORT_PDF_PER_MINUTE,
            by_user=True,
        ):
            return too_many_requests(request)
        if pdf is None:
            pdf = report_pdf_request(project=project, fingerprint=fingerprint)
        else:
            report_pdf_retry(pdf=pdf)
        if retry:
            return redirect(_pdf_url(project))
        # Where tasks run in the request (the embedded default) it is made already.
        pdf.refresh_from_db()
        if pdf.is_ready:
            download = _report_pdf_file(pdf, context)
            if download is not None:
                return download
    page = {"project": project, "pdf_url": _pdf_url(project)}
    if _can_retry(pdf):
        return render(request, "evidence/report_pdf_failed.html", page)
    return render(request, "evidence/report_pdf_waiting.html", page, status=202)


def _can_retry(pdf: ReportPdf) -> bool:
    return pdf.status == ReportPdfStatus.FAILED or report_pdf_is_stuck(pdf)


def _pdf_url(project: Project) -> str:
    return f"{reverse('evidence:report', kwargs={'slug': project.slug})}?format=pdf"


def _report_pdf_file(pdf: ReportPdf, context: dict) -> FileResponse | None:
    try:
        file = pdf.file.open("rb")
    except FileNotFoundError:
        return None
    return FileResponse(
        file,
        as_attachment=True,
        filename=_download_name(context, "pdf"),
        content_type="application/pdf",
    )


REPORT_FORMATS = {"html": _report_html, "csv": _report_csv, "pdf": _report_pdf}
