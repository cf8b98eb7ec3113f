from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    QuerySet,
)

from coprod.core.compiled import CompiledQuery
from projects.models import Project

PROJECTS_PER_PAGE = 25


PROJECT_FIELDS = tuple(field.attname for field in Project._meta.concrete_fields)

# Every project page (its staff pages, its report, its sign-up page) reads its project by
# slug first: building and compiling that query through the ORM each time cost more than
# running it.
_PROJECT_WITH_SLUG = CompiledQuery(
    lambda slug: Project.objects.filter(slug=slug).values_list(*PROJECT_FIELDS), slug=str
)


def project_with_slug(slug: str) -> Project | None:
    """The project with this slug, if any: the same object as Project.objects.get(slug=...)
    gives."""
    rows = _PROJECT_WITH_SLUG.rows(slug=slug)
    return Project.from_db(DEFAULT_DB_ALIAS, PROJECT_FIELDS, rows[0]) if rows else None


def projects_open_to_join() -> QuerySet[Project]:
    return Project.objects.open_to_join().only("name", "slug", "summary")


def project_list_page(*, page_number: str | int | None) -> Page:
    """Projects not archived, one page of them, each a dict of the fields the list shows
    (with `lead__name` and `lead__email`, None when no one leads it): building model
    instances for a page of projects and their leads costs more than the query itself."""
    projects = Project.objects.current().values(
        "name", "slug", "stage", "is_open_to_join", "lead_id", "lead__name", "lead__email"
    )
    return Paginator(projects, PROJECTS_PER_PAGE).get_page(page_number)


def archived_projects_page(*, page_number: str | int | None) -> Page:
    """Archived projects, most recently archived first."""
    projects = (
        Project.objects.exclude(archived_at=None)
        .only("name", "slug", "archived_at")
        .order_by("-archived_at", "pk")
    )
    return Paginator(projects, PROJECTS_PER_PAGE).get_page(page_number)
