"""The one access check for a project's staff pages, for its meetings, and for the people
directory that gathers everyone across projects."""

import uuid

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from coprod.core.access import get_object_for_user
from projects.models import Meeting, Project, RosterImportJob
from projects.selectors.meetings import meeting_with_project
from projects.selectors.projects import project_with_slug
from stakeholders.models import Person

STAFF_ONLY = "This page is for staff who run co-production projects."
ARCHIVED_READ_ONLY = (
    "This project is archived, so nothing in it can be changed. You can still read it. "
    "Nothing was saved."
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MANAGE_PROJECT = "projects.manage_project"


def get_project_for_staff(request: HttpRequest, slug: str) -> Project:
    """The project with this slug (404 if none), or 403 if the visitor is not staff, or if
    they try to change anything in an archived project (which is kept read-only)."""
    project = project_with_slug(slug)
    if project is None:
        raise Http404("No project has this address.")
    check_project_for_staff(request, project)
    return project


def check_project_for_staff(request: HttpRequest, project: Project) -> None:
    """403 if the visitor is not staff, or if they try to change anything in an archived
    project. For a project read in the same query as the thing asked for (its meeting, its
    decision), one query fewer than reading it first."""
    if not rules.has_perm(MANAGE_PROJECT, request.user, project):
        raise PermissionDenied(STAFF_ONLY)
    if project.is_archived and request.method not in SAFE_METHODS:
        raise PermissionDenied(ARCHIVED_READ_ONLY)


def get_meeting_for_staff(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> Meeting:
    """The project's meeting (404 if it is not this project's), after the staff check."""
    meeting = meeting_with_project(slug, meeting_id)
    if meeting is None:
        raise Http404("No meeting of this project has this id.")
    check_project_for_staff(request, meeting.project)
    return meeting


def get_person_for_staff(request: HttpRequest, person_id: uuid.UUID) -> Person:
    """Anyone on the roster, in any project (404 if nobody has this id), for staff only."""
    return get_object_for_user(
        request,
        Person.objects.select_related("user", "payment_choices_recorded_by"),
        MANAGE_PROJECT,
        denied=STAFF_ONLY,
        public_id=person_id,
    )


def get_import_job_for_staff(request: HttpRequest, slug: str, job_id: uuid.UUID) -> RosterImportJob:
    """The project's roster import job (404 if it is not this project's), after the staff
    check."""
    project = get_project_for_staff(request, slug)
    job = get_object_or_404(RosterImportJob, project=project, public_id=job_id)
    job.project = project
    return job
