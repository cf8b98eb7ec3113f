from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from coprod.privacy import suppress_small
from projects.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingEmail,
    PaymentPolicy,
    Project,
    Response,
)
from stakeholders.models import (
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    MembershipStatus,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Person,
    StakeholderGroup,
)

PROJECTS_PER_PAGE = 25


def projects_open_to_join() -> QuerySet[Project]:
    return Project.objects.open_to_join().only("name", "slug", "summary")


def project_list_page(*, page_number: str | int | None) -> Page:
    projects = Project.objects.only("name", "slug", "stage", "is_open_to_join")
    return Paginator(projects, PROJECTS_PER_PAGE).get_page(page_number)


def upcoming_invitations_of(person) -> QuerySet[Invitation]:
    """A participant's invitations to meetings still to come, soonest first."""
    return (
        Invitation.objects.filter(person=person, meeting__ends_at__gt=timezone.now())
        .select_related("meeting__project")
        .order_by("meeting__starts_at")
    )


MEETINGS_PER_PAGE = 25
INVITEES_PER_PAGE = 50
INVITABLE_STATUSES = [MembershipStatus.INTERESTED, MembershipStatus.ACTIVE]


class InviteMode:
    """Who a meeting invitation goes to."""

    ALL_ACTIVE = "all"
    GROUPS = "groups"
    CHOSEN = "chosen"
    CHOICES = [
        (ALL_ACTIVE, "All active members of the project"),
        (GROUPS, "Active members in these stakeholder groups"),
        (CHOSEN, "People I choose"),
    ]


def _response_counts() -> dict:
    """Annotations counting a meeting's invitations by answer, in one query."""
    return {
        name: Count("invitations", filter=Q(invitations__response=response))
        for name, response in [
            ("accepted_count", Response.ACCEPTED),
            ("declined_count", Response.DECLINED),
            ("waitlisted_count", Response.WAITLISTED),
            ("no_answer_count", Response.NO_ANSWER),
        ]
    }


def project_meetings_page(project: Project, *, page_number: str | int | None) -> Page:
    """Meetings still to come first (soonest first), then past ones (latest first)."""
    now = timezone.now()
    meetings = (
        Meeting.objects.filter(project=project)
        .annotate(
            is_past=Case(When(ends_at__lte=now, then=Value(1)), default=Value(0)),
            upcoming_order=Case(When(ends_at__gt=now, then=F("starts_at"))),
            **_response_counts(),
        )
        .order_by("is_past", F("upcoming_order").asc(nulls_last=True), "-starts_at", "pk")
    )
    return Paginator(meetings, MEETINGS_PER_PAGE).get_page(page_number)


@dataclass
class MeetingDetail:
    counts: dict[str, int]
    invitations: Page
    failed_emails: list[MeetingEmail]


def meeting_detail(meeting: Meeting, *, page_number: str | int | None = None) -> MeetingDetail:
    """Answers counted by kind, the invitees (with their people) and emails that failed."""
    counted = dict(
        meeting.invitations.values_list("response").annotate(count=Count("pk")).order_by()
    )
    invitations = (
        meeting.invitations.select_related("person")
        .annotate(answer_order=_answer_order())
        .order_by("answer_order", "person__full_name", "pk")
    )
    failed = (
        MeetingEmail.objects.filter(
            invitation__meeting=meeting, failed_at__isnull=False, sent_at=None
        )
        .select_related("invitation__person")
        .order_by("-failed_at", "pk")
    )
    return MeetingDetail(
        counts={response.value: counted.get(response.value, 0) for response in Response},
        invitations=Paginator(invitations, INVITEES_PER_PAGE).get_page(page_number),
        failed_emails=list(failed),
    )


def _answer_order() -> Case:
    return Case(
        When(response=Response.ACCEPTED, then=Value(0)),
        When(response=Response.WAITLISTED, then=Value(1)),
        When(response=Response.NO_ANSWER, then=Value(2)),
        default=Value(3),
    )


def project_people_to_invite(project: Project) -> QuerySet[Person]:
    """Interested or active members who have agreed to be involved: whom staff may pick."""
    return Person.objects.filter(
        involvement_consent_given=True,
        erased_at=None,
        memberships__project=project,
        memberships__status__in=INVITABLE_STATUSES,
    ).order_by("full_name", "pk")


def _invitee_candidates(
    meeting: Meeting, *, mode: str, groups: Iterable[str], people_ids: Iterable
) -> QuerySet[Person]:
    # One filter() call, so the membership conditions apply to the same membership row.
    membership = Q(memberships__project=meeting.project_id)
    if mode == InviteMode.ALL_ACTIVE:
        membership &= Q(memberships__status=MembershipStatus.ACTIVE)
    elif mode == InviteMode.GROUPS:
        membership &= Q(memberships__status=MembershipStatus.ACTIVE)
        membership &= Q(stakeholder_group__in=list(groups))
    elif mode == InviteMode.CHOSEN:
        membership &= Q(memberships__status__in=INVITABLE_STATUSES)
        membership &= Q(public_id__in=list(people_ids))
    else:
        return Person.objects.none()
    return Person.objects.filter(membership, involvement_consent_given=True, erased_at=None)


def meeting_invitees(
    meeting: Meeting, *, mode: str, groups: Iterable[str] = (), people_ids: Iterable = ()
) -> QuerySet[Person]:
    """Who an invitation in this mode would reach: consenting project members, never anyone
    already invited. `mode` is one of InviteMode; `people_ids` are Person public ids."""
    return (
        _invitee_candidates(meeting, mode=mode, groups=groups, people_ids=people_ids)
        .exclude(invitations__meeting=meeting)
        .order_by("full_name", "pk")
    )


def meeting_invitees_already_invited(
    meeting: Meeting, *, mode: str, groups: Iterable[str] = (), people_ids: Iterable = ()
) -> int:
    """How many of the people this mode picks are left out because they are invited."""
    return (
        _invitee_candidates(meeting, mode=mode, groups=groups, people_ids=people_ids)
        .filter(invitations__meeting=meeting)
        .count()
    )


@dataclass
class AttendanceRow:
    person: Person
    response: str | None
    response_label: str
    attendance: Attendance | None


def meeting_attendance_rows(meeting: Meeting) -> list[AttendanceRow]:
    """Everyone invited, those coming first, then anyone marked who came uninvited."""
    marked = {
        attendance.person_id: attendance
        for attendance in meeting.attendances.select_related("person")
    }
    invitations = (
        meeting.invitations.select_related("person")
        .annotate(answer_order=_answer_order())
        .order_by("answer_order", "person__full_name", "pk")
    )
    rows = [
        AttendanceRow(
            person=invitation.person,
            response=invitation.response,
            response_label=invitation.get_response_display(),
            attendance=marked.pop(invitation.person_id, None),
        )
        for invitation in invitations
    ]
    rows += [
        AttendanceRow(
            person=attendance.person,
            response=None,
            response_label="Not invited",
            attendance=attendance,
        )
        for attendance in sorted(marked.values(), key=lambda a: a.person.full_name)
    ]
    return rows


def meeting_walk_in_choices(meeting: Meeting) -> QuerySet[Person]:
    """Project members who could have come without an invitation: not invited, not marked."""
    return (
        project_people_to_invite(meeting.project)
        .exclude(invitations__meeting=meeting)
        .exclude(attendances__meeting=meeting)
        .only("public_id", "full_name", "stakeholder_group")
    )


def meeting_participation_by_group(meeting: Meeting) -> list[dict]:
    """People who came, counted by their stakeholder group on the day; 1 to 4 suppressed."""
    counted = dict(
        meeting.attendances.filter(status=AttendanceStatus.ATTENDED)
        .values_list("stakeholder_group")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [
        {"group": group.value, "label": group.label, "count": suppress_small(counted[group.value])}
        for group in StakeholderGroup
        if counted.get(group.value)
    ]


def upcoming_meetings_panel(*, limit: int = 8) -> list[Meeting]:
    """The next meetings across all projects, with their answers counted: one query.
    The next few are picked first, so only their invitations are counted, not those of
    every meeting still to come."""
    upcoming = (
        Meeting.objects.filter(cancelled_at=None, starts_at__gte=timezone.now())
        .order_by("starts_at", "pk")
        .values("pk")[:limit]
    )
    return list(
        Meeting.objects.filter(pk__in=upcoming)
        .select_related("project")
        .annotate(**_response_counts())
        .order_by("starts_at", "pk")
    )


def meeting_person_to_mark(meeting: Meeting, public_id) -> Person | None:
    """Someone whose attendance may be recorded: invited, already marked, or a member of
    the project who came without an invitation."""
    return (
        Person.objects.filter(public_id=public_id)
        .filter(
            Q(invitations__meeting=meeting)
            | Q(attendances__meeting=meeting)
            | Q(pk__in=project_people_to_invite(meeting.project).values("pk"))
        )
        .distinct()
        .first()
    )


# Involvement payments: the ledger, the budget, finance and the overdue panel ---------------

PENNY = Decimal("0.01")
PAYMENTS_PER_PAGE = 25
FINANCE_ROWS_PER_PAGE = 100
# Totals can pass what one payment may be, so they are summed into a wider field.
MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")
BUDGET_WARNING_PERCENT = 80
UNPAID_FEES = [PaymentStatus.OWED, PaymentStatus.APPROVED]
UNPAID_CLAIMS = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED]


def _signed_amount() -> Case:
    return Case(
        When(kind=PaymentKind.REVERSAL, then=F("amount") * Value(Decimal("-1"))),
        default=F("amount"),
        output_field=MONEY,
    )


@dataclass
class PaymentTotals:
    """Sums to the penny by status; a reversal counts against the paid total."""

    fees: dict[str, Decimal]
    claims: dict[str, Decimal]


def project_payment_totals(project: Project) -> PaymentTotals:
    """Two queries, however many payments and claims the project has."""
    fees = dict(
        Payment.objects.filter(project=project)
        .values_list("status")
        .annotate(total=Sum(_signed_amount()))
        .order_by()
    )
    claims = dict(
        ExpenseClaim.objects.filter(project=project)
        .values_list("status")
        .annotate(total=Sum("amount", output_field=MONEY))
        .order_by()
    )
    return PaymentTotals(
        fees={status: _pounds(fees.get(status)) for status in PaymentStatus.values},
        claims={status: _pounds(claims.get(status)) for status in ClaimStatus.values},
    )


def _pounds(total: Decimal | None) -> Decimal:
    # SQLite sums in floating point; at 15 significant figures that is still exact to the
    # penny, and this puts it back to pounds and pence.
    return (total or ZERO).quantize(PENNY)


def project_budget(project: Project, *, totals: PaymentTotals | None = None) -> dict:
    """The involvement budget against what is spent (paid fees net of reversals, paid
    claims) and committed (fees owed or approved, claims waiting or approved).

    `level` is "ok", "warning" from 80% of the budget used or committed, or "over" from 100%.
    """
    totals = totals or project_payment_totals(project)
    budget = (
        PaymentPolicy.objects.filter(project=project).values_list("budget", flat=True).first()
        or ZERO
    )
    spent = totals.fees[PaymentStatus.PAID] + totals.claims[ClaimStatus.PAID]
    committed = sum((totals.fees[status] for status in UNPAID_FEES), ZERO)
    committed += sum((totals.claims[status] for status in UNPAID_CLAIMS), ZERO)
    used = spent + committed
    if budget <= 0:
        share, level = None, "ok"
    else:
        share = int((used * 100 / budget).to_integral_value(rounding=ROUND_FLOOR))
        if used >= budget:
            level = "over"
        elif used * 100 >= budget * BUDGET_WARNING_PERCENT:
            level = "warning"
        else:
            level = "ok"
    return {
        "budget": budget,
        "spent": spent,
        "committed": committed,
        "remaining": budget - used,
        "share_used": share,
        "level": level,
    }


def project_fees_page(
    project: Project, *, status: str | None, page_number: str | int | None
) -> Page:
    """The project's fees and reversals, newest first, with their people: a fixed number
    of queries whatever the page."""
    fees = Payment.objects.filter(project=project).select_related(
        "person", "reverses", "reversed_by"
    )
    if status:
        fees = fees.filter(status=status)
    return Paginator(fees.order_by("-created_at", "-pk"), PAYMENTS_PER_PAGE).get_page(page_number)


def project_claims_page(
    project: Project, *, status: str | None, page_number: str | int | None
) -> Page:
    claims = ExpenseClaim.objects.filter(project=project).select_related("person", "meeting")
    if status:
        claims = claims.filter(status=status)
    return Paginator(claims.order_by("-submitted_at", "-pk"), PAYMENTS_PER_PAGE).get_page(
        page_number
    )


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    what: str
    record: object
    changed: list[str]


HISTORY_WHAT = {"+": "Created", "~": "Changed", "-": "Deleted"}


def payment_history(payment: Payment) -> list[HistoryEntry]:
    """Every saved change to a payment, oldest first: who made it, when, and which fields."""
    records = list(
        payment.history.select_related("history_user").order_by("history_date", "history_id")
    )
    labels = {field.name: field.verbose_name for field in Payment._meta.fields}
    entries, previous = [], None
    for record in records:
        changed = []
        if previous is not None:
            changed = [labels[change.field] for change in record.diff_against(previous).changes]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                what=HISTORY_WHAT.get(record.history_type, "Changed"),
                record=record,
                changed=changed,
            )
        )
        previous = record
    return entries


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


FINANCE_COLUMNS = [
    "item_type",
    "item_id",
    "owed",
    "person_name",
    "pay_method",
    "money",
    "project_name",
    "activity_text",
    "claim_category",
    "meeting_title",
    "spent",
]


def _approved_fees(date_from: date, date_to: date) -> QuerySet[Payment]:
    return Payment.objects.filter(
        status=PaymentStatus.APPROVED,
        owed_since__date__gte=date_from,
        owed_since__date__lte=date_to,
    )


def _approved_claims(date_from: date, date_to: date) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.filter(
        status=ClaimStatus.APPROVED,
        submitted_at__date__gte=date_from,
        submitted_at__date__lte=date_to,
    )


def finance_approved_items(*, date_from: date, date_to: date) -> QuerySet:
    """Approved fees and approved expense claims owed from `date_from` to `date_to` (UK
    dates), oldest first, as rows of plain values for `finance_rows`: one query."""
    fees = _approved_fees(date_from, date_to).annotate(
        item_type=_text("fee"),
        item_id=F("public_id"),
        owed=F("owed_since"),
        person_name=F("person__full_name"),
        pay_method=F("method"),
        money=F("amount"),
        project_name=F("project__name"),
        activity_text=F("activity"),
        claim_category=_text(""),
        meeting_title=_text(""),
        spent=Value(None, output_field=DateField()),
    )
    claims = _approved_claims(date_from, date_to).annotate(
        item_type=_text("expense"),
        item_id=F("public_id"),
        owed=F("submitted_at"),
        person_name=F("person__full_name"),
        pay_method=F("person__payment_method"),
        money=F("amount"),
        project_name=F("project__name"),
        activity_text=_text(""),
        claim_category=F("category"),
        meeting_title=Coalesce(F("meeting__title"), _text("")),
        spent=F("spent_on"),
    )
    return (
        fees.order_by()
        .values(*FINANCE_COLUMNS)
        .union(claims.order_by().values(*FINANCE_COLUMNS), all=True)
        .order_by("owed", "item_type", "item_id")
    )


def finance_approved_total(*, date_from: date, date_to: date) -> dict:
    """How many approved fees and claims the period has, and their total: two queries."""
    fees = _approved_fees(date_from, date_to).aggregate(
        count=Count("pk"), total=Sum("amount", output_field=MONEY)
    )
    claims = _approved_claims(date_from, date_to).aggregate(
        count=Count("pk"), total=Sum("amount", output_field=MONEY)
    )
    return {
        "fees": fees["count"],
        "claims": claims["count"],
        "total": _pounds(fees["total"]) + _pounds(claims["total"]),
    }


@dataclass
class FinanceRow:
    type: str
    public_id: object
    name: str
    method: str
    amount: Decimal
    project: str
    activity: str
    owed_on: date


METHOD_LABELS = dict(PaymentMethod.choices)
CATEGORY_LABELS = dict(ExpenseCategory.choices)


def finance_rows(items: Iterable[dict]) -> list[FinanceRow]:
    """Rows from `finance_approved_items`, with the words finance reads."""
    rows = []
    for item in items:
        if item["item_type"] == "expense":
            activity = f"Expenses: {CATEGORY_LABELS.get(item['claim_category'], 'other')}"
            if item["meeting_title"]:
                activity += f", {item['meeting_title']}"
            if item["spent"]:
                activity += f" ({item['spent']:%d %b %Y})"
        else:
            activity = item["activity_text"]
        rows.append(
            FinanceRow(
                type=item["item_type"],
                public_id=item["item_id"],
                name=item["person_name"],
                method=METHOD_LABELS.get(item["pay_method"], item["pay_method"] or ""),
                amount=Decimal(item["money"]).quantize(PENNY),
                project=item["project_name"],
                activity=activity,
                owed_on=timezone.localdate(item["owed"]),
            )
        )
    return rows


@dataclass
class OverdueItem:
    type: str
    person_name: str
    project: Project
    amount: Decimal
    status_label: str
    since: datetime
    public_id: object


def overdue_payments_panel(*, limit: int = 8) -> dict:
    """Fees and expense claims still unpaid after COPROD_PAYMENT_OVERDUE_DAYS, oldest first,
    with how many of each: four queries."""
    days = settings.COPROD_PAYMENT_OVERDUE_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    fees = Payment.objects.filter(status__in=UNPAID_FEES, owed_since__lt=cutoff)
    claims = ExpenseClaim.objects.filter(status__in=UNPAID_CLAIMS, submitted_at__lt=cutoff)
    items = [
        OverdueItem(
            type="fee",
            person_name=fee.person.full_name,
            project=fee.project,
            amount=fee.amount,
            status_label=fee.get_status_display(),
            since=fee.owed_since,
            public_id=fee.public_id,
        )
        for fee in fees.select_related("person", "project").order_by("owed_since", "pk")[:limit]
    ] + [
        OverdueItem(
            type="expense",
            person_name=claim.person.full_name,
            project=claim.project,
            amount=claim.amount,
            status_label=claim.get_status_display(),
            since=claim.submitted_at,
            public_id=claim.public_id,
        )
        for claim in claims.select_related("person", "project").order_by("submitted_at", "pk")[
            :limit
        ]
    ]
    items.sort(key=lambda item: item.since)
    return {
        "days": days,
        "fee_count": fees.count(),
        "claim_count": claims.count(),
        "items": items[:limit],
    }
