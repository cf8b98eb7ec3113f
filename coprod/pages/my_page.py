"""What /me/ shows a participant, read in three queries whatever they take part in: the
person with their memberships, their meetings to come, and the short lists of what waits
for them (their consents among them).

The reads are written out rather than built by the ORM: building and compiling the seven
querysets they were took about ten milliseconds of CPU on every visit, twenty times what
running them takes, and each was a round trip of its own. Plain SQL that SQLite and
PostgreSQL both read, but for two forms PostgreSQL plans in a fraction of the time (see
_each and _among). Every query is about the one person whose login asks, found by
`person.user_id`: nothing here can read anyone else's rows. tests/pages/test_me_reads.py
and tests/pages/test_me_waiting_for_you.py hold what each list must and must not show.
"""

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from coprod.core import prepared
from coprod.core.links import link_maker
from evidence.models import (
    ANSWER_WITHIN,
    MeasureResponse,
    MeasureRound,
    MeetingFeedback,
    ProjectMeasure,
)
from projects.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    Membership,
    MembershipStatus,
    Project,
    ProjectInvitation,
    Response,
    Stage,
)
from projects.models.meetings import time_span
from projects.pool_links import pool_invitation_path
from stakeholders.models import AccessNeed, Availability, ConsentRecord, Person, User, login_label

# Meetings to come that the page lists; invitations to join and meetings to say how they
# went that it asks about at once (older ones wait until these are answered).
MY_MEETINGS_LIMIT = 20
MY_POOL_INVITATIONS_LIMIT = 10
FEEDBACK_DUE_SHOWN = 5

# Stands in for a round's id while its address is reversed once (see _links).
_SOME_ROUND = 987654321


@functools.cache
def _links() -> dict[str, Callable[[object], str]]:
    """The address of each meeting's, feedback's and round's page from its id, reversed once
    per process: a {% url %} per item cost tens of microseconds each on every visit."""
    measure_answer = reverse("evidence:measure_answer", args=[_SOME_ROUND])
    return {
        "meeting_answer": link_maker("projects:meeting_answer"),
        "meeting_calendar": link_maker("projects:meeting_calendar"),
        "meeting_feedback": link_maker("evidence:meeting_feedback"),
        "measure_answer": lambda pk: measure_answer.replace(str(_SOME_ROUND), str(int(pk))),
    }


@dataclass
class MyPage:
    """All /me/ shows of someone; `person` is None for a login with no person yet."""

    person: Person | None
    # Standing consents by kind, each as {"given_at": when}.
    consents: dict[str, dict] = field(default_factory=dict)
    memberships: list[dict] = field(default_factory=list)
    invitations: list[dict] = field(default_factory=list)
    pool_invitations: list[dict] = field(default_factory=list)
    feedback_due: list[dict] = field(default_factory=list)
    measure_rounds: list[dict] = field(default_factory=list)


_PEOPLE = Person._meta.db_table
_MEMBERSHIPS = Membership._meta.db_table
_PROJECTS = Project._meta.db_table
_MEETINGS = Meeting._meta.db_table
_USERS = User._meta.db_table

# What the page shows of the person, and what may_be_contacted needs; not their address
# nor bank details.
_PERSON_FIELDS = (
    "id",
    "public_id",
    "full_name",
    "preferred_name",
    "email",
    "phone",
    "preferred_contact",
    *AccessNeed.values,
    *Availability.values,
    "in_pool",
    "involvement_consent_given",
    "erased_at",
)
_PERSON_FLAGS = frozenset((*AccessNeed.values, *Availability.values, "in_pool"))

# Each query takes PostgreSQL a few index lookups to run and, as first written, several
# times as long to plan: weighing every order and method of each join was most of the
# time the page spent in SQL. So the SQL leaves it little to weigh. What a row shows of
# one other row (a project's name, who recorded an answer) is a subquery of its own,
# planned alone; a row joined to the rows it points at is a LATERAL subquery kept apart by
# OFFSET 0 (see _each); "one of the ids of ..." is = ANY(ARRAY(...)), worked out once
# before the rest, rather than a semi-join (see _among). SQLite has neither form and plans
# the plain join and IN in no time.


def _each(
    vendor: str, table: str, alias: str, columns: str, where: str, *, outer: bool = False
) -> str:
    """The join to the rows of `table` (as `alias`, with only `columns`) that `where` picks
    for each row before it; `outer` keeps a row that has none, with NULLs."""
    if vendor != "postgresql":
        return f"{'LEFT OUTER' if outer else 'INNER'} JOIN {table} {alias} ON {where}"
    rows = f"(SELECT {columns} FROM {table} {alias} WHERE {where} OFFSET 0) AS {alias}"  # noqa: S608
    return f"LEFT JOIN LATERAL {rows} ON TRUE" if outer else f"CROSS JOIN LATERAL {rows}"


def _among(vendor: str, column: str, ids: str) -> str:
    """`column` is one of the ids the subquery `ids` gives."""
    if vendor != "postgresql":
        return f"{column} IN ({ids})"
    return f"{column} = ANY(ARRAY({ids}))"


@functools.cache
def _queries(vendor: str) -> dict[str, str]:
    """The page's SQL for this kind of database, put together once per process."""
    memberships = _each(
        vendor,
        _MEMBERSHIPS,
        "membership",
        "id, project_id, status, interested_at, active_at, left_at",
        "membership.person_id = person.id",
        outer=True,
    )
    meetings = _each(
        vendor,
        _MEETINGS,
        "meeting",
        "id, public_id, title, starts_at, ends_at, place, online_link, agenda, cancelled_at, "
        "project_id",
        "meeting.id = invitation.meeting_id",
    )
    pool_projects = _each(
        vendor,
        _PROJECTS,
        "project",
        "id, name, summary, archived_at, stage",
        "project.id = invitation.project_id",
    )
    came_to = _among(
        vendor,
        "meeting.id",
        f"SELECT meeting_id FROM {Attendance._meta.db_table}"  # noqa: S608
        " WHERE person_id = %s AND status = %s",
    )
    asked = _among(
        vendor,
        "measure_round.project_measure_id",
        f"SELECT id FROM {ProjectMeasure._meta.db_table} WHERE project_id IN ({{active}})",  # noqa: S608
    )
    return {
        # The person, and each of their memberships (none: one row with NULLs), newest
        # first.
        "person": f"""
SELECT {", ".join(f"person.{name}" for name in _PERSON_FIELDS)},
       membership.project_id,
       (SELECT project.name FROM {_PROJECTS} project WHERE project.id = membership.project_id),
       membership.status, membership.interested_at, membership.active_at, membership.left_at
  FROM {_PEOPLE} person
  {memberships}
 WHERE person.user_id = %s
 ORDER BY membership.interested_at DESC, membership.id
""",  # noqa: S608 - names from the models, values passed as parameters
        # Their invitations to meetings still to come, soonest first; withdrawn ones are
        # gone, as they can no longer be answered.
        "invitations": f"""
SELECT invitation.response, invitation.responded_at, invitation.needs_support,
       invitation.answer_recorded_by_id,
       (SELECT recorder.name FROM {_USERS} recorder
         WHERE recorder.id = invitation.answer_recorded_by_id),
       (SELECT recorder.email FROM {_USERS} recorder
         WHERE recorder.id = invitation.answer_recorded_by_id),
       meeting.public_id, meeting.title, meeting.starts_at, meeting.ends_at, meeting.place,
       meeting.online_link, meeting.agenda, meeting.cancelled_at,
       (SELECT project.name FROM {_PROJECTS} project WHERE project.id = meeting.project_id)
  FROM {Invitation._meta.db_table} invitation
  {meetings}
 WHERE invitation.person_id = %s AND meeting.ends_at > %s AND invitation.response <> %s
 ORDER BY meeting.starts_at, invitation.id
 LIMIT %s
""",  # noqa: S608 - names from the models, values passed as parameters
        # The short lists, as rows of (list, key, title, project id, project name, moment,
        # day, summary, id), each list in its own order and sorted again in Python: the
        # order of the rows a UNION ALL gives back is not promised. What they take part in
        # comes from the memberships read already: PostgreSQL plans a list of ids in a
        # fraction of the time a subquery takes.
        # - consent: each standing consent, by kind, with when it was given;
        "consents": f"""
SELECT 'consent', consent.kind, NULL, NULL, NULL, consent.given_at, NULL, NULL, consent.id
  FROM {ConsentRecord._meta.db_table} consent
 WHERE consent.person_id = %s AND consent.withdrawn_at IS NULL
""",  # noqa: S608 - names from the models, values passed as parameters
        # - pool: invitations to join a project that wait for an answer, newest first: none
        #   withdrawn, for a project that has ended or for one they already take part in;
        "pool": f"""
SELECT * FROM (
  SELECT 'pool', CAST(invitation.public_id AS TEXT), NULL, project.id, project.name,
         invitation.created_at, CAST(NULL AS DATE), project.summary, invitation.id
    FROM {ProjectInvitation._meta.db_table} invitation
    {pool_projects}
   WHERE invitation.person_id = %s AND invitation.answer = '' AND invitation.withdrawn_at IS NULL
     AND project.archived_at IS NULL AND project.stage <> %s {{taking_part}}
   ORDER BY invitation.created_at DESC, invitation.id DESC
   LIMIT %s
) AS pool
""",  # noqa: S608 - names from the models, values passed as parameters
        # - feedback: meetings they came to that ended in the last 30 days and that they
        #   have not said anything about yet, the latest first (one attendance per meeting);
        "feedback": f"""
SELECT * FROM (
  SELECT 'feedback', CAST(meeting.public_id AS TEXT), meeting.title, meeting.project_id,
         (SELECT project.name FROM {_PROJECTS} project WHERE project.id = meeting.project_id),
         meeting.starts_at, CAST(NULL AS DATE), NULL, meeting.id
    FROM {_MEETINGS} meeting
   WHERE {came_to} AND meeting.cancelled_at IS NULL
     AND meeting.ends_at > %s AND meeting.starts_at <= %s
     AND meeting.id NOT IN (
       SELECT meeting_id FROM {MeetingFeedback._meta.db_table} WHERE person_id = %s)
   ORDER BY meeting.starts_at DESC, meeting.id DESC
   LIMIT %s
) AS feedback
""",  # noqa: S608 - names from the models, values passed as parameters
        # - round: open rounds of questions of projects they take part in, not answered yet
        #   (the project's name is their membership's).
        "rounds": f"""
SELECT 'round', CAST(measure_round.id AS TEXT), measure_round.name,
       (SELECT measure.project_id FROM {ProjectMeasure._meta.db_table} measure
         WHERE measure.id = measure_round.project_measure_id),
       NULL, NULL, measure_round.closes_on, NULL, measure_round.id
  FROM {MeasureRound._meta.db_table} measure_round
 WHERE measure_round.opens_on <= %s AND measure_round.closes_on >= %s AND {asked}
   AND measure_round.id NOT IN (
     SELECT round_id FROM {MeasureResponse._meta.db_table} WHERE person_id = %s)
""",  # noqa: S608 - names from the models, values passed as parameters
    }


def my_page(user: User) -> MyPage:
    """Everything /me/ shows of the person whose login `user` is: one query when they have
    no person yet, three otherwise."""
    queries = _queries(connection.vendor)
    with connection.cursor() as cursor:
        prepared.execute(connection, cursor, queries["person"], [user.pk])
        rows = cursor.fetchall()
    if not rows:
        return MyPage(person=None)
    person = _person(rows[0][: len(_PERSON_FIELDS)])
    page = MyPage(
        person=person,
        memberships=[
            _membership(row[len(_PERSON_FIELDS) :])
            for row in rows
            if row[len(_PERSON_FIELDS)] is not None
        ],
    )
    now = timezone.now()
    moment = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        prepared.execute(
            connection,
            cursor,
            queries["invitations"],
            [person.pk, moment(now), Response.WITHDRAWN, MY_MEETINGS_LIMIT],
        )
        page.invitations = [_invitation(row) for row in cursor.fetchall()]
        prepared.execute(
            connection, cursor, *_waiting_query(queries, person, page.memberships, now)
        )
        waiting = cursor.fetchall()
    _sort_waiting(page, waiting)
    return page


def _waiting_query(
    queries: dict[str, str], person: Person, memberships: list[dict], now: datetime
) -> tuple[str, list]:
    moment = connection.ops.adapt_datetimefield_value
    today = connection.ops.adapt_datefield_value(timezone.localdate(now))
    taking_part = [
        membership["project_id"]
        for membership in memberships
        if membership["status"] in (MembershipStatus.ACTIVE, MembershipStatus.INTERESTED)
    ]
    active = [m["project_id"] for m in memberships if m["status"] == MembershipStatus.ACTIVE]
    not_taking_part = (
        f"AND invitation.project_id NOT IN ({', '.join(['%s'] * len(taking_part))})"
        if taking_part
        else ""
    )
    parts = [
        (queries["consents"], [person.pk]),
        (
            queries["pool"].format(taking_part=not_taking_part),
            [person.pk, Stage.CLOSED, *taking_part, MY_POOL_INVITATIONS_LIMIT],
        ),
    ]
    # Someone who withdrew their consent, or was erased, is asked nothing.
    if person.may_be_contacted:
        parts.append(
            (
                queries["feedback"],
                [
                    person.pk,
                    AttendanceStatus.ATTENDED,
                    moment(now - ANSWER_WITHIN),
                    moment(now),
                    person.pk,
                    FEEDBACK_DUE_SHOWN,
                ],
            )
        )
    if active:
        parts.append(
            (
                queries["rounds"].format(active=", ".join(["%s"] * len(active))),
                [today, today, *active, person.pk],
            )
        )
    return "UNION ALL".join(sql for sql, _params in parts), [
        param for _sql, params in parts for param in params
    ]


def _person(values: tuple) -> Person:
    converted = []
    for name, value in zip(_PERSON_FIELDS, values, strict=True):
        if name == "public_id":
            value = uuid.UUID(str(value))
        elif name == "erased_at":
            value = _moment(value)
        elif name in _PERSON_FLAGS or name == "involvement_consent_given":
            value = bool(value)
        converted.append(value)
    # As .only() would: the fields not read are loaded if anything asks for them.
    return Person.from_db(connection.alias, _PERSON_FIELDS, converted)


def _membership(values: tuple) -> dict:
    project_id, project_name, status, interested_at, active_at, left_at = values
    return {
        "project_id": project_id,
        "project_name": project_name,
        "status": status,
        "interested_at": _moment(interested_at),
        "active_at": _moment(active_at),
        "left_at": _moment(left_at),
    }


def _invitation(row: tuple) -> dict:
    (
        response,
        responded_at,
        needs_support,
        recorder_id,
        recorder_name,
        recorder_email,
        public_id,
        title,
        starts_at,
        ends_at,
        place,
        online_link,
        agenda,
        cancelled_at,
        project_name,
    ) = row
    starts_at, ends_at = _moment(starts_at), _moment(ends_at)
    public_id = uuid.UUID(str(public_id))
    links = _links()
    return {
        "response": response,
        "response_label": Response(response).label,
        "responded_at": _moment(responded_at),
        "needs_support": bool(needs_support),
        "recorded_by": (
            login_label(name=recorder_name, email=recorder_email) if recorder_id else ""
        ),
        "public_id": public_id,
        "answer_url": links["meeting_answer"](public_id),
        "calendar_url": links["meeting_calendar"](public_id),
        "title": title,
        "starts_at": starts_at,
        "when": time_span(starts_at, ends_at),
        "place": place,
        "online_link": online_link,
        "agenda": agenda,
        "is_cancelled": cancelled_at is not None,
        "project_name": project_name,
    }


def _sort_waiting(page: MyPage, rows: list[tuple]) -> None:
    pool, feedback, rounds = [], [], []
    for kind, key, title, project_id, project_name, moment, day, summary, pk in rows:
        if kind == "consent":
            page.consents[key] = {"given_at": _moment(moment)}
        elif kind == "pool":
            invitation = ProjectInvitation(public_id=uuid.UUID(key))
            shown = {
                "project_name": project_name,
                "summary": summary,
                "page_url": pool_invitation_path(invitation),
            }
            pool.append((_moment(moment), pk, shown))
        elif kind == "feedback":
            starts_at = _moment(moment)
            public_id = uuid.UUID(key)
            shown = {
                "public_id": public_id,
                "page_url": _links()["meeting_feedback"](public_id),
                "title": title,
                "starts_at": starts_at,
                "project_name": project_name,
            }
            feedback.append((starts_at, pk, shown))
        else:
            closes_on = _day(day)
            shown = {
                "pk": pk,
                "name": title,
                "closes_on": closes_on,
                "project_id": project_id,
                "page_url": _links()["measure_answer"](pk),
            }
            rounds.append((closes_on, pk, shown))
    page.pool_invitations = [shown for *_order, shown in sorted(pool, reverse=True)]
    page.feedback_due = [shown for *_order, shown in sorted(feedback, reverse=True)]
    page.measure_rounds = [shown for *_order, shown in sorted(rounds)]
    project_names = {m["project_id"]: m["project_name"] for m in page.memberships}
    for measure_round in page.measure_rounds:
        measure_round["project_name"] = project_names[measure_round["project_id"]]


def _moment(value: datetime | str | None) -> datetime | None:
    # SQLite hands back text or naive UTC; PostgreSQL an aware time already.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


def _day(value: date | str | None) -> date | None:
    return parse_date(value) if isinstance(value, str) else value
