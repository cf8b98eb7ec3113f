"""The one access check for a project's staff pages."""

from django.http import HttpRequest

from coprod.access import get_object_for_user
from projects.models import Project

STAFF_ONLY = "This page is for staff who run co-production projects."


def get_project_for_staff(request: HttpRequest, slug: str) -> Project:
    """The project with this slug (404 if none), or 403 if the visitor is not staff."""
    return get_object_for_user(
        request, Project.objects.all(), "projects.manage_project", denied=STAFF_ONLY, slug=slug
    )
