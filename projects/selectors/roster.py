from collections import Counter

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from coprod.core.suppression import suppress_small
from projects.models import (
    CoverageTarget,
    Membership,
    MembershipStatus,
    Project,
)
from stakeholders.models import (
    AgeBand,
    EqualityMonitoring,
    Ethnicity,
    Gender,
    Person,
    StakeholderGroup,
    YesNoPreferNot,
)


def memberships_of(person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("project").order_by("-interested_at")


ROSTER_PER_PAGE = 25


def roster_memberships(project: Project) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(project=project)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )


def roster_page(memberships: QuerySet[Membership], *, page_number) -> Page:
    return Paginator(memberships, ROSTER_PER_PAGE).get_page(page_number)


def project_coverage(project: Project) -> list[dict]:
    """Each stakeholder group with a target or active members: active count, target, gap."""
    active = dict(
        Membership.objects.filter(project=project, status=MembershipStatus.ACTIVE)
        .values_list("person__stakeholder_group")
        .annotate(count=Count("pk"))
    )
    targets = dict(
        CoverageTarget.objects.filter(project=project).values_list("stakeholder_group", "target")
    )
    return [
        {
            "group": group.value,
            "label": group.label,
            "active": active.get(group.value, 0),
            "target": targets.get(group.value, 0),
            "gap": max(targets.get(group.value, 0) - active.get(group.value, 0), 0),
        }
        for group in StakeholderGroup
        if group.value in targets or group.value in active
    ]


def projects_with_largest_gaps(*, limit: int = 5) -> list[dict]:
    """Open projects furthest from their coverage targets, with the groups that are short."""
    active_counts = Counter(
        {
            (row["project_id"], row["person__stakeholder_group"]): row["count"]
            for row in Membership.objects.filter(
                status=MembershipStatus.ACTIVE, project__archived_at=None
            )
            .exclude(project__stage="closed")
            .values("project_id", "person__stakeholder_group")
            .annotate(count=Count("pk"))
        }
    )
    gaps: dict[int, dict] = {}
    targets = (
        CoverageTarget.objects.filter(project__archived_at=None)
        .exclude(project__stage="closed")
        .select_related("project")
    )
    for target in targets:
        short = target.target - active_counts[(target.project_id, target.stakeholder_group)]
        if short <= 0:
            continue
        entry = gaps.setdefault(
            target.project_id, {"project": target.project, "total_gap": 0, "groups": []}
        )
        entry["total_gap"] += short
        entry["groups"].append((target.get_stakeholder_group_display(), short))
    return sorted(gaps.values(), key=lambda entry: -entry["total_gap"])[:limit]


EQUALITY_QUESTIONS = [
    ("age_band", "Age", AgeBand),
    ("gender", "Gender", Gender),
    ("ethnicity", "Ethnic group", Ethnicity),
    ("disability", "Disabled", YesNoPreferNot),
    ("long_term_condition", "Long-term health condition", YesNoPreferNot),
]


def equality_summary(project: Project) -> list[dict]:
    """Counts of the project's members' equality answers; counts under 5 are suppressed."""
    answers = EqualityMonitoring.objects.filter(
        person__memberships__project=project,
        person__memberships__status__in=[MembershipStatus.INTERESTED, MembershipStatus.ACTIVE],
    )
    rows = list(answers.values_list(*[field for field, _, _ in EQUALITY_QUESTIONS]))
    summary = []
    for index, (_, question, choices) in enumerate(EQUALITY_QUESTIONS):
        counts = Counter(row[index] for row in rows if row[index])
        summary.append(
            {
                "question": question,
                "answers": [
                    (choice.label, suppress_small(counts[choice.value]))
                    for choice in choices
                    if counts[choice.value]
                ],
            }
        )
    return summary
