"""How the staff's meeting page reads what it shows: the meeting and its project in one
compiled query (the same objects the ORM gives), the staff an invitee row names read apart
and only when a row names someone, and a fixed number of queries in all."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coprod.core.compiled import CompiledQuery
from projects.models import Meeting, Response
from projects.selectors.meetings import meeting_detail, meeting_with_project
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.people import StaffFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _invitee(meeting, **fields):
    person = PersonFactory()
    MembershipFactory(project=meeting.project, person=person)
    return InvitationFactory(meeting=meeting, person=person, **fields)


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_the_meeting_and_its_project_are_the_objects_the_orm_gives(personas):
    meeting = MeetingFactory(
        project=personas.project, capacity=12, minutes="Agreed", cancelled_at=timezone.now()
    )

    read = meeting_with_project(personas.project.slug, meeting.public_id)

    expected = Meeting.objects.select_related("project").get(pk=meeting.pk)
    # Every field and the project are read already: looking at them runs no query.
    with CaptureQueriesContext(connection) as queries:
        assert _fields(read) == _fields(expected)
        assert _fields(read.project) == _fields(expected.project)
    assert len(queries) == 0
    assert not read._state.adding and read._state.db == expected._state.db


def test_a_meeting_is_not_found_in_another_project_nor_by_an_unknown_id(personas):
    meeting = personas.meeting

    assert meeting_with_project(personas.other_project.slug, meeting.public_id) is None
    assert meeting_with_project(personas.project.slug, uuid.uuid4()) is None
    assert meeting_with_project(personas.project.slug, meeting.public_id).pk == meeting.pk


def test_a_compiled_query_takes_a_uuid(personas):
    compiled = CompiledQuery(
        lambda public_id: Meeting.objects.filter(public_id=public_id).values_list("pk"),
        public_id=uuid.UUID,
    )
    other = MeetingFactory(project=personas.project)

    assert compiled.rows(public_id=personas.meeting.public_id) == [(personas.meeting.pk,)]
    assert compiled.rows(public_id=other.public_id) == [(other.pk,)]
    assert compiled.rows(public_id=uuid.uuid4()) == []


def test_rows_name_the_staff_who_recorded_an_answer_or_arranged_support(personas):
    meeting = MeetingFactory(project=personas.project)
    recorder = StaffFactory(name="Ria Recorder", email="ria@example.org")
    arranger = StaffFactory(name="", email="arran@example.org")
    _invitee(meeting, response=Response.ACCEPTED, answer_recorded_by=recorder)
    _invitee(
        meeting,
        response=Response.WAITLISTED,
        needs_support=True,
        support_arranged_by=arranger,
        support_arranged_at=timezone.now(),
    )
    _invitee(meeting, response=Response.NO_ANSWER)

    rows = meeting_detail(meeting).invitations.object_list

    staff = ("answer_recorded_by", "support_arranged_by")
    named = {
        row["person__public_id"]: tuple(
            row[f"{role}__{field}"] for role in staff for field in ("name", "email")
        )
        for row in rows
    }
    expected = {
        public_id: tuple(names)
        for public_id, *names in meeting.invitations.values_list(
            "person__public_id",
            *(f"{role}__{field}" for role in staff for field in ("name", "email")),
        )
    }
    assert named == expected
    assert sorted(named.values(), key=str) == [
        ("Ria Recorder", "ria@example.org", None, None),
        (None, None, "", "arran@example.org"),
        (None, None, None, None),
    ]


def test_the_staff_are_read_only_when_a_row_names_someone(personas):
    meeting = MeetingFactory(project=personas.project)
    _invitee(meeting)
    _invitee(meeting)

    with CaptureQueriesContext(connection) as nobody_named:
        meeting_detail(meeting)
    _invitee(meeting, answer_recorded_by=personas.staff)
    _invitee(meeting, answer_recorded_by=StaffFactory(), support_arranged_by=personas.staff)
    with CaptureQueriesContext(connection) as staff_named:
        meeting_detail(meeting)

    assert len(nobody_named) == 2
    assert len(staff_named) == 3
    staff_read = staff_named.captured_queries[-1]["sql"]
    assert "password" not in staff_read
    assert "stakeholders_user" not in " ".join(q["sql"] for q in nobody_named.captured_queries)


def _view_queries(client, meeting: Meeting) -> list[str]:
    client.get(meeting.get_absolute_url())  # the session and login are read once
    with CaptureQueriesContext(connection) as context:
        assert client.get(meeting.get_absolute_url()).status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_the_meeting_page_runs_four_queries_of_its_own(staff_client, personas):
    """The meeting with its project; answers, failures and who came; a page of invitees;
    what people said after it. A signed-in visit reads the login too."""
    meeting = MeetingFactory(project=personas.project, past=True)
    for _ in range(30):
        _invitee(meeting, response=Response.ACCEPTED)

    queries = _view_queries(staff_client, meeting)

    own = [sql for sql in queries if "stakeholders_user" not in sql]
    assert len(own) == 4, own
    assert len(queries) == 5, queries
