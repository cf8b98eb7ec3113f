"""The one access check for a project's staff pages, and for its meetings."""

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from coprod.core.access import get_object_for_user
from projects.models import Meeting, Project

STAFF_ONLY = "This page is for staff who run co-production projects."


def get_project_for_staff(request: HttpRequest, slug: str) -> Project:
    """The project with this slug (404 if none), or 403 if the visitor is not staff."""
    return get_object_for_user(
        request, Project.objects.all(), "projects.manage_project", denied=STAFF_ONLY, slug=slug
    )


def get_meeting_for_staff(request: HttpRequest, slug: str, meeting_id: uuid.UUID) -> Meeting:
    """The project's meeting (404 if it is not this project's), after the staff check."""
    project = get_project_for_staff(request, slug)
    meeting = get_object_or_404(Meeting, project=project, public_id=meeting_id)
    meeting.project = project
    return meeting
