from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coprod.access import permission_required
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.selectors import project_list_page, upcoming_meetings_panel
from stakeholders.selectors import projects_with_largest_gaps

# Panels still to be filled by later work, with what each says while empty.
WAITING_PANELS = [
    ("Payments overdue", "Nobody is waiting too long to be paid."),
    ("Open actions", "There are no open actions."),
    ("Recent decisions", "No decisions have been logged yet."),
    ("Recent evidence", "No evidence has been added yet."),
]


@permission_required("projects.access_dashboard", denied=STAFF_ONLY)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "projects/dashboard.html",
        {
            "upcoming_meetings": upcoming_meetings_panel(),
            "coverage_gaps": projects_with_largest_gaps(),
            "panels": WAITING_PANELS,
        },
    )


@permission_required("projects.list_projects", denied=STAFF_ONLY)
def project_list(request: HttpRequest) -> HttpResponse:
    page = project_list_page(page_number=request.GET.get("page"))
    return render(request, "projects/project_list.html", {"page": page})


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    return render(request, "projects/project_detail.html", {"project": project})
