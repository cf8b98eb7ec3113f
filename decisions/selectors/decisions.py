"""Reads for a project's list of decisions, the public board, the ladder and the power-sharing
measures. Each runs a fixed number of queries whatever the number of decisions."""

from collections import Counter, defaultdict

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from decisions.models import (
    Action,
    ActionStatus,
    AssessorRole,
    Decision,
    DecisionMethod,
    DecisionParticipant,
    LadderAssessment,
    LadderRung,
    Vote,
)
from projects.models import Meeting, Project
from stakeholders.models import Person, StakeholderGroup

DECISIONS_PER_PAGE = 25
LIVED_EXPERIENCE_GROUPS = [StakeholderGroup.LIVED_EXPERIENCE, StakeholderGroup.CARER]
RUNGS = list(LadderRung)


def decisions_page(project: Project, *, page_number) -> Page:
    decisions = project.decisions.annotate(
        vote_count=Count("votes", distinct=True),
        open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
    ).select_related("meeting")
    # annotate() drops the model's default ordering, so restate it for stable pages.
    decisions = decisions.order_by("-decided_on", "-created_at", "-pk")
    return Paginator(decisions, DECISIONS_PER_PAGE).get_page(page_number)


def _lived_experience_involved(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    proposed = DecisionParticipant.objects.filter(
        decision=OuterRef("pk"), proposed=True, stakeholder_group__in=LIVED_EXPERIENCE_GROUPS
    )
    voted = Vote.objects.filter(
        decision=OuterRef("pk"), stakeholder_group__in=LIVED_EXPERIENCE_GROUPS
    )
    return decisions.annotate(
        lived_proposed=Exists(proposed), lived_voted=Exists(voted)
    ).values_list("decided_on", "method", "ladder_rung", "lived_proposed", "lived_voted")


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def power_sharing(decisions: QuerySet[Decision]) -> dict:
    """How much power was shared: the share of decisions that people with lived
    experience or carers proposed or voted on, the share made by staff alone, the spread
    of ladder rungs, and how these changed quarter by quarter."""
    rows = list(_lived_experience_involved(decisions))
    total = len(rows)
    by_quarter: dict[str, list] = defaultdict(list)
    for row in rows:
        by_quarter[f"{row[0].year} Q{(row[0].month - 1) // 3 + 1}"].append(row)
    rungs = Counter(row[2] for row in rows)
    return {
        "total": total,
        "lived_proposed": _share(sum(row[3] for row in rows), total),
        "lived_voted": _share(sum(row[4] for row in rows), total),
        "staff_alone": _share(
            sum(row[1] == DecisionMethod.STAFF_AFTER_CONSULTATION for row in rows), total
        ),
        "rungs": [(rung.label, rungs[rung.value]) for rung in RUNGS],
        "over_time": [
            {
                "quarter": quarter,
                "decisions": len(quarter_rows),
                "lived_involved": _share(
                    sum(row[3] or row[4] for row in quarter_rows), len(quarter_rows)
                ),
                "staff_alone": _share(
                    sum(row[1] == DecisionMethod.STAFF_AFTER_CONSULTATION for row in quarter_rows),
                    len(quarter_rows),
                ),
            }
            for quarter, quarter_rows in sorted(by_quarter.items())
        ],
    }


def ladder_self_assessment(project: Project) -> dict:
    """The latest staff and participant views of where the project stands, and the gap."""
    assessments = list(project.ladder_assessments.order_by("-assessed_on", "-pk")[:100])
    latest = {}
    for assessment in assessments:
        latest.setdefault(assessment.assessor_role, assessment)
    staff, participant = latest.get(AssessorRole.STAFF), latest.get(AssessorRole.PARTICIPANT)
    gap = None
    if staff and participant:
        gap = RUNGS.index(LadderRung(staff.rung)) - RUNGS.index(LadderRung(participant.rung))
    return {"staff": staff, "participant": participant, "gap": gap, "history": assessments}


def public_board(project: Project) -> QuerySet[Decision]:
    """What the public board shows: no names, no emails, nothing about a person."""
    return (
        project.decisions.exclude(you_said="")
        .order_by("-decided_on", "-pk")
        # "project" too: a related manager reads each row's project_id, one query per row
        # if it was deferred.
        .only("project", "title", "you_said", "we_did", "difference_made", "progress", "decided_on")
    )


def open_actions_panel(*, limit: int = 8) -> list[Action]:
    return list(
        Action.objects.filter(status=ActionStatus.OPEN, decision__project__archived_at=None)
        .select_related("decision__project")
        # Only what the dashboard shows: decisions and projects are wide rows.
        .only(
            "description",
            "owner",
            "due_on",
            "decision__public_id",
            "decision__project__slug",
            "decision__project__name",
        )
        .order_by("due_on", "pk")[:limit]
    )


def recent_decisions_panel(*, limit: int = 6) -> list[Decision]:
    return list(
        Decision.objects.filter(project__archived_at=None)
        .select_related("project")
        .only(
            "public_id",
            "title",
            "decided_on",
            "status",
            "voting_open",
            "project__slug",
            "project__name",
        )
        .order_by("-decided_on", "-pk")[:limit]
    )


def ladder_assessment_history(project: Project) -> QuerySet[LadderAssessment]:
    return project.ladder_assessments.order_by("-assessed_on", "-pk")


def decision_people_choices(project: Project, decision: Decision | None = None) -> QuerySet[Person]:
    """Whom staff may record as taking part or proposing: the project's members, whatever
    their status now (someone who has since left still took part on the day), and anyone
    already recorded, so saving the form never drops them unseen."""
    chosen = Q(pk__in=project.memberships.filter(person__erased_at=None).values("person_id"))
    if decision is not None:
        chosen |= Q(pk__in=decision.participants.values("person_id"))
    return Person.objects.filter(chosen).order_by("full_name", "pk")


def decision_meeting_choices(
    project: Project, decision: Decision | None = None
) -> QuerySet[Meeting]:
    """The project's meetings, newest first; a cancelled one only if the decision names it."""
    kept = Q(cancelled_at=None)
    if decision is not None and decision.meeting_id:
        kept |= Q(pk=decision.meeting_id)
    return project.meetings.filter(kept).order_by("-starts_at", "pk")


# The fields a change to a decision is told by, as simple-history's diff_against() compares
