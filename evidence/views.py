from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coprod.access import get_object_for_user, permission_required
from evidence.selectors import projects_reported_to
from projects.models import Project

REPORTS_ONLY = "Reports are for commissioners and staff."
NOT_GRANTED = "You have not been given access to this project's report."
REPORTS_PER_PAGE = 25


def _get_report_project_for_user(request: HttpRequest, slug: str) -> Project:
    return get_object_for_user(
        request, Project.objects.all(), "evidence.read_report", denied=NOT_GRANTED, slug=slug
    )


@require_GET
@permission_required("evidence.access_reports", denied=REPORTS_ONLY)
def reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(projects_reported_to(request.user), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "evidence/reports.html", {"page": page})


@require_GET
@permission_required("evidence.access_reports", denied=REPORTS_ONLY)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    project = _get_report_project_for_user(request, slug)
    return render(request, "evidence/report.html", {"project": project})
