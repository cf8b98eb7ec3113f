from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coprod.access import permission_required
from coprod.pagecache import deferred
from decisions.selectors import open_actions_panel, overdue_actions_count, recent_decisions_panel
from evidence.forms import StageForm
from evidence.selectors import recent_evidence_panel
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.selectors import (
    overdue_payments_panel,
    project_budget,
    project_list_page,
    upcoming_meetings_panel,
)
from stakeholders.selectors import projects_with_largest_gaps


@permission_required("projects.access_dashboard", denied=STAFF_ONLY)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/dashboard.html",
        {"panels": deferred(_dashboard_panels), "today": timezone.localdate()},
    )


def _dashboard_panels() -> dict:
    return {
        "upcoming_meetings": upcoming_meetings_panel(),
        "coverage_gaps": projects_with_largest_gaps(),
        "overdue_payments": overdue_payments_panel(),
        "open_actions": open_actions_panel(),
        "overdue_actions": overdue_actions_count(),
        "recent_decisions": recent_decisions_panel(),
        "recent_evidence": recent_evidence_panel(),
    }


@permission_required("projects.list_projects", denied=STAFF_ONLY)
def project_list(request: HttpRequest) -> HttpResponse:
    page_number = request.GET.get("page")
    page = deferred(project_list_page, page_number=page_number)
    return render(request, "projects/project_list.html", {"page": page, "page_number": page_number})


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "budget": deferred(project_budget, project),
            "stage_form": StageForm(initial={"stage": project.stage}),
        },
    )
