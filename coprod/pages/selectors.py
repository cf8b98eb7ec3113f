"""Reads for the staff dashboard: what is waiting for staff, and how things are going.

Each function runs a fixed number of queries however many rows there are: the database
counts and finds the oldest item of each kind, and only that one row is loaded.
"""

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from coprod.core.outbox import undelivered
from coprod.core.suppression import SMALL_COUNT_THRESHOLD, WITHHELD
from decisions.models import Action, ActionStatus, Decision, LadderRung, VoteEmail
from decisions.selectors.decisions import open_actions_panel, recent_decisions_panel
from evidence.models import EvidenceKind, EvidenceRecord
from evidence.selectors import recent_evidence_panel
from projects.models import (
    Attendance,
    AttendanceStatus,
    BenefitRule,
    ClaimStatus,
    CoverageTarget,
    EmailKind,
    ExpenseClaim,
    Invitation,
    Meeting,
    MeetingEmail,
    Membership,
    MembershipStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    Project,
    ProjectInvitation,
    Response,
    Stage,
)
from projects.selectors.benefits import benefit_rules_last_updated
from projects.selectors.fee_waits import fee_waits_by_quarter
from projects.selectors.meetings import upcoming_meetings_panel
from projects.selectors.payments import (
    fees_past_target,
    overdue_payments_panel,
    wait_median,
    wait_percentile,
)
from projects.selectors.roster import coverage_shortfalls, projects_with_largest_gaps
from stakeholders.models import (
    ErasureRequest,
    Person,
    SigninLink,
    StakeholderGroup,
    SubjectAccessRequest,
)

# A project whose voices are missing is listed when its next meeting is this close.
MISSING_VOICES_WITHIN = timedelta(days=14)
# An open vote is listed as closing soon from this long before its closing date.
VOTES_CLOSING_WITHIN = timedelta(days=7)
# How many votes closing soon the entry names, soonest first.
VOTES_CLOSING_SHOWN = 5
# How many quarters the chart of days from attending to being paid goes back.
PAYMENT_QUARTERS = 4
# Rungs at which people shared the power to decide.
SHARED_POWER_RUNGS = [LadderRung.CO_DESIGN, LadderRung.CO_PRODUCTION]


@dataclass
class ToDo:
    """One kind of work waiting for staff: how much, how old the oldest is, where to do it."""

    kind: str
    title: str
    count: int
    # The day the oldest item started waiting: the list puts the oldest work first.
    since: date
    age: str
    url: str
    link_text: str
    # Where the oldest item is, and how many other projects have some too.
    where: str = ""
    other_projects: int = 0
    late: bool = False
    # More items after the first, when an entry names each of them.
    more: list[str] = field(default_factory=list)


def _days(number: int) -> str:
    return f"{number} day{'' if number == 1 else 's'}"


def _ago(day: date, today: date) -> str:
    days = (today - day).days
    return "today" if days <= 0 else f"{_days(days)} ago"


def _waited(since: date, today: date) -> str:
    days = (today - since).days
    return "The oldest came in today." if days <= 0 else f"The oldest has waited {_days(days)}."


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _first_of(queryset: QuerySet, *, order_by: list[str], project: str | None):
    """How many items there are (and in how many projects), and the oldest one: two queries,
    or one when there are none."""
    totals = {"count": Count("pk")}
    if project:
        totals["projects"] = Count(project, distinct=True)
    counted = queryset.aggregate(**totals)
    if not counted["count"]:
        return counted, None
    return counted, queryset.order_by(*order_by, "pk").first()


def _others(counted: dict) -> int:
    return max(counted.get("projects", 1) - 1, 0)


def signups_to_welcome(today: date) -> ToDo | None:
    """Interested members of projects still running, not erased: read from the index of
    interested memberships, leaving out the few erased people and the few projects
    archived or closed by their ids rather than joining every person. Two queries, or one
    when there are none."""
    running = Project.objects.current().exclude(stage=Stage.CLOSED).values("pk")
    erased = Person.objects.exclude(erased_at=None).values("pk")
    waiting = Membership.objects.filter(
        status=MembershipStatus.INTERESTED, project__in=running
    ).exclude(person__in=erased)
    counted = waiting.aggregate(count=Count("pk"), projects=Count("project", distinct=True))
    if not counted["count"]:
        return None
    oldest = (
        waiting.order_by("interested_at", "pk")
        .values("interested_at", "project__slug", "project__name")
        .first()
    )
    since = _local_day(oldest["interested_at"])
    return ToDo(
        kind="signups",
        title="New sign-ups to welcome",
        count=counted["count"],
        since=since,
        age=f"The oldest signed up {_ago(since, today)}.",
        url=reverse("projects:roster", args=[oldest["project__slug"]]) + "?status=interested",
        link_text="Welcome them on the roster",
        where=oldest["project__name"],
        other_projects=_others(counted),
    )


def fees_to_approve(today: date) -> ToDo | None:
    waiting = Payment.objects.filter(kind=PaymentKind.FEE, status=PaymentStatus.OWED)
    counted, oldest = _first_of(
        waiting.select_related("project").only("owed_since", "project__slug", "project__name"),
        order_by=["owed_since"],
        project="project",
    )
    if oldest is None:
        return None
    since = _local_day(oldest.owed_since)
    return ToDo(
        kind="fees",
        title="Fees waiting for approval",
        count=counted["count"],
        since=since,
        age=_waited(since, today),
        url=reverse("projects:payments", args=[oldest.project.slug]) + "?status=owed",
        link_text="Approve fees",
        where=oldest.project.name,
        other_projects=_others(counted),
    )


def fees_late(today: date) -> ToDo | None:
    """Fees not yet paid whose project's target days from the meeting have passed: two
    queries, or one when there are none, read from the index of fees unpaid by the
    meeting's start each keeps."""
    late = fees_past_target(today=today)
    counted = late.aggregate(count=Count("pk"), projects=Count("project", distinct=True))
    if not counted["count"]:
        return None
    oldest = late.values(
        "meeting_starts_at", "project__slug", "project__name", "project__payment_target_days"
    ).first()
    since = _local_day(oldest["meeting_starts_at"])
    name = oldest["project__name"]
    return ToDo(
        kind="fees-late",
        title="Fees past their project's target for paying people",
        count=counted["count"],
        since=since,
        age=f"The oldest is for a meeting {_ago(since, today)}; {name} aims "
        f"to pay within {_days(oldest['project__payment_target_days'])}.",
        url=reverse("projects:payments", args=[oldest["project__slug"]]),
        link_text="Approve and pay these fees",
        where=name,
        other_projects=_others(counted),
        late=True,
    )


def claims_to_approve(today: date) -> ToDo | None:
    waiting = ExpenseClaim.objects.filter(status=ClaimStatus.SUBMITTED)
    counted, oldest = _first_of(
        waiting.select_related("project").only("submitted_at", "project__slug", "project__name"),
        order_by=["submitted_at"],
        project="project",
    )
    if oldest is None:
        return None
    since = _local_day(oldest.submitted_at)
    return ToDo(
        kind="claims",
        title="Expense claims waiting for approval",
        count=counted["count"],
        since=since,
        age=_waited(since, today),
        url=reverse("projects:payments", args=[oldest.project.slug])
        + "?show=claims&status=submitted",
        link_text="Decide on claims",
        where=oldest.project.name,
        other_projects=_others(counted),
    )


def one_calendar_month_after(day: date) -> date:
    """UK GDPR's "one month": the same date next month, or that month's last day when it
    has no such date (31 January → 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _legal_month_left(since: date, today: date) -> tuple[str, bool]:
    """When the oldest request must be answered, within one calendar month, and whether
    that day has passed."""
    due = one_calendar_month_after(since)
    left = (due - today).days
    if left < 0:
        return f"The oldest was due by {due:%-d %B %Y}: {_days(-left)} late.", True
    if left == 0:
        return "The oldest must be done today.", False
    return f"The oldest must be done by {due:%-d %B %Y}: {_days(left)} left.", False


def one_year_before(day: date) -> date:
    """The same date a year earlier; 28 February for 29 February."""
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def benefit_rules_to_check(today: date) -> ToDo | None:
    """The benefit figures change every April: when the newest one in force took effect
    over a year ago, an April has been missed. Two queries."""
    last = benefit_rules_last_updated(today)
    if last is not None and last >= one_year_before(today):
        return None
    kinds = BenefitRule.objects.filter(effective_from__lte=today).values("kind").distinct()
    return ToDo(
        kind="benefit-rules",
        title="Benefit rules to check against GOV.UK",
        count=kinds.count(),
        since=last or today,
        age=(
            f"The benefit rules coprod uses were last updated on {last:%-d %B %Y}. "
            "Check them against GOV.UK."
            if last
            else "coprod holds no benefit rules. Add them from GOV.UK."
        ),
        url=reverse("admin:projects_benefitrule_changelist"),
        link_text="See the benefit rules (administrators can add the new figures)",
        late=True,
    )


def erasures_to_confirm(today: date) -> ToDo | None:
    counted, oldest = _first_of(
        ErasureRequest.objects.filter(confirmed_at=None), order_by=["requested_at"], project=None
    )
    if oldest is None:
        return None
    since = _local_day(oldest.requested_at)
    age, late = _legal_month_left(since, today)
    return ToDo(
        kind="erasures",
        title="Requests to erase someone's details",
        count=counted["count"],
        since=since,
        age=age,
        url=reverse("stakeholders:erasure_requests"),
        link_text="Confirm erasure requests",
        late=late,
    )


def subject_access_to_answer(today: date) -> ToDo | None:
    """Requests for a copy of someone's data not yet answered by an export, the oldest
    first: two queries, or one when there are none."""
    counted, oldest = _first_of(
        SubjectAccessRequest.objects.filter(answered_at=None).select_related("person"),
        order_by=["received_on"],
        project=None,
    )
    if oldest is None:
        return None
    age, late = _legal_month_left(oldest.received_on, today)
    return ToDo(
        kind="subject-access",
        title="Subject-access requests waiting",
        count=counted["count"],
        since=oldest.received_on,
        age=age,
        url=reverse("stakeholders:sar", args=[oldest.person.public_id]),
        link_text=f"Give {oldest.person.full_name} a copy of their data",
        late=late,
    )


def support_to_arrange(today: date, now: datetime) -> ToDo | None:
    """People who said in their answer that they need support to come to a meeting still
    to come, until staff mark it as arranged, the meeting starts or the person says they
    are not coming."""
    asked = (
        Invitation.objects.filter(
            Q(needs_support=True) | ~Q(support_note=""),
            support_arranged_at=None,
            meeting__starts_at__gt=now,
            meeting__cancelled_at=None,
            meeting__project__archived_at=None,
            person__involvement_consent_given=True,
            person__erased_at=None,
        )
        .exclude(response__in=[Response.DECLINED, Response.WITHDRAWN])
        .annotate(asked_at=Coalesce("responded_at", "created_at"))
    )
    counted, oldest = _first_of(
        asked.select_related("meeting__project").only(
            "meeting__public_id",
            "meeting__title",
            "meeting__starts_at",
            "meeting__project__slug",
            "meeting__project__name",
        ),
        order_by=["asked_at"],
        project="meeting__project",
    )
    if oldest is None:
        return None
    since = _local_day(oldest.asked_at)
    meeting = oldest.meeting
    return ToDo(
        kind="support",
        title="Support to arrange for meetings",
        count=counted["count"],
        since=since,
        age=f"The oldest request came {_ago(since, today)}, for {meeting.title} on "
        f"{timezone.localtime(meeting.starts_at):%-d %B}.",
        url=meeting.get_absolute_url() + "#answers-heading",
        link_text="See what support people need",
        where=meeting.project.name,
        other_projects=_others(counted),
    )


@dataclass
class _Undelivered:
    """The oldest message of one outbox that failed or did not arrive, and how many."""

    count: int
    projects: int
    gave_up_at: datetime
    bounced: bool
    about: str
    url: str
    where: str


def _oldest_undelivered(queryset: QuerySet, *, project: str | None, select: list[str]):
    counted, oldest = _first_of(
        queryset.annotate(gave_up_at=Coalesce("bounced_at", "failed_at")).select_related(*select),
        order_by=["gave_up_at"],
        project=project,
    )
    return counted, oldest


def _meeting_messages(now: datetime) -> _Undelivered | None:
    """About meetings still to come, to people who may still be contacted: a failed
    cancellation matters even though the meeting is off."""
    failed = MeetingEmail.objects.filter(
        Q(invitation__meeting__cancelled_at=None) | Q(kind=EmailKind.CANCELLATION),
        undelivered(),
        invitation__meeting__ends_at__gt=now,
        invitation__meeting__project__archived_at=None,
        invitation__person__involvement_consent_given=True,
        invitation__person__erased_at=None,
    ).exclude(invitation__response=Response.WITHDRAWN)
    counted, oldest = _oldest_undelivered(
        failed, project="invitation__meeting__project", select=["invitation__meeting__project"]
    )
    if oldest is None:
        return None
    meeting = oldest.invitation.meeting
    return _Undelivered(
        count=counted["count"],
        projects=counted["projects"],
        gave_up_at=oldest.gave_up_at,
        bounced=oldest.bounced_at is not None,
        about=meeting.title,
        url=meeting.get_absolute_url() + "#failed-emails",
        where=meeting.project.name,
    )


def _vote_messages() -> _Undelivered | None:
    """Messages saying a vote is open, while the vote is still open."""
    failed = VoteEmail.objects.filter(
        undelivered(),
        decision__voting_open=True,
        decision__project__archived_at=None,
        person__involvement_consent_given=True,
        person__erased_at=None,
    )
    counted, oldest = _oldest_undelivered(
        failed, project="decision__project", select=["decision__project", "person"]
    )
    if oldest is None:
        return None
    return _Undelivered(
        count=counted["count"],
        projects=counted["projects"],
        gave_up_at=oldest.gave_up_at,
        bounced=oldest.bounced_at is not None,
        about=f"the vote on {oldest.decision.title}, to {oldest.person.full_name}",
        url=oldest.decision.get_absolute_url(),
        where=oldest.decision.project.name,
    )


def _pool_invitation_messages() -> _Undelivered | None:
    """Invitations to join a project that the person has not answered."""
    failed = ProjectInvitation.objects.filter(
        Q(failed_at__isnull=False) | Q(bounced_at__isnull=False),
        withdrawn_at=None,
        answer="",
        project__archived_at=None,
        person__involvement_consent_given=True,
        person__erased_at=None,
    )
    counted, oldest = _oldest_undelivered(failed, project="project", select=["project", "person"])
    if oldest is None:
        return None
    return _Undelivered(
        count=counted["count"],
        projects=counted["projects"],
        gave_up_at=oldest.gave_up_at,
        bounced=oldest.bounced_at is not None,
        about=f"an invitation to join {oldest.project.name}, to {oldest.person.full_name}",
        url=reverse("projects:person", args=[oldest.person.public_id]),
        where=oldest.project.name,
    )


def _signin_link_messages() -> _Undelivered | None:
    """Sign-in links not yet used, to people not erased."""
    failed = SigninLink.objects.filter(undelivered(), used_at=None, person__erased_at=None)
    counted, oldest = _oldest_undelivered(failed, project=None, select=["person"])
    if oldest is None:
        return None
    return _Undelivered(
        count=counted["count"],
        projects=0,
        gave_up_at=oldest.gave_up_at,
        bounced=oldest.bounced_at is not None,
        about=f"a sign-in link to {oldest.person.full_name}",
        url=reverse("projects:person", args=[oldest.person.public_id]),
        where="",
    )


def _what_happened(item: _Undelivered, today: date) -> str:
    since = _ago(_local_day(item.gave_up_at), today)
    if item.bounced:
        return f"did not arrive (we heard {since}), for {item.about}"
    return f"failed {since}, for {item.about}"


def messages_not_delivered(today: date, now: datetime) -> ToDo | None:
    """Emails and text messages that could not be sent, or that a delivery receipt says
    never arrived: about meetings, votes, invitations to join and sign-in links. The entry
    leads to the oldest; the others are named after it, oldest first."""
    found = sorted(
        (
            item
            for item in (
                _meeting_messages(now),
                _vote_messages(),
                _pool_invitation_messages(),
                _signin_link_messages(),
            )
            if item
        ),
        key=lambda item: item.gave_up_at,
    )
    if not found:
        return None
    oldest, *others = found
    return ToDo(
        kind="emails",
        title="Emails and texts that failed or did not arrive",
        count=sum(item.count for item in found),
        since=_local_day(oldest.gave_up_at),
        age=f"The oldest {_what_happened(oldest, today)}.",
        url=oldest.url,
        link_text="Try again or contact them another way",
        where=oldest.where,
        other_projects=max(oldest.projects - 1, 0),
        more=[f"{item.count} more: the oldest {_what_happened(item, today)}." for item in others],
    )


def actions_overdue(today: date) -> ToDo | None:
    overdue = Action.objects.filter(
        status=ActionStatus.OPEN, due_on__lt=today, decision__project__archived_at=None
    )
    counted, oldest = _first_of(
        overdue.select_related("decision__project").only(
            "due_on",
            "description",
            "decision__public_id",
            "decision__project__slug",
            "decision__project__name",
        ),
        order_by=["due_on"],
        project="decision__project",
    )
    if oldest is None:
        return None
    decision = oldest.decision
    return ToDo(
        kind="actions",
        title="Actions overdue",
        count=counted["count"],
        since=oldest.due_on,
        age=f"The oldest was due {_ago(oldest.due_on, today)}: {oldest.description}.",
        url=decision.get_absolute_url() + "#actions",
        link_text="Update the actions",
        where=decision.project.name,
        other_projects=_others(counted),
        late=True,
    )


def _closing(closes_on: date, today: date) -> str:
    days = (closes_on - today).days
    if days < 0:
        return f"closing date passed {_days(-days)} ago, on {closes_on:%A %-d %B}"
    when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {_days(days)}"
    return f"closes {when}, on {closes_on:%A %-d %B}"


def votes_closing_soon(today: date) -> ToDo | None:
    """Open votes whose closing date is in the next 7 days or has passed, soonest first:
    two queries, or one when there are none. Each started waiting a week before it closes."""
    closing = Decision.objects.filter(
        voting_open=True,
        voting_closes_on__lte=today + VOTES_CLOSING_WITHIN,
        project__archived_at=None,
    )
    counted = closing.aggregate(count=Count("pk"), projects=Count("project", distinct=True))
    if not counted["count"]:
        return None
    soonest, *others = (
        closing.select_related("project")
        .only("public_id", "title", "voting_closes_on", "project__slug", "project__name")
        .order_by("voting_closes_on", "pk")[:VOTES_CLOSING_SHOWN]
    )
    return ToDo(
        kind="votes-closing",
        title="Votes closing soon",
        count=counted["count"],
        since=soonest.voting_closes_on - VOTES_CLOSING_WITHIN,
        age=f"The soonest {_closing(soonest.voting_closes_on, today)}: {soonest.title}.",
        url=soonest.get_absolute_url() + "#votes",
        link_text="See the vote and close it",
        where=soonest.project.name,
        other_projects=_others(counted),
        late=soonest.voting_closes_on < today,
        more=[
            f"{decision.title} ({decision.project.name}): "
            f"{_closing(decision.voting_closes_on, today)}."
            for decision in others
        ],
    )


def votes_open(today: date) -> ToDo | None:
    """Decisions with voting open and no closing date, the longest open first: the time a
    vote has been open stands in for how soon it should close. It opened when the decision
    was first saved with voting open (its history), or else when it was made."""
    history = Decision.history.model.objects.filter(id=OuterRef("pk"), voting_open=True)
    first_open = history.order_by("history_date").values("history_date")[:1]
    opened = Decision.objects.filter(
        voting_open=True, voting_closes_on=None, project__archived_at=None
    ).annotate(opened_at=Coalesce(Subquery(first_open), "created_at"))
    counted, oldest = _first_of(
        opened.select_related("project").only(
            "public_id", "title", "project__slug", "project__name"
        ),
        order_by=["opened_at"],
        project="project",
    )
    if oldest is None:
        return None
    since = _local_day(oldest.opened_at)
    return ToDo(
        kind="votes",
        title="Votes open with no closing date",
        count=counted["count"],
        since=since,
        age=f"The oldest opened {_ago(since, today)}: {oldest.title}. Votes have no closing "
        "date, so close each when people have had their say.",
        url=oldest.get_absolute_url(),
        link_text="See the votes and close them",
        where=oldest.project.name,
        other_projects=_others(counted),
    )


def voices_missing_before_meetings(today: date, now: datetime) -> ToDo | None:
    """Projects short of a coverage target with a meeting in the next 14 days: two queries.
    Read from the index of meetings by start, not by grouping every project's meetings."""
    running = Project.objects.current().exclude(stage=Stage.CLOSED).values("pk")
    soon = (
        Meeting.objects.filter(
            cancelled_at=None,
            starts_at__gt=now,
            starts_at__lte=now + MISSING_VOICES_WITHIN,
            project__in=running,
        )
        .values("project", "project__slug", "project__name")
        .annotate(next_meeting=Min("starts_at"))
        .order_by()
    )
    projects = {
        row["project"]: {
            "slug": row["project__slug"],
            "name": row["project__name"],
            "next_meeting": row["next_meeting"],
        }
        for row in soon
    }
    if not projects:
        return None
    short = coverage_shortfalls(list(projects))
    if not short:
        return None
    soonest = min(short, key=lambda pk: (projects[pk]["next_meeting"], projects[pk]["slug"]))
    project = projects[soonest]
    meeting_day = _local_day(project["next_meeting"])
    days = (meeting_day - today).days
    groups = ", ".join(f"{label} ({missing})" for label, missing in short[soonest])
    return ToDo(
        kind="voices",
        title="Voices missing before a meeting",
        count=len(short),
        since=today,
        age=f"The soonest meeting is {'today' if days <= 0 else 'in ' + _days(days)}, "
        f"still short of: {groups}.",
        url=reverse("projects:finder", args=[project["slug"]]),
        link_text="Find and invite people",
        where=project["name"],
        other_projects=len(short) - 1,
    )


def dashboard_todo(*, now: datetime | None = None) -> list[ToDo]:
    """Everything waiting for staff, one entry per kind, the longest-waiting first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    entries = [
        signups_to_welcome(today),
        fees_to_approve(today),
        fees_late(today),
        claims_to_approve(today),
        erasures_to_confirm(today),
        subject_access_to_answer(today),
        benefit_rules_to_check(today),
        support_to_arrange(today, now),
        messages_not_delivered(today, now),
        actions_overdue(today),
        votes_closing_soon(today),
        votes_open(today),
        voices_missing_before_meetings(today, now),
    ]
    return sorted((entry for entry in entries if entry), key=lambda entry: entry.since)


def dashboard_panels(todo: list[ToDo]) -> dict:
    """The dashboard's panels across all projects; `todo` is the to-do list, which has
    counted the overdue actions already."""
    return {
        "upcoming_meetings": upcoming_meetings_panel(),
        "coverage_gaps": projects_with_largest_gaps(),
        "overdue_payments": overdue_payments_panel(),
        "open_actions": open_actions_panel(),
        "overdue_actions": next((entry.count for entry in todo if entry.kind == "actions"), 0),
        "recent_decisions": recent_decisions_panel(),
        "recent_evidence": recent_evidence_panel(),
    }


# Figures: how things are going this quarter.


@dataclass
class Quarter:
    first_day: date
    last_day: date

    @property
    def label(self) -> str:
        return f"{self.first_day:%-d %B} to {self.last_day:%-d %B %Y}"

    @property
    def short_label(self) -> str:
        return f"{self.first_day:%b}–{self.last_day:%b %Y}"

    def starts(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    def ends(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))


def quarter_of(day: date, *, back: int = 0) -> Quarter:
    """The calendar quarter (January to March, …) holding `day`, or `back` quarters before."""
    index = day.year * 4 + (day.month - 1) // 3 - back
    year, first_month = index // 4, index % 4 * 3 + 1
    last_month = first_month + 2
    return Quarter(
        first_day=date(year, first_month, 1),
        last_day=date(year, last_month, calendar.monthrange(year, last_month)[1]),
    )


@dataclass
class Figure:
    key: str
    title: str
    headline: str
    caption: str
    # The rows of the table beside the chart: a label and one value per column.
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    detail: str = ""


def people_active_figure(quarter: Quarter) -> Figure:
    """People who came to at least one meeting this quarter, by the group they came as,
    against the coverage targets of the projects not closed: three queries. Someone who
    came to two projects' meetings counts in each, as targets are set per project."""
    attended = Attendance.objects.filter(
        status=AttendanceStatus.ATTENDED,
        meeting__starts_at__gte=quarter.starts(),
        meeting__starts_at__lt=quarter.ends(),
    )
    people = attended.aggregate(count=Count("person", distinct=True))["count"]
    active = Counter()
    for row in (
        attended.values("stakeholder_group", "meeting__project")
        .annotate(count=Count("person", distinct=True))
        .order_by()
    ):
        active[row["stakeholder_group"]] += row["count"]
    targets = dict(
        CoverageTarget.objects.exclude(project__stage=Stage.CLOSED)
        .filter(project__archived_at=None)
        .values_list("stakeholder_group")
        .annotate(total=Sum("target"))
        .order_by()
    )
    rows = [
        (group.label, active[group.value], targets.get(group.value, 0))
        for group in StakeholderGroup
        if active[group.value] or targets.get(group.value)
    ]
    return Figure(
        key="people",
        title="People active this quarter",
        headline=f"{people} {'person' if people == 1 else 'people'}",
        caption="People who came to a meeting this quarter in each group, against the "
        "targets of every project not closed",
        columns=["Group", "Came", "Target"],
        rows=rows,
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": [row[0] for row in rows],
            "datasets": [
                {"label": "Came", "data": [row[1] for row in rows]},
                {"label": "Target", "data": [row[2] for row in rows]},
            ],
            "axis": "People",
        },
    )


def _days_text(days: float) -> str:
    shown = f"{days:g}"
    return f"{shown} day{'' if shown == '1' else 's'}"


def payment_wait_figure(quarter: Quarter) -> Figure:
    """The median days from a meeting to its fee being paid, by the quarter it was paid in,
    for the last four quarters: one query, of the counts kept as fees are paid."""
    quarters = [quarter_of(quarter.first_day, back=back) for back in range(PAYMENT_QUARTERS)][::-1]
    histograms = fee_waits_by_quarter([q.first_day for q in quarters])
    by_quarter = [histograms[q.first_day] for q in quarters]
    # A figure resting on fewer than 5 payments is not shown: it would describe a person.
    shown = [sum(histogram.values()) >= SMALL_COUNT_THRESHOLD for histogram in by_quarter]
    medians = [
        wait_median(histogram) if ok else None
        for histogram, ok in zip(by_quarter, shown, strict=True)
    ]
    p90s = [
        wait_percentile(histogram, 90) if ok else None
        for histogram, ok in zip(by_quarter, shown, strict=True)
    ]
    return Figure(
        key="payment-wait",
        title="Days from attending to being paid",
        headline=_wait_headline(by_quarter[-1], medians[-1], p90s[-1]),
        caption="The median days from a meeting to its fee being paid, and the days within "
        "which 9 in 10 were paid (90th percentile), by the quarter they were paid in. A "
        "quarter with fewer than 5 fees paid is not shown",
        columns=["Quarter", "Median days", "9 in 10 paid within (days)"],
        rows=[
            (q.short_label, *_wait_cells(histogram, median, p90))
            for q, histogram, median, p90 in zip(quarters, by_quarter, medians, p90s, strict=True)
        ],
        chart={
            "type": "bar",
            "horizontal": False,
            "labels": [q.short_label for q in quarters],
            "datasets": [
                {"label": "Median days", "data": medians},
                {"label": "9 in 10 paid within", "data": p90s},
            ],
            "axis": "Days",
        },
    )


def _wait_cells(histogram: Counter, median: float | None, p90: int | None) -> tuple[str, str]:
    if not histogram:
        return "none paid", "none paid"
    if median is None:
        return WITHHELD, WITHHELD
    return f"{median:g}", f"{p90:g}"


def _wait_headline(histogram: Counter, median: float | None, p90: int | None) -> str:
    if not histogram:
        return "No fees paid yet this quarter"
    if median is None:
        return f"Fewer than {SMALL_COUNT_THRESHOLD} fees paid this quarter"
    return f"{_days_text(median)}; 9 in 10 within {_days_text(p90)}"


def decisions_by_rung_figure(quarter: Quarter) -> Figure:
    """Decisions made this quarter at each rung of the ladder: one query."""
    counts = dict(
        Decision.objects.filter(decided_on__gte=quarter.first_day, decided_on__lte=quarter.last_day)
        .values_list("ladder_rung")
        .annotate(count=Count("pk"))
        .order_by()
    )
    total = sum(counts.values())
    shared = sum(counts.get(rung.value, 0) for rung in SHARED_POWER_RUNGS)
    rows = [(rung.label, counts.get(rung.value, 0)) for rung in LadderRung]
    return Figure(
        key="ladder",
        title="Decisions by rung of the ladder",
        headline=f"{total} decision{'' if total == 1 else 's'}",
        detail=f"{shared} co-designed or co-produced",
        caption="Decisions made this quarter at each rung of the co-production ladder, "
        "lowest first",
        columns=["Rung", "Decisions"],
        rows=rows,
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": [row[0] for row in rows],
            "datasets": [{"label": "Decisions", "data": [row[1] for row in rows]}],
            "axis": "Decisions",
        },
    )


def evidence_figure(quarter: Quarter) -> Figure:
    """Evidence records dated this quarter, by kind: one query."""
    counts = dict(
        EvidenceRecord.objects.filter(
            recorded_on__gte=quarter.first_day, recorded_on__lte=quarter.last_day
        )
        .values_list("kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    total = sum(counts.values())
    rows = [(kind.label, counts.get(kind.value, 0)) for kind in EvidenceKind]
    return Figure(
        key="evidence",
        title="Evidence recorded this quarter",
        headline=f"{total} record{'' if total == 1 else 's'}",
        caption="Evidence records dated this quarter, by kind",
        columns=["Kind", "Records"],
        rows=rows,
        chart={
            "type": "bar",
            "horizontal": True,
            "labels": [row[0] for row in rows],
            "datasets": [{"label": "Records", "data": [row[1] for row in rows]}],
            "axis": "Records",
        },
    )


def dashboard_figures(*, today: date | None = None) -> dict:
    quarter = quarter_of(today or timezone.localdate())
    figures = [
        people_active_figure(quarter),
        payment_wait_figure(quarter),
        decisions_by_rung_figure(quarter),
        evidence_figure(quarter),
    ]
    return {
        "quarter": quarter,
        "figures": figures,
        "charts": {figure.key: figure.chart for figure in figures},
    }
