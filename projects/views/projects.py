import functools

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.links import link_maker
from coprod.core.pagecache import deferred
from projects.access import STAFF_ONLY, check_project_for_staff, get_project_for_staff
from projects.forms.projects import ProjectCreateForm, ProjectForm, StageForm
from projects.models import Project, Stage
from projects.selectors.payments import project_budget
from projects.selectors.projects import archived_projects_page, project_list_page
from projects.services.projects import (
    ProjectNotArchivable,
    project_archive,
    project_archive_problem,
    project_create,
    project_stage_change,
    project_update,
)
from stakeholders.models import login_label


@permission_required("projects.list_projects", denied=STAFF_ONLY)
def project_list(request: HttpRequest) -> HttpResponse:
    page_number = request.GET.get("page")
    page = deferred(project_list_page, page_number=page_number)
    return render(
        request,
        "projects/project_list.html",
        {"page": page, "rows": deferred(_project_rows, page), "page_number": page_number},
    )


def _project_rows(page: Page) -> list[dict]:
    """What each row of the list shows, worked out here rather than by template tags per
    row, whose cost adds up over a page."""
    detail_url = link_maker("projects:detail")
    stages = dict(Stage.choices)
    return [
        {
            "name": project["name"],
            "url": detail_url(project["slug"]),
            "stage": stages.get(project["stage"], project["stage"]),
            "lead": (
                login_label(name=project["lead__name"], email=project["lead__email"])
                if project["lead_id"]
                else "No one yet"
            ),
            "open_to_join": "Yes" if project["is_open_to_join"] else "No",
        }
        for project in page.object_list
    ]


# What the project page (and its navigation and budget) shows of the project and its lead:
# reading and converting every column cost more than the query's own time.
PROJECT_PAGE_FIELDS = (
    "name",
    "slug",
    "summary",
    "stage",
    "is_open_to_join",
    "archived_at",
    "lead__name",
    "lead__email",
)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # Its lead in the same query, and only what the page shows: the budget comes with the
    # payment totals (projects.selectors.payments.project_payment_totals).
    project = get_object_or_404(
        Project.objects.select_related("lead").only(*PROJECT_PAGE_FIELDS), slug=slug
    )
    check_project_for_staff(request, project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "budget": deferred(project_budget, project),
            "stage_field": None if project.is_archived else _stage_field(project.stage),
        },
    )


@functools.cache
def _stage_field(stage: str) -> str:
    """The stage <select> with the project's stage chosen: the same for every project at
    that stage, and crispy forms takes milliseconds to render it, so it is rendered once per
    process for each stage."""
    return as_crispy_field(StageForm(initial={"stage": stage})["stage"])


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def project_stage(request: HttpRequest, slug: str) -> HttpResponse:
    """Move the project to another stage. Moving on prompts for what was learned in the
    stage just finished; moving back (to put a mistake right) does not."""
    project = get_project_for_staff(request, slug)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["stage"][0])
        return redirect(project)
    before = Stage(project.stage)
    after = Stage(form.cleaned_data["stage"])
    if after == before:
        messages.info(request, f"The project is already at {before.label}.")
        return redirect(project)
    project_stage_change(project=project, stage=after)
    if Stage.values.index(after) < Stage.values.index(before):
        messages.success(request, f"The project moved back from {before.label} to {after.label}.")
        return redirect(project)
    messages.success(
        request,
        f"The project moved from {before.label} to {after.label}. What did you learn in "
        f"{before.label}? Add it to the learning library so others can use it.",
    )
    query = urlencode({"project": project.slug, "stage": before.value})
    return redirect(f"{reverse('evidence:learning_add')}?{query}")


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def project_add(request: HttpRequest) -> HttpResponse:
    form = ProjectCreateForm(request.POST or None, initial={"budget": "0"})
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(**form.cleaned_data)
        except ValidationError as error:
            form.show_slug()
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{project.name} has been created. Its payment policy starts at NIHR's "
                "suggested hourly rate: check it on the payments page. Now set how many "
                "people from each group you want to involve.",
            )
            return redirect("projects:coverage_targets", slug=project.slug)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        project_update(project=project, **form.cleaned_data)
        messages.success(request, "The project's details have been saved.")
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def project_archive_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask before archiving, and say what stops it if anything does."""
    project = get_project_for_staff(request, slug)
    if request.method == "POST":
        try:
            project_archive(project=project)
        except ProjectNotArchivable as refusal:
            messages.error(request, str(refusal))
            return redirect("projects:archive", slug=project.slug)
        messages.success(
            request,
            f"{project.name} has been archived. You can still read it under Archived projects.",
        )
        return redirect("projects:list")
    return render(
        request,
        "projects/project_archive.html",
        {"project": project, "problem": project_archive_problem(project)},
    )


@permission_required("projects.list_projects", denied=STAFF_ONLY)
def archived_projects(request: HttpRequest) -> HttpResponse:
    page = archived_projects_page(page_number=request.GET.get("page"))
    return render(request, "projects/archived_projects.html", {"page": page})
