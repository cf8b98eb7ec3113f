"""Reads for decision pages, the public board and the power-sharing measures. Each runs a
fixed number of queries whatever the number of decisions."""

import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from coprod.core.days import day_text
from decisions.models import (
    Action,
    ActionStatus,
    AssessorRole,
    Decision,
    DecisionMethod,
    DecisionOption,
    DecisionParticipant,
    LadderAssessment,
    LadderRung,
    Vote,
    VoteChoice,
    VotePreference,
)
from projects.models import Meeting, MembershipStatus, Project
from stakeholders.models import Person, StakeholderGroup, User, login_label

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


def decision_detail(decision: Decision) -> dict:
    """What a decision's staff page shows, as display values: its options, who took part,
    the counts of votes and, unless the ballot is secret, who voted how, its actions and
    its history. Only the fields shown are read (nothing else about a person). Five queries
    whatever the number of votes, each of plain SQL (see _OPTIONS_SQL)."""
    options = dict(_rows(_OPTIONS_SQL, decision.pk))
    # In a secret ballot nobody, staff included, sees who voted how, nor whose vote staff
    # recorded: only how many, so who voted is not even read.
    named = not decision.anonymous_voting
    fields = _VOTE_FIELDS + (_NAMED_VOTE_FIELDS if named else ())
    # One row per vote and option it chose (one row if it chose none), by rank.
    by_vote: dict[int, dict] = {}
    first_choices: Counter[int] = Counter()
    for values in _rows(_NAMED_VOTES_SQL if named else _VOTES_SQL, decision.pk):
        row = dict(zip(fields, values, strict=True))
        vote = by_vote.setdefault(row["pk"], {**row, "preferences": []})
        rank, option_id = row["preferences__rank"], row["preferences__option_id"]
        if option_id is not None:
            vote["preferences"].append((rank, options[option_id]))
            first_choices[option_id] += rank == 1
    votes = list(by_vote.values())
    return {
        "participants": _participant_rows(decision),
        "options": list(options.values()),
        "vote_counts": Counter(vote["choice"] for vote in votes),
        "option_counts": [(label, first_choices[pk]) for pk, label in options.items()],
        "votes_cast": len(votes),
        "assisted_count": sum(vote["recorded_by_id"] is not None for vote in votes),
        "named_votes": [_named_vote_row(decision, vote) for vote in votes] if named else [],
        "actions": _action_rows(decision),
        "history": decision_history_rows(decision),
    }


def _rows(sql: str, *params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def moment_text(moment: datetime) -> str:
    """A time as {{ moment|date:"j M Y, H:i" }} shows it (3 Dec 2026, 14:05), in local time:
    the date filter's cost per use came to most of the decision page's rows."""
    return f"{day_text(moment)}, {timezone.localtime(moment):%H:%M}"


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive UTC; PostgreSQL an aware time already.
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


_VOTE_FIELDS = ("pk", "choice", "recorded_by_id", "preferences__rank", "preferences__option_id")
_NAMED_VOTE_FIELDS = (
    "person_id",
    "person__full_name",
    "stakeholder_group",
    "cast_at",
    "recorded_by__name",
    "recorded_by__email",
)
_VOTES = Vote._meta.db_table
_PEOPLE = Person._meta.db_table

# The decision page's reads are written out rather than built by the ORM: building and
# compiling its querysets took about five milliseconds of CPU on every visit, ten times
# what running them takes. Plain SQL that SQLite and PostgreSQL both read; the page's
# tests check what it shows against the models.
_OPTIONS_SQL = f"""
SELECT id, label FROM {DecisionOption._meta.db_table} WHERE decision_id = %s
 ORDER BY position, id
"""  # noqa: S608 - names from the models, values passed as parameters

_VOTES_SQL = f"""
SELECT vote.id, vote.choice, vote.recorded_by_id, preference.rank, preference.option_id
  FROM {_VOTES} vote
  LEFT OUTER JOIN {VotePreference._meta.db_table} preference ON preference.vote_id = vote.id
 WHERE vote.decision_id = %s
 ORDER BY vote.id, preference.rank
"""  # noqa: S608 - names from the models, values passed as parameters

# Who voted how, and who recorded it: never read for a secret ballot.
_NAMED_VOTES_SQL = f"""
SELECT vote.id, vote.choice, vote.recorded_by_id, preference.rank, preference.option_id,
       vote.person_id, person.full_name, vote.stakeholder_group, vote.cast_at,
       recorder.name, recorder.email
  FROM {_VOTES} vote
  LEFT OUTER JOIN {VotePreference._meta.db_table} preference ON preference.vote_id = vote.id
  LEFT OUTER JOIN {_PEOPLE} person ON person.id = vote.person_id
  LEFT OUTER JOIN {User._meta.db_table} recorder ON recorder.id = vote.recorded_by_id
 WHERE vote.decision_id = %s
 ORDER BY vote.id, preference.rank
"""  # noqa: S608 - names from the models, values passed as parameters

_PARTICIPANTS_SQL = f"""
SELECT participant.person_id, person.full_name, participant.stakeholder_group,
       participant.proposed
  FROM {DecisionParticipant._meta.db_table} participant
  LEFT OUTER JOIN {_PEOPLE} person ON person.id = participant.person_id
 WHERE participant.decision_id = %s
 ORDER BY participant.proposed DESC, participant.id
"""  # noqa: S608 - names from the models, values passed as parameters

_ACTIONS_SQL = f"""
SELECT public_id, description, owner, due_on, status FROM {Action._meta.db_table}
 WHERE decision_id = %s ORDER BY due_on, id
"""  # noqa: S608 - names from the models, values passed as parameters

_GROUPS = dict(StakeholderGroup.choices)
_CHOICES = dict(VoteChoice.choices)
_ACTION_STATUSES = dict(ActionStatus.choices)
NO_LONGER_ON_ROSTER = "Someone no longer on the roster"


def _participant_rows(decision: Decision) -> list[dict]:
    return [
        {
            "name": NO_LONGER_ON_ROSTER if person_id is None else full_name,
            "group": _GROUPS.get(group, group),
            "proposed": bool(proposed),
        }
        for person_id, full_name, group, proposed in _rows(_PARTICIPANTS_SQL, decision.pk)
    ]


def _action_rows(decision: Decision) -> list[dict]:
    """The decision's actions, soonest due first, as the page shows them."""
    return [
        {
            "public_id": uuid.UUID(str(public_id)),
            "description": description,
            "owner": owner,
            "due_on": due_on,
            "status": status,
            "status_label": _ACTION_STATUSES.get(status, status),
            "due_on_text": day_text(due_on),
        }
        for public_id, description, owner, due_on, status in _rows(_ACTIONS_SQL, decision.pk)
    ]


def _named_vote_row(decision: Decision, vote: dict) -> dict:
    """A row of "who voted how": the name, the group when they voted, the vote in words,
    and who recorded it for them, if staff did."""
    preferences = vote["preferences"]
    if not preferences:
        in_words = _CHOICES.get(vote["choice"], vote["choice"])
    elif decision.method != DecisionMethod.RANKED:
        in_words = preferences[0][1]
    else:
        in_words = ", ".join(f"{rank}. {label}" for rank, label in preferences)
    on_roster = vote["person_id"] is not None
    recorded_by = ""
    if vote["recorded_by_id"] is not None:
        staff = login_label(name=vote["recorded_by__name"], email=vote["recorded_by__email"])
        on_behalf_of = vote["person__full_name"] if on_roster else NO_LONGER_ON_ROSTER.lower()
        recorded_by = f"Recorded by {staff} on behalf of {on_behalf_of}"
    return {
        "name": vote["person__full_name"] if on_roster else NO_LONGER_ON_ROSTER,
        "group": _GROUPS.get(vote["stakeholder_group"], vote["stakeholder_group"]),
        "in_words": in_words,
        "recorded_by": recorded_by,
        "cast_at": _aware(vote["cast_at"]),
        "cast_at_text": moment_text(_aware(vote["cast_at"])),
    }


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
# them (each editable field, a foreign key by its id), in the order a change names them.
_HISTORY_FIELDS = [
    field for field in Decision._meta.fields if field.editable and not field.primary_key
]
HISTORY_SHOWN = 50


def _history_summary(record: dict, previous: dict | None) -> str:
    if record["history_type"] == "+":
        return "Added to the log"
    if previous is None:
        return "Changed"
    names = {field.name for field in _HISTORY_FIELDS if record[field.name] != previous[field.name]}
    parts = []
    if "voting_open" in names:
        parts.append("Voting opened" if record["voting_open"] else "Voting closed")
    changed = [
        field.verbose_name
        for field in _HISTORY_FIELDS
        if field.name in names and field.name != "voting_open"
    ]
    if changed:
        parts.append("Changed: " + ", ".join(changed))
    return ". ".join(parts) or "Saved with no change to its details"


# Plain SQL, as the rest of the page reads (see _OPTIONS_SQL): each field by its column.
_HISTORY_SQL = f"""
SELECT {", ".join(f"record.{field.column}" for field in _HISTORY_FIELDS)},
       record.history_date, record.history_type, record.history_change_reason,
       record.history_user_id, author.name, author.email
  FROM {Decision.history.model._meta.db_table} record
  LEFT OUTER JOIN {User._meta.db_table} author ON author.id = record.history_user_id
 WHERE record.id = %s
 ORDER BY record.history_date DESC, record.history_id DESC
 LIMIT {HISTORY_SHOWN}
"""  # noqa: S608 - names from the models, values passed as parameters
_HISTORY_COLUMNS = (
    *(field.name for field in _HISTORY_FIELDS),
    "history_date",
    "history_type",
    "history_change_reason",
    "history_user_id",
    "history_user__name",
    "history_user__email",
)


def decision_history_rows(decision: Decision) -> list[dict]:
    """Each change to the decision, newest first, with what it changed in words: compared
    with the record before it in memory, from one query of plain values (building a
    historical model and its user for each record costs more than the query)."""
    # Newest first, simple-history's own order.
    records = [
        dict(zip(_HISTORY_COLUMNS, row, strict=True)) for row in _rows(_HISTORY_SQL, decision.pk)
    ]
    previous_records = [*records[1:], None] if records else []
    return [
        {
            "when": _aware(record["history_date"]),
            "when_text": moment_text(_aware(record["history_date"])),
            "who": login_label(
                name=record["history_user__name"], email=record["history_user__email"]
            )
            if record["history_user_id"] is not None
            else "",
            "summary": _history_summary(record, previous),
            "reason": record["history_change_reason"],
        }
        for record, previous in zip(records, previous_records, strict=True)
    ]


MY_VOTES_PER_PAGE = 25
MY_RESULTS_LIMIT = 10


def _with_own_choice(decisions: QuerySet[Decision], person: Person) -> QuerySet[Decision]:
    """Each decision with this person's own vote as `own_choice`, and nobody else's."""
    own = Vote.objects.filter(decision=OuterRef("pk"), person=person).values("choice")[:1]
    return decisions.annotate(own_choice=Subquery(own)).select_related("project")


def active_projects_of(person: Person) -> QuerySet[Project]:
    return Project.objects.filter(
        memberships__person=person, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")


def with_own_vote(decisions: QuerySet[Decision], person: Person) -> QuerySet[Decision]:
    """Each decision with its options, and this person's own vote (in `own_votes`, a list
    of none or one) with what it chose, and nobody else's."""
    own = Vote.objects.filter(person=person).prefetch_related(
        Prefetch("preferences", queryset=VotePreference.objects.select_related("option"))
    )
    return decisions.prefetch_related(
        "option_rows", Prefetch("votes", queryset=own, to_attr="own_votes")
    )


def open_votes_page(person: Person, *, page_number) -> Page:
    """Decisions open for voting in the projects not archived where this person is an active
    member."""
    decisions = Decision.objects.filter(
        voting_open=True, project__in=active_projects_of(person).current().values("pk")
    ).order_by("-decided_on", "-pk")
    decisions = with_own_vote(_with_own_choice(decisions, person), person)
    return Paginator(decisions, MY_VOTES_PER_PAGE).get_page(page_number)


def assisted_voter_choices(decision: Decision) -> QuerySet[Person]:
    """Whom staff may record a vote for: the project's active members who agreed to be
    involved, whether or not they have an email address."""
    return Person.objects.filter(
        memberships__project_id=decision.project_id,
        memberships__status=MembershipStatus.ACTIVE,
        involvement_consent_given=True,
        erased_at=None,
    ).order_by("full_name", "pk")


def closed_votes_of(person: Person, *, limit: int = MY_RESULTS_LIMIT) -> list[Decision]:
    """The latest decisions this person voted on whose voting has closed, with the outcome."""
    decisions = (
        Decision.objects.filter(votes__person=person, voting_open=False)
        .exclude(closed_at=None)
        .order_by("-closed_at", "-pk")
    )
    return list(with_own_vote(_with_own_choice(decisions, person), person)[:limit])
