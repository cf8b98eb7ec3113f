"""What a meeting's staff page shows of its invitees, read as display values: only the
fields shown, a page of them counted without a COUNT(*), and the minutes box."""

import html
import re
from datetime import timedelta

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.forms.meetings import MinutesForm
from projects.models import Attendance, AttendanceStatus, Meeting, Response
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _page(client, meeting: Meeting, query: str = "") -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(meeting.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in context.captured_queries]


def _invitee(meeting: Meeting, **fields):
    person = PersonFactory(**fields.pop("person", {}))
    MembershipFactory(project=meeting.project, person=person)
    return InvitationFactory(meeting=meeting, person=person, **fields)


def test_an_invitee_row_says_who_recorded_the_answer_and_who_arranged_support(
    staff_client, personas
):
    meeting = MeetingFactory(project=personas.project)
    answered_on = timezone.make_aware(timezone.datetime(2026, 3, 2, 23, 30))
    recorded = _invitee(
        meeting,
        response=Response.ACCEPTED,
        answer_recorded_by=personas.staff,
        responded_at=answered_on,
        needs_support=True,
        support_note="A taxi",
        support_arranged_by=personas.staff,
        support_arranged_at=answered_on,
        person={"needs_bsl": True, "needs_quiet_space": True},
    )
    waiting = _invitee(meeting, needs_support=True)
    not_coming = _invitee(meeting, needs_support=True, response=Response.DECLINED)

    page = html.unescape(_page(staff_client, meeting)[0])

    name = recorded.person.full_name
    # 23:30 UTC on 2 March is 2 March in London; the dates are London's.
    assert f"Recorded by {personas.staff} on behalf of {name} on 2 March 2026" in page
    assert "<strong>Needs support</strong>: A taxi" in page
    assert f"Arranged by {personas.staff} on 2 March 2026" in page
    assert "British Sign Language interpreter, Quiet space" in page
    assert f"support/{waiting.person.public_id}/arranged/" in page
    assert f"support/{recorded.person.public_id}/arranged/" not in page
    assert f"support/{not_coming.person.public_id}/arranged/" not in page


def test_the_second_page_of_invitees_has_the_rest(staff_client, personas):
    meeting = MeetingFactory(project=personas.project)
    for _ in range(53):
        _invitee(meeting)

    first, _ = _page(staff_client, meeting)
    second, _ = _page(staff_client, meeting, "?page=2")

    assert "Page 1 of 2" in first
    assert second.count("Record their answer<span") == 3


def test_the_page_reads_no_bank_details_nor_addresses(staff_client, personas):
    meeting = MeetingFactory(project=personas.project)
    invitation = _invitee(meeting, person={"bank_account_name": "Sam Lee", "address": "1 Road"})

    page, queries = _page(staff_client, meeting)

    assert invitation.person.full_name in page
    assert not [sql for sql in queries if "bank_account" in sql or re.search(r'[".]address\b', sql)]


def test_who_came_is_counted_once_for_the_groups_and_the_feedback(staff_client, personas):
    meeting = MeetingFactory(project=personas.project, past=True)
    for _ in range(6):
        invitation = _invitee(meeting)
        Attendance.objects.create(
            meeting=meeting,
            person=invitation.person,
            status=AttendanceStatus.ATTENDED,
            stakeholder_group=invitation.person.stakeholder_group,
        )

    page, queries = _page(staff_client, meeting)

    assert "Who took part" in page
    # The ORM quotes table names and the page's plain SQL does not: either is a read.
    assert len([sql for sql in queries if re.search(r'FROM "?projects_attendance\b', sql)]) == 1
    assert "of the <strong>6</strong> people who came" in page


def test_the_minutes_box_holds_the_minutes_as_crispy_forms_renders_them(staff_client, personas):
    meeting = MeetingFactory(
        project=personas.project,
        starts_at=timezone.now() - timedelta(days=1),
        minutes='We agreed <b>a plan</b> & "next steps"\nSecond line',
    )

    page, _ = _page(staff_client, meeting)

    assert as_crispy_form(MinutesForm(instance=meeting)) in page
    assert "&lt;b&gt;a plan&lt;/b&gt; &amp; &quot;next steps&quot;" in page
