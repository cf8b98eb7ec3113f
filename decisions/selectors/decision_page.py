"""Reads for a decision's staff page: the decision with its project and meeting, then its
options, people, votes, actions and history in one query. Plain SQL that SQLite and
PostgreSQL both read, a fixed number of queries whatever the number of votes."""

import functools
import json
import uuid
from collections import Counter
from datetime import UTC, date, datetime

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from coprod.core import prepared
from coprod.core.days import day_text
from decisions.models import (
    Action,
    ActionStatus,
    Decision,
    DecisionMethod,
    DecisionOption,
    DecisionParticipant,
    Vote,
    VoteChoice,
    VotePreference,
)
from projects.models import Meeting, Project
from stakeholders.models import Person, StakeholderGroup, User, login_label


def decision_detail(decision: Decision) -> dict:
    """What a decision's staff page shows, as display values: its options, who took part,
    the counts of votes and, unless the ballot is secret, who voted how, its actions and
    its history. Only the fields shown are read (nothing else about a person). One query
    of plain SQL whatever the number of votes (see _lists_sql)."""
    # In a secret ballot nobody, staff included, sees who voted how, nor whose vote staff
    # recorded: only how many, so who voted is not even read.
    named = not decision.anonymous_voting
    votes_read = _NAMED_VOTES if named else _VOTES_ONLY
    option_rows, participant_rows, vote_rows, action_rows, records = _lists(
        decision.pk, _OPTIONS, _PARTICIPANTS, votes_read, _ACTIONS, _HISTORY
    )
    options = dict(option_rows)
    fields = _VOTE_FIELDS + (_NAMED_VOTE_FIELDS if named else ())
    # One row per vote and option it chose (one row if it chose none), by rank.
    by_vote: dict[int, dict] = {}
    first_choices: Counter[int] = Counter()
    for values in vote_rows:
        row = dict(zip(fields, values, strict=True))
        vote = by_vote.setdefault(row["pk"], {**row, "preferences": []})
        rank, option_id = row["preferences__rank"], row["preferences__option_id"]
        if option_id is not None:
            vote["preferences"].append((rank, options[option_id]))
            first_choices[option_id] += rank == 1
    votes = list(by_vote.values())
    return {
        "participants": _participant_rows(participant_rows),
        "options": list(options.values()),
        "vote_counts": Counter(vote["choice"] for vote in votes),
        "option_counts": [(label, first_choices[pk]) for pk, label in options.items()],
        "votes_cast": len(votes),
        "assisted_count": sum(vote["recorded_by_id"] is not None for vote in votes),
        "named_votes": [_named_vote_row(decision, vote) for vote in votes] if named else [],
        "actions": _action_rows(action_rows),
        "history": _history_rows(records),
    }


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
_PREFERENCES = VotePreference._meta.db_table

# The decision page's reads are written out rather than built by the ORM: building and
# compiling its querysets took about five milliseconds of CPU on every visit, ten times
# what running them takes. Plain SQL that SQLite and PostgreSQL both read; the page's
# tests check what it shows against the models.
#
# The page's lists (options, people, votes, actions, history) come in one query, each
# list as one JSON array of its rows: a round trip and a plan for each cost more than
# building the arrays. JSON holds dates, times and UUIDs as text, read back where they are
# used. Each list: what a row holds, where its rows come from (one %s, the decision's id),
# and their order.
_OPTIONS = (
    "decision_option.id, decision_option.label",
    f"FROM {DecisionOption._meta.db_table} decision_option WHERE decision_option.decision_id = %s",
    "decision_option.position, decision_option.id",
)
_PARTICIPANTS = (
    "participant.person_id, person.full_name, participant.stakeholder_group, participant.proposed",
    f"FROM {DecisionParticipant._meta.db_table} participant"
    f" LEFT OUTER JOIN {_PEOPLE} person ON person.id = participant.person_id"
    " WHERE participant.decision_id = %s",
    "participant.proposed DESC, participant.id",
)
_VOTES_ONLY = (
    "vote.id, vote.choice, vote.recorded_by_id, preference.rank, preference.option_id",
    f"FROM {_VOTES} vote"
    f" LEFT OUTER JOIN {_PREFERENCES} preference ON preference.vote_id = vote.id"
    " WHERE vote.decision_id = %s",
    "vote.id, preference.rank",
)
# Who voted how, and who recorded it: never read for a secret ballot.
_NAMED_VOTES = (
    "vote.id, vote.choice, vote.recorded_by_id, preference.rank, preference.option_id,"
    " vote.person_id, person.full_name, vote.stakeholder_group, vote.cast_at,"
    " recorder.name, recorder.email",
    f"FROM {_VOTES} vote"
    f" LEFT OUTER JOIN {_PREFERENCES} preference ON preference.vote_id = vote.id"
    f" LEFT OUTER JOIN {_PEOPLE} person ON person.id = vote.person_id"
    f" LEFT OUTER JOIN {User._meta.db_table} recorder ON recorder.id = vote.recorded_by_id"
    " WHERE vote.decision_id = %s",
    "vote.id, preference.rank",
)
_ACTIONS = (
    "decision_action.public_id, decision_action.description, decision_action.owner,"
    " decision_action.due_on, decision_action.status",
    f"FROM {Action._meta.db_table} decision_action WHERE decision_action.decision_id = %s",
    "decision_action.due_on, decision_action.id",
)


def _json_rows(columns: str, source: str, order: str, vendor: str) -> str:
    """SQL for one JSON array of the rows [column, ...] in this order."""
    # Names from the models, values passed as parameters.
    if vendor == "postgresql":
        array = f"json_agg(json_build_array({columns}) ORDER BY {order})"
        return f"(SELECT {array} {source})"
    # SQLite has no ORDER BY inside an aggregate before 3.44, and does not promise to keep
    # a subquery's order: each row leads with its place in the order, sorted by in _lists.
    # json() keeps each row an array, not a string holding one.
    place = f"row_number() OVER (ORDER BY {order})"
    numbered = f"SELECT json_array({place}, {columns}) AS item {source}"  # noqa: S608
    return f"(SELECT json_group_array(json(item)) FROM ({numbered}))"  # noqa: S608


@functools.cache
def _lists_sql(vendor: str, lists: tuple[tuple[str, str, str], ...]) -> str:
    return "SELECT " + ",\n       ".join(_json_rows(*part, vendor) for part in lists)


def _lists(decision_id: int, *lists: tuple[str, str, str]) -> list[list[list]]:
    """These lists of the decision's page (_OPTIONS...), each as a list of rows."""
    (arrays,) = prepared.read(
        Decision, _lists_sql(connection.vendor, lists), [decision_id] * len(lists)
    )
    if connection.vendor == "postgresql":
        # Its driver hands back JSON read already, and no rows as NULL.
        return [array or [] for array in arrays]
    # SQLite hands back text, each row led by its place in the order (see _json_rows).
    return [[row[1:] for row in sorted(json.loads(array))] for array in arrays]


_GROUPS = dict(StakeholderGroup.choices)
_CHOICES = dict(VoteChoice.choices)
_ACTION_STATUSES = dict(ActionStatus.choices)
NO_LONGER_ON_ROSTER = "Someone no longer on the roster"


def _participant_rows(rows: list[list]) -> list[dict]:
    return [
        {
            "name": NO_LONGER_ON_ROSTER if person_id is None else full_name,
            "group": _GROUPS.get(group, group),
            "proposed": bool(proposed),
        }
        for person_id, full_name, group, proposed in rows
    ]


def _action_rows(rows: list[list]) -> list[dict]:
    """The decision's actions, soonest due first, as the page shows them."""
    actions = []
    for public_id, description, owner, due_on, status in rows:
        due_on = date.fromisoformat(due_on)
        actions.append(
            {
                "public_id": uuid.UUID(public_id),
                "description": description,
                "owner": owner,
                "due_on": due_on,
                "status": status,
                "status_label": _ACTION_STATUSES.get(status, status),
                "due_on_text": day_text(due_on),
            }
        )
    return actions


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
    cast_at = _aware(datetime.fromisoformat(vote["cast_at"]))
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
        "cast_at": cast_at,
        "cast_at_text": moment_text(cast_at),
    }


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


_RECORD = Decision.history.model._meta
# A history record's columns as the page reads them: the fields a change is told by, then
# when, how, why and by whom (with the name and email of that person).
_RECORD_COLUMNS = (
    *(field.name for field in _HISTORY_FIELDS),
    "history_date",
    "history_type",
    "history_change_reason",
    "history_user_id",
    "history_user__name",
    "history_user__email",
)
_RECORD_READ = ", ".join(
    f"record.{column}"
    for column in (
        *(field.column for field in _HISTORY_FIELDS),
        "history_date",
        "history_type",
        "history_change_reason",
        "history_user_id",
    )
)
# One of the page's lists (see _OPTIONS): the latest records, newest first (simple-history's
# own order), each compared with the one before it in memory.
_RECENT_RECORDS = f"""FROM (
    SELECT {_RECORD_READ}, record.history_id FROM {_RECORD.db_table} record
     WHERE record.id = %s
     ORDER BY record.history_date DESC, record.history_id DESC
     LIMIT {HISTORY_SHOWN}
  ) record
  LEFT OUTER JOIN {User._meta.db_table} author ON author.id = record.history_user_id
"""  # noqa: S608 - names from the models, values passed as parameters
_HISTORY = (
    f"{_RECORD_READ}, author.name, author.email",
    _RECENT_RECORDS,
    "record.history_date DESC, record.history_id DESC",
)


def decision_history_rows(decision: Decision) -> list[dict]:
    """Each change to the decision, newest first, with what it changed in words: compared
    with the record before it in memory, from plain values (building a historical model
    and its user for each record costs more than the query)."""
    (records,) = _lists(decision.pk, _HISTORY)
    return _history_rows(records)


def _history_rows(rows: list[list]) -> list[dict]:
    # Each value as the database wrote it in JSON, alike in every record, so a change
    # shows as a difference; only the time is read back into a time.
    records = [dict(zip(_RECORD_COLUMNS, row, strict=True)) for row in rows]
    previous_records = [*records[1:], None] if records else []
    history = []
    for record, previous in zip(records, previous_records, strict=True):
        when = _aware(datetime.fromisoformat(record["history_date"]))
        history.append(
            {
                "when": when,
                "when_text": moment_text(when),
                "who": login_label(
                    name=record["history_user__name"], email=record["history_user__email"]
                )
                if record["history_user_id"] is not None
                else "",
                "summary": _history_summary(record, previous),
                "reason": record["history_change_reason"],
            }
        )
    return history


# The decision page reads its decision, with the project and meeting it names, in one query
# of plain SQL (see _OPTIONS): of the project and the meeting only what the page shows.
_DECISION_FIELDS = tuple(Decision._meta.concrete_fields)


def _only(model, *names: str) -> tuple:
    # In the model's own order, as Model.from_db() takes the values of some of its fields.
    return tuple(field for field in model._meta.concrete_fields if field.name in names)


_PROJECT_FIELDS = _only(Project, "id", "slug", "name", "archived_at")
_MEETING_FIELDS = _only(Meeting, "id", "public_id", "title", "project")
_PAGE_FIELDS = (*_DECISION_FIELDS, *_PROJECT_FIELDS, *_MEETING_FIELDS)
_DECISION_SQL = f"""
SELECT {", ".join(f"decision.{field.column}" for field in _DECISION_FIELDS)},
       {", ".join(f"project.{field.column}" for field in _PROJECT_FIELDS)},
       {", ".join(f"meeting.{field.column}" for field in _MEETING_FIELDS)}
  FROM {Decision._meta.db_table} decision
  JOIN {Project._meta.db_table} project ON project.id = decision.project_id
  LEFT OUTER JOIN {Meeting._meta.db_table} meeting ON meeting.id = decision.meeting_id
 WHERE project.slug = %s AND decision.public_id = %s
"""  # noqa: S608 - names from the models, values passed as parameters


def decision_for_page(slug: str, public_id: uuid.UUID) -> Decision | None:
    """The decision with this public id in the project with this slug, if any, with its
    project and meeting: the same objects as select_related gives, holding only what the
    page shows of them."""
    database = connections[DEFAULT_DB_ALIAS]
    public_id = Decision._meta.get_field("public_id").get_db_prep_value(public_id, database)
    # Each column converted as the ORM converts it (SQLite gives UUIDs and times as text).
    rows = prepared.read(Decision, _DECISION_SQL, [slug, public_id], fields=_PAGE_FIELDS)
    if not rows:
        return None
    columns = iter(rows[0])
    decision = _from_db(Decision, _DECISION_FIELDS, columns)
    decision.project = _from_db(Project, _PROJECT_FIELDS, columns)
    meeting = _from_db(Meeting, _MEETING_FIELDS, columns)
    if meeting.pk is not None and meeting.project_id == decision.project_id:
        # Its link names the project, which is read already.
        meeting.project = decision.project
    decision.meeting = meeting if meeting.pk is not None else None
    return decision


def _from_db(model, fields, columns):
    return model.from_db(
        DEFAULT_DB_ALIAS, [field.attname for field in fields], [next(columns) for _ in fields]
    )
