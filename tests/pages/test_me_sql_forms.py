"""On PostgreSQL /me/ reads with forms it plans in a fraction of the time (a LATERAL
subquery kept apart by OFFSET 0 instead of a join, = ANY(ARRAY(...)) instead of IN): these
prove they read exactly what the plain join and IN that SQLite gets read, for the person
and for nobody else. PostgreSQL reads both forms, so both run here on the same rows."""

from dataclasses import asdict
from datetime import timedelta
from unittest import mock

from django.utils import timezone

from coprod.pages import my_page as my_page_module
from coprod.pages.my_page import my_page
from evidence.models import MeasureResponse, MeetingFeedback
from projects.models import Attendance, AttendanceStatus, MembershipStatus, ProjectInvitation
from projects.models import Response as Answer
from stakeholders.models import ConsentKind
from stakeholders.services import consent_give
from tests.factories.measures import MeasureRoundFactory, ProjectMeasureFactory
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory


def _something_of_everything(personas, person) -> None:
    """Memberships of each kind, meetings to come (one cancelled, one withdrawn from, one
    answered by staff on their behalf), invitations to join (one to a project they take
    part in), meetings they came to (one they said how it went) and rounds of questions
    (one answered)."""
    consent_give(person=person, kind=ConsentKind.EQUALITY, method="online", recorded_by=None)
    now, today = timezone.now(), timezone.localdate()
    for status in MembershipStatus.values:
        project = ProjectFactory(name=f"Project they are {status} in")
        MembershipFactory(project=project, person=person, status=status)
        ProjectInvitation.objects.create(project=project, person=person)
        ProjectInvitation.objects.create(project=ProjectFactory(), person=person)
        InvitationFactory(meeting=MeetingFactory(project=project), person=person)
        InvitationFactory(
            meeting=MeetingFactory(project=project, cancelled_at=now),
            person=person,
            answer_recorded_by=personas.staff,
            responded_at=now,
            response=Answer.DECLINED,
        )
        InvitationFactory(
            meeting=MeetingFactory(project=project), person=person, response=Answer.WITHDRAWN
        )
        for days_ago in (2, 3):
            came = MeetingFactory(
                project=project,
                starts_at=now - timedelta(days=days_ago),
                ends_at=now - timedelta(days=days_ago) + timedelta(hours=2),
            )
            Attendance.objects.create(
                meeting=came,
                person=person,
                status=AttendanceStatus.ATTENDED,
                stakeholder_group="other",
            )
        MeetingFeedback.objects.create(meeting=came, person=person, listened=4)
        measure = ProjectMeasureFactory(project=project)
        for closes_in in (1, 2):
            answered = MeasureRoundFactory(
                project_measure=measure,
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=closes_in),
            )
        MeasureResponse.objects.create(round=answered, person=person)


def _read_with_the_plain_forms(user):
    plain = my_page_module._queries.__wrapped__("sqlite")
    with mock.patch.object(my_page_module, "_queries", lambda vendor: plain):
        return my_page(user)


def test_postgresql_reads_what_the_plain_join_and_in_read(postgres, personas):
    participant, other = personas.participant.person, personas.other_participant.person
    _something_of_everything(personas, participant)
    _something_of_everything(personas, other)

    quick = my_page(personas.participant)
    plain = _read_with_the_plain_forms(personas.participant)

    sql = my_page_module._queries("postgresql")
    assert "LATERAL" in sql["person"] and "LATERAL" in sql["invitations"]
    assert "ANY(ARRAY(" in sql["feedback"] and "ANY(ARRAY(" in sql["rounds"]
    assert asdict(quick) == asdict(plain)
    assert len(quick.memberships) == 4
    assert len(quick.invitations) == 7  # the one of personas, and two of each project
    assert sum(bool(invitation["recorded_by"]) for invitation in quick.invitations) == 3
    assert len(quick.pool_invitations) == 4  # to projects they left, or are not in
    assert len(quick.feedback_due) == 3
    assert len(quick.measure_rounds) == 1  # of the one project they are active in
    assert set(quick.consents) == {ConsentKind.INVOLVEMENT, ConsentKind.EQUALITY}
