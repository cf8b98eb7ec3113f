import csv
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from coprod.core.access import permission_required
from projects.access import STAFF_ONLY, get_import_job_for_staff, get_project_for_staff
from projects.forms.roster import RosterUploadForm
from projects.models import ImportStatus
from projects.selectors.roster_import import roster_import_job_outcome, roster_import_job_progress
from projects.services.roster_import import COLUMNS, EXAMPLE_ROW
from projects.services.roster_import_jobs import roster_import_job_confirm, roster_import_job_start

NOT_WAITING = (
    "This file is not waiting to be imported: it is being imported, or has been already. "
    "Nothing more has been imported."
)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def roster_import(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    template_url = reverse("projects:roster_import_template", kwargs={"slug": project.slug})
    if request.method != "POST":
        form = RosterUploadForm(template_url=template_url)
    else:
        form = RosterUploadForm(request.POST, request.FILES, template_url=template_url)
    if form.is_bound and form.is_valid():
        job = roster_import_job_start(
            project=project,
            started_by=request.user,
            upload=form.upload,
            rows_total=len(form.cleaned_data["file"]),
        )
        return redirect("projects:roster_import_job", slug=project.slug, job_id=job.public_id)
    return render(
        request,
        "projects/import.html",
        {"project": project, "form": form, "columns": COLUMNS, "template_url": template_url},
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_GET
def roster_import_job(request: HttpRequest, slug: str, job_id: uuid.UUID) -> HttpResponse:
    """The job's page: its progress while it runs, then the problems found, what the import
    will do, what it did, or why it failed."""
    job = get_import_job_for_staff(request, slug, job_id)
    return render(
        request,
        "projects/import_job.html",
        {
            "project": job.project,
            "job": job,
            "statuses": ImportStatus,
            "progress": roster_import_job_progress(job),
            "outcome": roster_import_job_outcome(job),
        },
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_GET
def roster_import_job_status(request: HttpRequest, slug: str, job_id: uuid.UUID) -> JsonResponse:
    """How far the job has got, for the page's progress bar to ask every second."""
    job = get_import_job_for_staff(request, slug, job_id)
    response = JsonResponse(roster_import_job_progress(job).as_json())
    response["Cache-Control"] = "no-store"
    return response


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def roster_import_confirm(request: HttpRequest, slug: str, job_id: uuid.UUID) -> HttpResponse:
    job = get_import_job_for_staff(request, slug, job_id)
    if not roster_import_job_confirm(job=job):
        messages.error(request, NOT_WAITING)
    return redirect("projects:roster_import_job", slug=job.project.slug, job_id=job.public_id)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def roster_import_template(request: HttpRequest, slug: str) -> HttpResponse:
    get_project_for_staff(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coprod-people-template.csv"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW[column] for column in COLUMNS])
    return response
