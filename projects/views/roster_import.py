import csv
import re
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.forms.roster import RosterUploadForm
from projects.models import Project
from projects.services.roster_import import (
    COLUMNS,
    EXAMPLE_ROW,
    ImportOutcome,
    RosterFileError,
    roster_file_read,
    roster_import_people,
)

PENDING_TIMEOUT = 60 * 60


TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


STALE = (
    "That import could not be found: it may have expired after an hour, or already been "
    "done. Nothing more has been imported. Upload the file again to start over."
)


# The most problems listed at once; a file with more has a wider problem to fix first.
MAX_ERRORS_SHOWN = 500


def _pending_key(token: str) -> str:
    return f"roster-import:{token}"


def _preview(request: HttpRequest, project: Project, outcome: ImportOutcome, token: str = ""):
    return render(
        request,
        "projects/import_preview.html",
        {
            "project": project,
            "outcome": outcome,
            "errors_shown": outcome.errors[:MAX_ERRORS_SHOWN],
            "errors_not_shown": max(0, len(outcome.errors) - MAX_ERRORS_SHOWN),
            "token": token,
        },
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
        outcome = roster_import_people(
            roster_file=form.cleaned_data["file"],
            project=project,
            recorded_by=request.user,
            dry_run=True,
        )
        token = ""
        if not outcome.errors:
            token = secrets.token_urlsafe(32)
            cache.set(
                _pending_key(token),
                {"project": project.pk, "user": request.user.pk, "content": form.content},
                PENDING_TIMEOUT,
            )
        return _preview(request, project, outcome, token)
    return render(
        request,
        "projects/import.html",
        {"project": project, "form": form, "columns": COLUMNS, "template_url": template_url},
    )


def _pending_claim(token: str, project: Project, user) -> bytes | None:
    """The file waiting under this token for this project and user, taken out of the
    cache so that it is imported once however often the button is pressed."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    pending = cache.get(_pending_key(token))
    if not pending or pending["project"] != project.pk or pending["user"] != user.pk:
        return None
    if not cache.delete(_pending_key(token)):
        return None
    return pending["content"]


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def roster_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    content = _pending_claim(request.POST.get("token", ""), project, request.user)
    if content is None:
        messages.error(request, STALE)
        return redirect("projects:roster_import", slug=project.slug)
    try:
        roster_file = roster_file_read(content)
    except RosterFileError:
        messages.error(request, STALE)
        return redirect("projects:roster_import", slug=project.slug)
    outcome = roster_import_people(
        roster_file=roster_file, project=project, recorded_by=request.user, dry_run=False
    )
    if outcome.errors:
        # The roster changed after the preview; the real run found the problems instead.
        return _preview(request, project, outcome)
    people = "person" if len(outcome.rows) == 1 else "people"
    messages.success(
        request,
        f"Imported {len(outcome.rows)} {people}: {outcome.new_count} new, "
        f"{outcome.matched_count} already on the roster.",
    )
    return redirect("projects:detail", slug=project.slug)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def roster_import_template(request: HttpRequest, slug: str) -> HttpResponse:
    get_project_for_staff(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coprod-people-template.csv"'
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE_ROW[column] for column in COLUMNS])
    return response
