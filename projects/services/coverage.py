"""Keeping each project's count of active members per stakeholder group (ProjectGroupCount).

A membership or a person saved one at a time is recounted by the receivers in
projects.signals, wherever the save comes from (a service, the admin, a form). Writes in
bulk (`update()`, `bulk_create`, the roster import) send no signals, so the code doing
them calls `coverage_recount` for the projects it touched.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count

from projects.models import Membership, MembershipStatus, Project, ProjectGroupCount


def coverage_recount(*, project_ids: Iterable[int]) -> None:
    """Count again the active members of each group of these projects: a lock, one grouped
    query, and the rows replaced.

    The projects' rows are locked first, so two transactions changing the same project's
    members recount one after the other, and the later one counts what the earlier one
    committed."""
    project_ids = sorted(set(project_ids))
    if not project_ids:
        return
    with transaction.atomic():
        # In primary-key order, so two recounts of several projects cannot deadlock.
        list(
            Project.objects.select_for_update(no_key=True)
            .filter(pk__in=project_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        counted = (
            Membership.objects.filter(project_id__in=project_ids, status=MembershipStatus.ACTIVE)
            .values_list("project_id", "person__stakeholder_group")
            .annotate(active=Count("pk"))
            .order_by()
        )
        ProjectGroupCount.objects.filter(project_id__in=project_ids).delete()
        ProjectGroupCount.objects.bulk_create(
            [
                ProjectGroupCount(project_id=project_id, stakeholder_group=group, active=active)
                for project_id, group, active in counted
            ]
        )


def coverage_recount_for_people(*, person_ids: Iterable[int]) -> None:
    """Recount the projects in which any of these people is an active member: after their
    stakeholder group changed."""
    person_ids = list(person_ids)
    if not person_ids:
        return
    coverage_recount(
        project_ids=Membership.objects.filter(
            person_id__in=person_ids, status=MembershipStatus.ACTIVE
        )
        .values_list("project_id", flat=True)
        .distinct()
    )


def coverage_recount_all() -> None:
    """Recount every project: after memberships were made in bulk (the demo data) or to
    put the counts right."""
    coverage_recount(project_ids=Project.objects.values_list("pk", flat=True))
