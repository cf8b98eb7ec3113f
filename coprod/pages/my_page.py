"""What /me/ shows a participant, read in three queries whatever they take part in: the
person with their memberships, their meetings to come, and the short lists of what waits
for them (their consents among them).

The reads are written out rather than built by the ORM: building and compiling the seven
querysets they were took about ten milliseconds of CPU on every visit, twenty times what
running them takes, and each was a round trip of its own. Plain SQL that SQLite and
PostgreSQL both read. Every query is about the one person whose login asks, found by
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

# The person, and each of their memberships (none: one row with NULLs), newest first.
_PERSON_SQL = f"""
SELECT {", ".join(f"person.{name}" for name in _PERSON_FIELDS)},
       membership.project_id, project.name, membership.status,
       membership.interested_at, membership.active_at, membership.left_at
  FROM {_PEOPLE} person
  LEFT OUTER JOIN {_MEMBERSHIPS} membership ON membership.person_id = person.id
  LEFT OUTER JOIN {_PROJECTS} project ON project.id = membership.project_id
 WHERE person.user_id = %s
 ORDER BY membership.interested_at DESC, membership.id
"""  # noqa: S608 - names from the models, values passed as parameters

# Their invitations to meetings still to come, soonest first; withdrawn ones are gone, as
# they can no longer be answered.
_INVITATIONS_SQL = f"""
SELECT invitation.response, invitation.responded_at, invitation.needs_support,
       invitation.answer_recorded_by_id, recorder.name, recorder.email,
       meeting.public_id, meeting.title, meeting.starts_at, meeting.ends_at, meeting.place,
       meeting.online_link, meeting.agenda, meeting.cancelled_at, project.name
  FROM {Invitation._meta.db_table} invitation
  INNER JOIN {_MEETINGS} meeting ON meeting.id = invitation.meeting_id
  INNER JOIN {_PROJECTS} project ON project.id = meeting.project_id
  LEFT OUTER JOIN {User._meta.db_table} recorder ON recorder.id = invitation.answer_recorded_by_id
 WHERE invitation.person_id = %s AND meeting.ends_at > %s AND invitation.response <> %s
 ORDER BY meeting.starts_at, invitation.id
 LIMIT %s
"""  # noqa: S608 - names from the models, values passed as parameters

# The short lists, as rows of (list, key, title, project id, project name, moment, day,
# summary, id),
# each list in its own order and sorted again in Python: the order of the rows a UNION ALL
# gives back is not promised. What they take part in comes from the memberships read
# already: PostgreSQL plans a list of ids in a fraction of the time a subquery takes.
# - consent: each standing consent, by kind, with when it was given;
_CONSENTS_SQL = f"""
SELECT 'consent', consent.kind, NULL, NULL, NULL, consent.given_at, NULL, NULL, consent.id
  FROM {ConsentRecord._meta.db_table} consent
 WHERE consent.person_id = %s AND consent.withdrawn_at IS NULL
"""  # noqa: S608 - names from the models, values passed as parameters
# - pool: invitations to join a project that wait for an answer, newest first: none
#   withdrawn, for a project that has ended or for one they already take part in;
_POOL_SQL = f"""
SELECT * FROM (
  SELECT 'pool', CAST(invitation.public_id AS TEXT), NULL, project.id, project.name,
         invitation.created_at, CAST(NULL AS DATE), project.summary, invitation.id
    FROM {ProjectInvitation._meta.db_table} invitation
   INNER JOIN {_PROJECTS} project ON project.id = invitation.project_id
   WHERE invitation.person_id = %s AND invitation.answer = '' AND invitation.withdrawn_at IS NULL
     AND project.archived_at IS NULL AND project.stage <> %s {{taking_part}}
   ORDER BY invitation.created_at DESC, invitation.id DESC
   LIMIT %s
) AS pool
"""  # noqa: S608 - names from the models, values passed as parameters
# - feedback: meetings they came to that ended in the last 30 days and that they have not
#   said anything about yet, the latest first (one attendance per meeting);
_FEEDBACK_SQL = f"""
SELECT * FROM (
  SELECT 'feedback', CAST(meeting.public_id AS TEXT), meeting.title, project.id, project.name,
         meeting.starts_at, CAST(NULL AS DATE), NULL, meeting.id
    FROM {Attendance._meta.db_table} attendance
   INNER JOIN {_MEETINGS} meeting ON meeting.id = attendance.meeting_id
   INNER JOIN {_PROJECTS} project ON project.id = meeting.project_id
   WHERE attendance.person_id = %s AND attendance.status = %s AND meeting.cancelled_at IS NULL
     AND meeting.ends_at > %s AND meeting.starts_at <= %s
     AND attendance.meeting_id NOT IN (
       SELECT meeting_id FROM {MeetingFeedback._meta.db_table} WHERE person_id = %s)
   ORDER BY meeting.starts_at DESC, meeting.id DESC
   LIMIT %s
) AS feedback
"""  # noqa: S608 - names from the models, values passed as parameters
# - round: open rounds of questions of projects they take part in, not answered yet (the
#   project's name is their membership's).
_ROUNDS_SQL = f"""
SELECT 'round', CAST(measure_round.id AS TEXT), measure_round.name, measure.project_id, NULL,
       NULL,
       measure_round.closes_on, NULL, measure_round.id
  FROM {MeasureRound._meta.db_table} measure_round
 INNER JOIN {ProjectMeasure._meta.db_table} measure
    ON measure.id = measure_round.project_measure_id
 WHERE measure_round.opens_on <= %s AND measure_round.closes_on >= %s
   AND measure.project_id IN ({{active}})
   AND measure_round.id NOT IN (
     SELECT round_id FROM {MeasureResponse._meta.db_table} WHERE person_id = %s)
"""  # noqa: S608 - names from the models, values passed as parameters


def my_page(user: User) -> MyPage:
    """Everything /me/ shows of the person whose login `user` is: one query when they have
    no person yet, three otherwise."""
    with connection.cursor() as cursor:
        cursor.execute(_PERSON_SQL, [user.pk])
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
        cursor.execute(
            _INVITATIONS_SQL, [person.pk, moment(now), Response.WITHDRAWN, MY_MEETINGS_LIMIT]
        )
        page.invitations = [_invitation(row) for row in cursor.fetchall()]
        cursor.execute(*_waiting_query(person, page.memberships, now))
        waiting = cursor.fetchall()
    _sort_waiting(page, waiting)
    return page


def _waiting_query(person: Person, memberships: list[dict], now: datetime) -> tuple[str, list]:
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
        (_CONSENTS_SQL, [person.pk]),
        (
            _POOL_SQL.format(taking_part=not_taking_part),
            [person.pk, Stage.CLOSED, *taking_part, MY_POOL_INVITATIONS_LIMIT],
        ),
        (
            _FEEDBACK_SQL,
            [
                person.pk,
                AttendanceStatus.ATTENDED,
                moment(now - ANSWER_WITHIN),
                moment(now),
                person.pk,
                FEEDBACK_DUE_SHOWN,
            ],
        ),
    ]
    if active:
        parts.append(
            (
                _ROUNDS_SQL.format(active=", ".join(["%s"] * len(active))),
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
    # Someone who withdrew their consent, or was erased, is asked nothing.
    if page.person.may_be_contacted:
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
