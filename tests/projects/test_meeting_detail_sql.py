"""The meeting page reads its counts and a page of invitees by plain SQL: these prove the
answers counted, the messages that failed and who came agree with the models, that the
rows come in the ORM's order with ids as the links need them, and that every value in a
row built in Python is escaped."""

from datetime import timedelta

import pytest
from django.db.models import Case, Count, Value, When
from django.utils import timezone

from coprod.core.outbox import undelivered
from projects.models import Attendance, AttendanceStatus, MeetingEmail, Response
from projects.selectors.meetings import meeting_detail
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _invitee(meeting, **fields):
    person = PersonFactory(**fields.pop("person", {}))
    MembershipFactory(project=meeting.project, person=person)
    return InvitationFactory(meeting=meeting, person=person, **fields)


def test_counts_failures_and_who_came_agree_with_the_models(personas):
    meeting = MeetingFactory(project=personas.project, past=True)
    other = MeetingFactory(project=personas.project, past=True)
    responses = [Response.ACCEPTED] * 3 + [Response.DECLINED, Response.WITHDRAWN]
    invitations = [_invitee(meeting, response=response) for response in responses]
    invitations.append(_invitee(meeting, response=Response.WAITLISTED))
    elsewhere = _invitee(other, response=Response.ACCEPTED)
    now = timezone.now()
    # Given up unsent, bounced after sending, sent, and failed once then sent.
    MeetingEmail.objects.create(invitation=invitations[0], kind="invitation", failed_at=now)
    MeetingEmail.objects.create(
        invitation=invitations[1], kind="invitation", sent_at=now, bounced_at=now
    )
    MeetingEmail.objects.create(invitation=invitations[2], kind="invitation", sent_at=now)
    MeetingEmail.objects.create(
        invitation=invitations[3], kind="invitation", sent_at=now, failed_at=now
    )
    MeetingEmail.objects.create(invitation=elsewhere, kind="invitation", failed_at=now)
    for invitation, status in zip(
        invitations, [AttendanceStatus.ATTENDED] * 3 + [AttendanceStatus.NO_SHOW], strict=False
    ):
        Attendance.objects.create(
            meeting=meeting,
            person=invitation.person,
            status=status,
            stakeholder_group=invitation.person.stakeholder_group,
        )
    Attendance.objects.create(
        meeting=other,
        person=elsewhere.person,
        status=AttendanceStatus.ATTENDED,
        stakeholder_group=elsewhere.person.stakeholder_group,
    )

    detail = meeting_detail(meeting)

    recounted = dict(meeting.invitations.values_list("response").annotate(n=Count("pk")).order_by())
    assert detail.counts == {
        response.value: recounted.get(response.value, 0) for response in Response
    }
    assert detail.invitations.paginator.count == len(invitations)
    failed = MeetingEmail.objects.filter(undelivered(), invitation__meeting=meeting)
    assert sorted(email.pk for email in detail.failed_emails) == sorted(f.pk for f in failed)
    assert detail.attended == dict(
        meeting.attendances.filter(status=AttendanceStatus.ATTENDED)
        .values_list("stakeholder_group")
        .annotate(n=Count("pk"))
        .order_by()
    )


def test_rows_come_in_the_orms_order_with_ids_and_times_as_the_models_give_them(personas):
    meeting = MeetingFactory(project=personas.project)
    answered = timezone.now() - timedelta(days=1)
    for response in [Response.NO_ANSWER, Response.DECLINED, Response.ACCEPTED] * 2:
        _invitee(meeting, response=response, responded_at=answered, needs_support=True)
    _invitee(meeting, response=Response.WAITLISTED, support_arranged_at=answered)

    rows = list(meeting_detail(meeting).invitations.object_list)

    expected = list(
        meeting.invitations.annotate(
            order=Case(
                When(response=Response.ACCEPTED, then=Value(0)),
                When(response=Response.WAITLISTED, then=Value(1)),
                When(response=Response.NO_ANSWER, then=Value(2)),
                default=Value(3),
            )
        )
        .order_by("order", "person__full_name", "pk")
        .values("person__public_id", "responded_at", "support_arranged_at", "needs_support")
    )
    assert [
        {key: row[key] for key in ("person__public_id", "responded_at", "support_arranged_at")}
        | {"needs_support": row["needs_support"]}
        for row in rows
    ] == expected


def test_every_value_in_an_invitee_row_is_escaped(staff_client, personas):
    meeting = MeetingFactory(project=personas.project)
    staff = personas.staff
    staff.name = "<i>Staff</i>"
    staff.save()
    _invitee(
        meeting,
        person={"full_name": "<script>alert(1)</script>"},
        response=Response.ACCEPTED,
        answer_recorded_by=staff,
        needs_support=True,
        support_note='<b>A taxi</b> & "a ramp"',
    )

    page = staff_client.get(meeting.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>A taxi</b>" not in page
    assert "&lt;b&gt;A taxi&lt;/b&gt; &amp; &quot;a ramp&quot;" in page
    assert "<i>Staff</i>" not in page


@pytest.mark.parametrize("sent", [False, True])
def test_a_lone_bounce_or_failure_is_enough_to_read_the_messages(personas, sent):
    meeting = MeetingFactory(project=personas.project)
    invitation = _invitee(meeting)
    now = timezone.now()
    fields = {"sent_at": now, "bounced_at": now} if sent else {"failed_at": now}
    email = MeetingEmail.objects.create(invitation=invitation, kind="invitation", **fields)

    assert [failed.pk for failed in meeting_detail(meeting).failed_emails] == [email.pk]
