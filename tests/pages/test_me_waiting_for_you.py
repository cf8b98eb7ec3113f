"""What /me/ asks a participant about (invitations to join, questions, meetings to say how
they went) is worked out from the memberships the page has read already and from their
attendances: these prove each shows only that person's own, and only what still waits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evidence.models import MeasureResponse, MeetingFeedback
from evidence.selectors.feedback import feedback_due_for
from evidence.selectors.measures import rounds_waiting_for
from projects.models import Attendance, AttendanceStatus, MembershipStatus, ProjectInvitation
from projects.selectors.pool import pool_invitations_waiting_for
from projects.selectors.roster import memberships_of
from tests.factories.measures import MeasureRoundFactory, ProjectMeasureFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory

pytestmark = pytest.mark.django_db


def _mine(person) -> list:
    return list(memberships_of(person))


def test_invitations_to_projects_they_take_part_in_are_not_shown(personas):
    person = personas.participant.person
    left = ProjectFactory()
    MembershipFactory(project=left, person=person, status=MembershipStatus.LEFT)
    interested = ProjectFactory()
    MembershipFactory(project=interested, person=person, status=MembershipStatus.INTERESTED)
    for project in (personas.project, left, interested, ProjectFactory()):
        ProjectInvitation.objects.create(project=project, person=person)
    ProjectInvitation.objects.create(
        project=ProjectFactory(), person=personas.other_participant.person
    )

    shown = pool_invitations_waiting_for(person, _mine(person))

    assert {invitation.project_id for invitation in shown} == (
        set(ProjectInvitation.objects.filter(person=person).values_list("project_id", flat=True))
        - {personas.project.pk, interested.pk}
    )
    assert left.pk in {invitation.project_id for invitation in shown}


def _open_round(project):
    today = timezone.localdate()
    return MeasureRoundFactory(
        project_measure=ProjectMeasureFactory(project=project),
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=1),
    )


def test_open_rounds_of_active_projects_wait_until_answered(personas):
    person = personas.participant.person
    waiting = _open_round(personas.project)
    answered = _open_round(personas.project)
    MeasureResponse.objects.create(round=answered, person=person)
    MeasureResponse.objects.create(round=waiting, person=personas.other_participant.person)
    _open_round(ProjectFactory())

    assert rounds_waiting_for(person, _mine(person)) == [waiting]


def test_someone_active_in_no_project_is_asked_nothing_without_a_query(
    personas, django_assert_num_queries
):
    person = personas.participant.person
    _open_round(personas.project)
    person.memberships.update(status=MembershipStatus.LEFT)
    memberships = _mine(person)

    with django_assert_num_queries(0):
        assert rounds_waiting_for(person, memberships) == []


def test_meetings_they_came_to_wait_for_their_say_until_they_give_it(personas):
    person = personas.participant.person
    now = timezone.now()

    def came_to(days_ago: int, **fields):
        starts_at = now - timedelta(days=days_ago)
        meeting = MeetingFactory(
            project=personas.project,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            **fields,
        )
        Attendance.objects.create(
            meeting=meeting,
            person=person,
            status=AttendanceStatus.ATTENDED,
            stakeholder_group=person.stakeholder_group,
        )
        return meeting

    latest, earlier = came_to(2), came_to(5)
    said = came_to(3)
    MeetingFeedback.objects.create(meeting=said, person=person, listened=4)
    MeetingFeedback.objects.create(
        meeting=earlier, person=personas.other_participant.person, listened=4
    )
    came_to(40)
    came_to(4, cancelled_at=now)

    due = feedback_due_for(person)

    assert [row["public_id"] for row in due] == [latest.public_id, earlier.public_id]
    assert due[0] == {
        "public_id": latest.public_id,
        "title": latest.title,
        "starts_at": latest.starts_at,
        "project_name": personas.project.name,
    }
