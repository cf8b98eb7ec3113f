from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from coprod.core.replica import reads_from_replica
from coprod.core.suppression import suppressed_with, withheld
from decisions.selectors.decisions import power_sharing, public_board
from evidence.models import (
    BetterDirection,
    EvidenceKind,
    EvidenceRecord,
    ImpactSummary,
    LearningEntry,
    OutcomeValue,
    ReportGrant,
)
from evidence.selectors.feedback import report_meeting_feedback
from evidence.selectors.measures import report_measures
from evidence.selectors.money import cost_benefit, report_money
from evidence.selectors.valuation import report_valuation
from projects.models import (
    AttendanceStatus,
    Meeting,
    Payment,
    PaymentKind,
    PaymentStatus,
    Project,
)
from projects.selectors.payments import PaymentWait, payment_waits
from projects.selectors.roster import project_coverage
from stakeholders.models import Role, User
from stakeholders.rules import is_staff_member

PENNY = Decimal("0.01")
EVIDENCE_PER_PAGE = 25
LEARNING_PER_PAGE = 20
LEARNING_TEXT_FIELDS = ("title", "tried", "happened", "learned", "differently")
# The learning library is written in English: words are stemmed ("meetings" finds "meeting").
SEARCH_CONFIG = "english"
# Hours summed over many attendances can pass what one attendance may hold.
HOURS = DecimalField(max_digits=10, decimal_places=2)


def projects_reported_to(user) -> QuerySet[Project]:
    """Staff read every project's report; a commissioner only those granted to them. Archived
    projects are left out: their reports can still be read, but are not listed."""
    projects = Project.objects.current().only("name", "slug", "stage", "summary")
    if is_staff_member(user):
        return projects
    return projects.filter(report_grants__commissioner=user)


def project_evidence_page(
    project: Project, *, kind: str | None, page_number: str | int | None
) -> Page:
    """The project's evidence, newest first, optionally of one kind: two queries."""
    records = EvidenceRecord.objects.filter(project=project).annotate(
        decision_count=Count("decisions")
    )
    if kind:
        records = records.filter(kind=kind)
    return Paginator(records.order_by("-recorded_on", "-pk"), EVIDENCE_PER_PAGE).get_page(
        page_number
    )


def recent_evidence_panel(*, limit: int = 6) -> list[EvidenceRecord]:
    """The evidence added most recently across all projects, for the dashboard: one query."""
    return list(
        EvidenceRecord.objects.filter(project__archived_at=None)
        .select_related("project")
        .only("public_id", "kind", "title", "recorded_on", "project__name", "project__slug")
        .order_by("-created_at", "-pk")[:limit]
    )


def learning_entries(*, search: str = "", tag: str = "", stage: str = "") -> QuerySet:
    """Learning entries matching the search words, tag and stage, best match first.

    On PostgreSQL the words go through full-text search (web search syntax: "a phrase",
    -without, or); elsewhere through `learning_entries_containing`.
    """
    entries = LearningEntry.objects.select_related("project").prefetch_related("tags")
    if tag:
        entries = entries.filter(tags__name=tag)
    if stage:
        entries = entries.filter(stage=stage)
    search = search.strip()
    if not search:
        return entries.order_by("-created_at", "-pk")
    if connection.vendor == "postgresql":
        query = SearchQuery(search, search_type="websearch", config=SEARCH_CONFIG)
        vector = SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
            *LEARNING_TEXT_FIELDS[1:], weight="B", config=SEARCH_CONFIG
        )
        return (
            entries.annotate(document=vector)
            .filter(document=query)
            .annotate(rank=SearchRank(F("document"), query))
            .order_by("-rank", "-created_at", "-pk")
        )
    return learning_entries_containing(entries, search).order_by("-created_at", "-pk")


def learning_entries_containing(entries: QuerySet, search: str) -> QuerySet:
    """The search without full-text search (SQLite): a phrase in quotes must appear as it
    is written, and every other word anywhere, each in one of the text fields."""
    for term in _search_terms(search):
        matches = Q()
        for field in LEARNING_TEXT_FIELDS:
            matches |= Q(**{f"{field}__icontains": term})
        entries = entries.filter(matches)
    return entries


def _search_terms(search: str) -> list[str]:
    """What is between quotes is one phrase (a quote left open runs to the end), the rest
    single words: `evening "bank  transfers"` → ["evening", "bank transfers"]."""
    terms = []
    for position, part in enumerate(search.split('"')):
        if position % 2:
            phrase = " ".join(part.split())
            terms += [phrase] if phrase else []
        else:
            terms += part.split()
    return terms


def learning_page(
    *, search: str = "", tag: str = "", stage: str = "", page_number: str | int | None
) -> Page:
    """One page of the learning library: three queries (count, entries, their tags)."""
    return Paginator(
        learning_entries(search=search, tag=tag, stage=stage), LEARNING_PER_PAGE
    ).get_page(page_number)


def project_report_grants(project: Project) -> QuerySet[ReportGrant]:
    return (
        ReportGrant.objects.filter(project=project)
        .select_related("commissioner", "granted_by")
        .order_by("commissioner__email")
    )


def commissioners() -> QuerySet[User]:
    """Everyone who may be granted a project's report."""
    return User.objects.filter(role=Role.COMMISSIONER, is_active=True).order_by("email")


# The commissioner report --------------------------------------------------------------------

YOU_SAID_SHOWN = 20
VOICES_SHOWN = 6
LEARNING_HIGHLIGHTS = 3
PUBLISHABLE_KINDS = [EvidenceKind.FEEDBACK, EvidenceKind.STORY]
TREND_LABELS = {"better": "Better", "worse": "Worse", "same": "No change"}


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _report_engagement(project: Project) -> dict:
    groups = []
    for row in project_coverage(project):
        target = row["target"]
        active, target_met = suppressed_with(
            row["active"], bool(target) and row["active"] >= target
        )
        groups.append(
            {"label": row["label"], "active": active, "target": target, "target_met": target_met}
        )
    # Every figure rests on the same meetings, those held: started and not cancelled. Rows
    # for a meeting still to come or called off are not attendance, however they were made.
    # One query: the meetings held, each joined to its attendance rows.
    held = Meeting.objects.filter(project=project, cancelled_at=None, starts_at__lte=timezone.now())
    attended = Q(attendances__status=AttendanceStatus.ATTENDED)
    no_show = Q(attendances__status=AttendanceStatus.NO_SHOW)
    attendance = held.aggregate(
        meetings_held=Count("pk", distinct=True),
        attended=Count("attendances", filter=attended),
        no_show=Count("attendances", filter=no_show),
        people=Count("attendances__person", filter=attended, distinct=True),
        no_show_people=Count("attendances__person", filter=no_show, distinct=True),
        hours=Sum("attendances__hours", filter=attended, output_field=HOURS),
    )
    # Meetings are not people: how many were held is shown however few.
    meetings_held = attendance["meetings_held"]
    people, no_show_people = attendance["people"], attendance["no_show_people"]
    people_attended, times_attended, hours = suppressed_with(
        people, attendance["attended"], attendance["hours"] or Decimal("0")
    )
    recorded = attendance["attended"] + attendance["no_show"]
    return {
        "groups": groups,
        "meetings_held": meetings_held,
        "attended": times_attended,
        "no_show": withheld(attendance["no_show"], no_show_people),
        "people_attended": people_attended,
        # With either side shown, the rate gives back the other.
        "attendance_rate": withheld(
            _percent(attendance["attended"], recorded), people, no_show_people
        ),
        "hours": hours,
    }


def _report_payments(project: Project, *, money: dict) -> dict:
    people_paid = Payment.objects.filter(
        project=project,
        kind=PaymentKind.FEE,
        status=PaymentStatus.PAID,
        paid_on__isnull=False,
        attendance__isnull=False,
    ).aggregate(people=Count("person", distinct=True))["people"]
    # Withheld when it rests on fewer than 5 payments (payment_waits) or 5 people.
    _, by_project = payment_waits(projects=[project])
    wait = by_project.get(project.pk, PaymentWait(paid=0, median=None, p90=None))
    return {
        "fees_paid": money["fees_paid"],
        "expenses_paid": money["expenses_paid"],
        "total_paid": money["total_paid"],
        "fees_paid_count": withheld(wait.paid, people_paid),
        "median_days_to_pay": withheld(wait.median, people_paid),
        "p90_days_to_pay": withheld(wait.p90, people_paid),
    }


def _trend(change: Decimal | None, better: str) -> str | None:
    if change is None or not better:
        return None
    if change == 0:
        return "same"
    improved = change > 0 if better == BetterDirection.HIGHER else change < 0
    return "better" if improved else "worse"


def _report_outcomes(project: Project) -> list[dict]:
    measures = (
        EvidenceRecord.objects.filter(project=project, kind=EvidenceKind.OUTCOME)
        .only("title", "unit", "better", "baseline_value", "baseline_on")
        .prefetch_related(Prefetch("values", OutcomeValue.objects.order_by("measured_on", "pk")))
        .order_by("title", "pk")
    )
    outcomes = []
    for measure in measures:
        later = [(value.measured_on, value.value) for value in measure.values.all()]
        readings = later
        if measure.baseline_value is not None:
            readings = [(measure.baseline_on, measure.baseline_value), *later]
        latest_on, latest = later[-1] if later else (None, None)
        change = (
            latest - measure.baseline_value
            if latest is not None and measure.baseline_value is not None
            else None
        )
        trend = _trend(change, measure.better)
        outcomes.append(
            {
                "name": measure.title,
                "unit": measure.unit,
                "better": measure.get_better_display() if measure.better else "",
                "baseline": measure.baseline_value,
                "baseline_on": measure.baseline_on,
                "latest": latest,
                "latest_on": latest_on,
                "change": change,
                "trend": trend,
                "trend_label": TREND_LABELS.get(trend, "Not known"),
                "readings": readings,
            }
        )
    return outcomes


def _report_you_said_we_did(project: Project) -> dict:
    decisions = list(public_board(project)[: YOU_SAID_SHOWN + 1])
    return {
        "decisions": decisions[:YOU_SAID_SHOWN],
        "more": len(decisions) > YOU_SAID_SHOWN,
        "shown": YOU_SAID_SHOWN,
    }


def _report_voices(project: Project) -> list[dict]:
    """Quotes and stories the person agreed to publish: the words only, never who said them
    or where they came from."""
    return list(
        EvidenceRecord.objects.filter(
            project=project, kind__in=PUBLISHABLE_KINDS, consent_to_publish=True
        )
        .exclude(text="")
        .order_by("-recorded_on", "-pk")
        .values("kind", "text", "recorded_on")[:VOICES_SHOWN]
    )


@reads_from_replica
def report_for_project(project: Project) -> dict:
    """Everything in a commissioner's report, with no personal data: every count of people
    from 1 to 4 suppressed, with every figure worked out from it and every total that would
    give it away (coprod.core.suppression). The web page, CSV and PDF are all made from this,
    so none of them can show more than another. A fixed number of queries whatever the size.
    """
    costs = cost_benefit(project)
    money = report_money(project, costs=costs)
    return {
        "engagement": _report_engagement(project),
        # Decisions are not people: their counts and shares are shown however few.
        "power_sharing": power_sharing(project.decisions.all()),
        "payments": _report_payments(project, money=money),
        "outcomes": _report_outcomes(project),
        "you_said_we_did": _report_you_said_we_did(project),
        "voices": _report_voices(project),
        "learning": list(
            LearningEntry.objects.filter(project=project)
            .order_by("-created_at", "-pk")
            .values("title", "learned")[:LEARNING_HIGHLIGHTS]
        ),
        "impact_summary": ImpactSummary.objects.filter(project=project).first(),
        # Records of costs and savings are not people either.
        "cost_benefit": {
            **money,
            "saving_records": costs["saving_records"],
            "cost_records": costs["cost_records"],
        },
        "measures": report_measures(project),
        "feedback": report_meeting_feedback(project),
        # The same money as above, so a figure withheld there is withheld here too.
        "valuation": report_valuation(project, money=money),
    }
