from django.core.paginator import Page, Paginator
from django.db.models import (
    QuerySet,
)

from projects.models import Project

PROJECTS_PER_PAGE = 25


def projects_open_to_join() -> QuerySet[Project]:
    return Project.objects.open_to_join().only("name", "slug", "summary")


def project_list_page(*, page_number: str | int | None) -> Page:
    projects = Project.objects.only("name", "slug", "stage", "is_open_to_join")
    return Paginator(projects, PROJECTS_PER_PAGE).get_page(page_number)
