from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coprod.access import permission_required
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.selectors import project_list_page

# Each panel with what it says while there is nothing to show.
DASHBOARD_PANELS = [
    ("Upcoming meetings", "No meetings are coming up."),
    ("Voices missing", "No project is short of the people it aims to involve."),
    ("Payments overdue", "Nobody is waiting too long to be paid."),
    ("Open actions", "There are no open actions."),
    ("Recent decisions", "No decisions have been logged yet."),
    ("Recent evidence", "No evidence has been added yet."),
]


@permission_required("projects.access_dashboard", denied=STAFF_ONLY)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/dashboard.html", {"panels": DASHBOARD_PANELS})


@permission_required("projects.list_projects", denied=STAFF_ONLY)
def project_list(request: HttpRequest) -> HttpResponse:
    page = project_list_page(page_number=request.GET.get("page"))
    return render(request, "projects/project_list.html", {"page": page})


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    return render(request, "projects/project_detail.html", {"project": project})
