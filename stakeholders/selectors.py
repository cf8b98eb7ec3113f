"""Reads about people for pages; each runs a fixed number of queries whatever the size."""

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from coprod.privacy import suppress_small
from projects.models import (
    Attendance,
    AttendanceStatus,
    CoverageTarget,
    Invitation,
    Meeting,
    PaymentPolicy,
    Project,
    Response,
)
from stakeholders.models import (
    AgeBand,
    ConsentRecord,
    EqualityMonitoring,
    Ethnicity,
    ExpenseClaim,
    Gender,
    Membership,
    MembershipStatus,
    Payment,
    PaymentMethod,
    Person,
    StakeholderGroup,
    YesNoPreferNot,
)

ROSTER_PER_PAGE = 25


def person_for_user(user) -> Person | None:
    return Person.objects.filter(user=user).prefetch_related("skills").first()


def memberships_of(person: Person) -> QuerySet[Membership]:
    return person.memberships.select_related("project").order_by("-interested_at")


def standing_consents(person: Person) -> dict[str, ConsentRecord]:
    records = ConsentRecord.objects.filter(person=person, withdrawn_at=None).select_related(
        "wording"
    )
    return {record.kind: record for record in records}


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
            for row in Membership.objects.filter(status=MembershipStatus.ACTIVE)
            .exclude(project__stage="closed")
            .values("project_id", "person__stakeholder_group")
            .annotate(count=Count("pk"))
        }
    )
    gaps: dict[int, dict] = {}
    targets = CoverageTarget.objects.exclude(project__stage="closed").select_related("project")
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


# A participant's own payments and expense claims ----------------------------------------

MY_PAYMENTS_PER_PAGE = 20
CLAIMABLE_MEETINGS_SINCE = timedelta(days=365)


def projects_of_person(person: Person) -> QuerySet[Project]:
    """Projects a person has joined (whether or not they still take part) or attended."""
    joined = Membership.objects.filter(project=OuterRef("pk"), person=person)
    attended = Attendance.objects.filter(
        meeting__project=OuterRef("pk"), person=person, status=AttendanceStatus.ATTENDED
    )
    return Project.objects.filter(Exists(joined) | Exists(attended)).order_by("name")


def payment_policies_for(projects: Iterable[Project]) -> dict[int, PaymentPolicy]:
    """Each project's payment policy, by project id; a project without one gets the defaults."""
    projects = list(projects)
    saved = {
        policy.project_id: policy
        for policy in PaymentPolicy.objects.filter(project__in=[project.pk for project in projects])
    }
    return {
        project.pk: saved.get(project.pk) or PaymentPolicy(project=project) for project in projects
    }


def payment_methods_offered_to(person: Person) -> list[str]:
    """The ways of being paid that the person's projects offer; both if none offers any."""
    policies = payment_policies_for(projects_of_person(person)).values()
    offered = {
        PaymentMethod.BANK_TRANSFER: any(policy.offers_bank_transfer for policy in policies),
        PaymentMethod.VOUCHER: any(policy.offers_voucher for policy in policies),
    }
    return [method for method, on in offered.items() if on] or list(PaymentMethod.values)


def meetings_to_claim_for(person: Person) -> QuerySet[Meeting]:
    """Meetings of the last year (or to come) the person attended or said they would come to."""
    attended = Attendance.objects.filter(
        meeting=OuterRef("pk"), person=person, status=AttendanceStatus.ATTENDED
    )
    accepted = Invitation.objects.filter(
        meeting=OuterRef("pk"), person=person, response=Response.ACCEPTED
    )
    return (
        Meeting.objects.filter(
            Exists(attended) | Exists(accepted),
            cancelled_at=None,
            starts_at__gte=timezone.now() - CLAIMABLE_MEETINGS_SINCE,
        )
        .select_related("project")
        .order_by("-starts_at")
    )


def my_payments_page(person: Person, *, page_number: str | int | None) -> Page:
    payments = (
        Payment.objects.filter(person=person)
        .select_related("project")
        .order_by("-created_at", "-pk")
    )
    return Paginator(payments, MY_PAYMENTS_PER_PAGE).get_page(page_number)


def my_claims_page(person: Person, *, page_number: str | int | None) -> Page:
    claims = (
        ExpenseClaim.objects.filter(person=person)
        .select_related("project", "meeting")
        .order_by("-submitted_at", "-pk")
    )
    return Paginator(claims, MY_PAYMENTS_PER_PAGE).get_page(page_number)
