import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import (
    Case,
    Count,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from coprod.core import prepared
from coprod.core.compiled import CompiledQuery
from coprod.core.outbox import undelivered
from coprod.core.suppression import suppress_small
from projects.models import (
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingEmail,
    MembershipStatus,
    Project,
    Response,
)
from projects.selectors.projects import PROJECT_FIELDS
from stakeholders.models import AccessNeed, ContactMethod, Person, StakeholderGroup, User

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


_MEETING_FIELDS = tuple(field.attname for field in Meeting._meta.concrete_fields)


def _meeting_with_project(slug: str, meeting_id: uuid.UUID) -> QuerySet:
    return Meeting.objects.filter(project__slug=slug, public_id=meeting_id).values_list(
        *_MEETING_FIELDS, *(f"project__{name}" for name in PROJECT_FIELDS)
    )


# Every meeting page reads its meeting, and the project it links to, by this query:
# building and compiling it through the ORM each time cost more than running it.
_MEETING_WITH_PROJECT = CompiledQuery(_meeting_with_project, slug=str, meeting_id=uuid.UUID)


def meeting_with_project(slug: str, meeting_id: uuid.UUID) -> Meeting | None:
    """The meeting with this public id in the project with this slug, if any, with its
    project: the same objects as select_related("project") gives, in one query."""
    rows = _MEETING_WITH_PROJECT.rows(slug=slug, meeting_id=meeting_id)
    if not rows:
        return None
    values, split = rows[0], len(_MEETING_FIELDS)
    meeting = Meeting.from_db(DEFAULT_DB_ALIAS, _MEETING_FIELDS, values[:split])
    meeting.project = Project.from_db(DEFAULT_DB_ALIAS, PROJECT_FIELDS, values[split:])
    return meeting


@dataclass
class MeetingDetail:
    counts: dict[str, int]
    invitations: Page
    failed_emails: list[MeetingEmail]
    # How many came, by their stakeholder group on the day, not suppressed: for the counts
    # shown (`meeting_participation_by_group`) and the number who came, which the feedback
    # summary needs.
    attended: dict[str, int]

    @property
    def retryable_count(self) -> int:
        """Failed messages worth trying again: to people with an email address or a phone
        number to text."""
        return sum(1 for email in self.failed_emails if email.invitation.person.message_channel)


# What a row of a meeting's invitees shows: nothing else of the person (bank details among
# them) or of the staff who recorded an answer or arranged support is read.
INVITEE_ROW_FIELDS = (
    "response",
    "responded_at",
    "needs_support",
    "support_note",
    "support_arranged_at",
    "support_arranged_by_id",
    "support_arranged_by__name",
    "support_arranged_by__email",
    "answer_recorded_by_id",
    "answer_recorded_by__name",
    "answer_recorded_by__email",
    "person__public_id",
    "person__full_name",
    "person__stakeholder_group",
    *(f"person__{need}" for need in AccessNeed.values),
)

# The staff a row may name, by the field that links to them. They are read apart
# (_STAFF_SQL), and only when a row names someone: joining the users table twice more to
# the invitees took PostgreSQL longer to plan than the rest of the query took to run, on
# every visit, while few invitations name any staff.
_STAFF_ROLES = ("support_arranged_by", "answer_recorded_by")
_STAFF_FIELDS = tuple(f"{role}__{field}" for role in _STAFF_ROLES for field in ("name", "email"))
# What _INVITEES_SQL reads, in its order: the row's fields less the staff's names.
_INVITEE_COLUMNS = tuple(name for name in INVITEE_ROW_FIELDS if name not in _STAFF_FIELDS)

_INVITATIONS = Invitation._meta.db_table
_PEOPLE = Person._meta.db_table
_USERS = User._meta.db_table

# The meeting page's reads are written out rather than built by the ORM: building and
# compiling them (three querysets, one of them of twenty columns over four tables) took
# about three milliseconds of CPU on every visit, ten times what running them takes. Plain
# SQL that SQLite and PostgreSQL both read; tests check they agree with the ORM's answers
# (undelivered() among them).
#
# The answers counted by kind, how many messages failed (as undelivered() says), and who
# came by their group on the day, in one query.
_COUNTS_SQL = f"""
SELECT 'answer', response, COUNT(*) FROM {_INVITATIONS} WHERE meeting_id = %s GROUP BY response
UNION ALL
SELECT 'failed', '', COUNT(*)
  FROM {MeetingEmail._meta.db_table} email
  INNER JOIN {_INVITATIONS} invitation ON invitation.id = email.invitation_id
 WHERE invitation.meeting_id = %s
   AND ((email.failed_at IS NOT NULL AND email.sent_at IS NULL) OR email.bounced_at IS NOT NULL)
UNION ALL
SELECT 'came', stakeholder_group, COUNT(*) FROM {Attendance._meta.db_table}
 WHERE meeting_id = %s AND status = '{AttendanceStatus.ATTENDED}' GROUP BY stakeholder_group
"""  # noqa: S608 - names from the models, values passed as parameters


def _column(field: str) -> str:
    """The column of _INVITEES_SQL that a row's field comes from: person__full_name is
    person.full_name, response is invitation.response."""
    table, _, column = field.rpartition("__")
    return f"{table or 'invitation'}.{column}"


# A page of the invitees, those coming first (as _answer_order()), then by name.
_INVITEES_SQL = f"""
SELECT {", ".join(_column(field) for field in _INVITEE_COLUMNS)}
  FROM {_INVITATIONS} invitation
  INNER JOIN {_PEOPLE} person ON person.id = invitation.person_id
 WHERE invitation.meeting_id = %s
 ORDER BY CASE invitation.response WHEN '{Response.ACCEPTED}' THEN 0
          WHEN '{Response.WAITLISTED}' THEN 1 WHEN '{Response.NO_ANSWER}' THEN 2 ELSE 3 END,
          person.full_name, invitation.id
 LIMIT %s OFFSET %s
"""  # noqa: S608 - names from the models, values passed as parameters

# The staff that a page of invitees names: only their names and email addresses.
_STAFF_SQL = f"SELECT id, name, email FROM {_USERS} WHERE id IN ({{places}})"  # noqa: S608

_MOMENTS = ("responded_at", "support_arranged_at")


class _InviteeRows:
    """A meeting's invitees as rows of INVITEE_ROW_FIELDS, for the Paginator: slicing it
    reads that slice only, in one query, and a second only when a row names staff."""

    def __init__(self, meeting_pk: int, count: int) -> None:
        self.meeting_pk, self.count = meeting_pk, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, part: slice) -> list[dict]:
        start, stop = part.start or 0, part.stop if part.stop is not None else self.count
        with connection.cursor() as cursor:
            prepared.execute(
                connection, cursor, _INVITEES_SQL, [self.meeting_pk, max(stop - start, 0), start]
            )
            rows = [dict(zip(_INVITEE_COLUMNS, row, strict=True)) for row in cursor]
            named = sorted({row[f"{role}_id"] for row in rows for role in _STAFF_ROLES} - {None})
            staff = {}
            if named:
                cursor.execute(_STAFF_SQL.format(places=", ".join(["%s"] * len(named))), named)
                staff = {pk: (name, email) for pk, name, email in cursor}
        for row in rows:
            # SQLite hands back the 32 hex digits; PostgreSQL a UUID already.
            if not isinstance(row["person__public_id"], uuid.UUID):
                row["person__public_id"] = uuid.UUID(row["person__public_id"])
            for name in _MOMENTS:
                row[name] = _aware(row[name])
            for role in _STAFF_ROLES:
                row[f"{role}__name"], row[f"{role}__email"] = staff.get(
                    row[f"{role}_id"], (None, None)
                )
        return rows


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive UTC; PostgreSQL an aware time already.
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, UTC)
    return moment


def meeting_detail(meeting: Meeting, *, page_number: str | int | None = None) -> MeetingDetail:
    """Answers counted by kind, a page of the invitees (as rows of INVITEE_ROW_FIELDS),
    emails that failed and who came by group. The answers counted are the paginator's count
    too: no COUNT(*). Two queries; one more when some messages failed, and one more when a
    row of the page names staff (who recorded an answer or arranged support)."""
    counted, attended, failures = {}, {}, 0
    with connection.cursor() as cursor:
        prepared.execute(connection, cursor, _COUNTS_SQL, [meeting.pk] * 3)
        for kind, key, count in cursor:
            if kind == "answer":
                counted[key] = count
            elif kind == "came":
                attended[key] = count
            else:
                failures = count
    paginator = Paginator(_InviteeRows(meeting.pk, sum(counted.values())), INVITEES_PER_PAGE)
    return MeetingDetail(
        counts={response.value: counted.get(response.value, 0) for response in Response},
        invitations=paginator.get_page(page_number),
        failed_emails=_failed_emails(meeting) if failures else [],
        attended=attended,
    )


def _failed_emails(meeting: Meeting) -> list[MeetingEmail]:
    return list(
        MeetingEmail.objects.filter(undelivered(), invitation__meeting=meeting)
        .select_related("invitation__person")
        # What the page shows, and how each person could be messaged again.
        .only(
            "kind",
            "channel",
            "bounced_at",
            "failed_at",
            "last_error",
            "invitation__person__public_id",
            "invitation__person__full_name",
            "invitation__person__email",
            "invitation__person__phone",
            "invitation__person__preferred_contact",
        )
        .annotate(gave_up_at=Coalesce("bounced_at", "failed_at"))
        .order_by("-gave_up_at", "pk")
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
class InvitePreview:
    """Who an invitation would reach, split by how they hear about it."""

    count: int
    already: int
    by_email: list[str]
    by_email_count: int
    by_text: list[str]
    by_text_count: int
    unreachable: list[Person]
    unreachable_count: int

    @property
    def by_email_more(self) -> int:
        return self.by_email_count - len(self.by_email)

    @property
    def by_text_more(self) -> int:
        return self.by_text_count - len(self.by_text)

    @property
    def unreachable_more(self) -> int:
        return self.unreachable_count - len(self.unreachable)


def meeting_invite_preview(
    meeting: Meeting,
    *,
    mode: str,
    groups: Iterable[str] = (),
    people_ids: Iterable = (),
    names_shown: int = 100,
) -> InvitePreview:
    """Who gets an email, who a text message (Person.message_channel), and who has
    neither an email address nor a phone number and must be reached another way, with at
    most `names_shown` names of each: seven queries whatever the numbers."""
    choice = {"mode": mode, "groups": groups, "people_ids": people_ids}
    invitees = meeting_invitees(meeting, **choice)
    texted = Q(~Q(phone=""), Q(preferred_contact=ContactMethod.TEXT) | Q(email=""))
    by_text = invitees.filter(texted)
    by_email = invitees.exclude(texted).exclude(email="")
    unreachable = invitees.filter(email="", phone="")
    counts = [by_email.count(), by_text.count(), unreachable.count()]
    return InvitePreview(
        count=sum(counts),
        already=meeting_invitees_already_invited(meeting, **choice),
        by_email=list(by_email.values_list("full_name", flat=True)[:names_shown]),
        by_email_count=counts[0],
        by_text=list(by_text.values_list("full_name", flat=True)[:names_shown]),
        by_text_count=counts[1],
        unreachable=list(unreachable.only("full_name")[:names_shown]),
        unreachable_count=counts[2],
    )


def meeting_invitation_of(meeting: Meeting, person_id) -> Invitation | None:
    """The invitation of the person with this public id to this meeting, if any."""
    return (
        meeting.invitations.select_related("person", "answer_recorded_by", "support_arranged_by")
        .filter(person__public_id=person_id)
        .first()
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


def meeting_participation_by_group(attended: dict[str, int]) -> list[dict]:
    """People who came (`MeetingDetail.attended`), by their stakeholder group on the day;
    1 to 4 suppressed."""
    return [
        {"group": group.value, "label": group.label, "count": suppress_small(attended[group.value])}
        for group in StakeholderGroup
        if attended.get(group.value)
    ]


def upcoming_meetings_panel(*, limit: int = 8) -> list[Meeting]:
    """The next meetings across all projects, with their answers counted: one query.
    The next few are picked first, so only their invitations are counted, not those of
    every meeting still to come."""
    upcoming = (
        Meeting.objects.filter(
            cancelled_at=None, starts_at__gte=timezone.now(), project__archived_at=None
        )
        .order_by("starts_at", "pk")
        .values("pk")[:limit]
    )
    return list(
        Meeting.objects.filter(pk__in=upcoming)
        .select_related("project")
        .only("public_id", "title", "starts_at", "project__slug", "project__name")
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
