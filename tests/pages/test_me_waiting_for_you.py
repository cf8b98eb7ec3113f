"""What /me/ asks a participant about (invitations to join, questions, meetings to say how
they went) is worked out from the memberships the page has read already and from their
attendances: these prove each shows only that person's own, and only what still waits."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod.pages.my_page import my_page
from evidence.models import MeasureResponse, MeetingFeedback
from projects.models import Attendance, AttendanceStatus, MembershipStatus, ProjectInvitation
from projects.pool_links import pool_invitation_path
from stakeholders.services import consent_withdraw
from tests.factories.measures import MeasureRoundFactory, ProjectMeasureFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.projects import ProjectFactory
from tests.factories.roster import MembershipFactory

pytestmark = pytest.mark.django_db


def test_invitations_to_projects_they_take_part_in_are_not_shown(personas):
    person = personas.participant.person
    left = ProjectFactory()
    MembershipFactory(project=left, person=person, status=MembershipStatus.LEFT)
    interested = ProjectFactory()
    MembershipFactory(project=interested, person=person, status=MembershipStatus.INTERESTED)
    for project in (personas.project, left, interested, ProjectFactory()):
        ProjectInvitation.objects.create(project=project, person=person)
    ProjectInvitation.objects.create(
        project=ProjectFactory(name="Not theirs"), person=personas.other_participant.person
    )

    shown = my_page(personas.participant).pool_invitations

    expected = (
        ProjectInvitation.objects.filter(person=person)
        .exclude(project__in=[personas.project, interested])
        .select_related("project")
        .order_by("-created_at", "-pk")
    )
    assert shown == [
        {
            "project_name": invitation.project.name,
            "summary": invitation.project.summary,
            "page_url": pool_invitation_path(invitation),
        }
        for invitation in expected
    ]
    assert left.name in {invitation["project_name"] for invitation in shown}


def test_invitations_answered_withdrawn_or_to_ended_projects_are_not_shown(personas):
    person = personas.participant.person
    waiting = ProjectInvitation.objects.create(project=ProjectFactory(), person=person)
    ProjectInvitation.objects.create(project=ProjectFactory(), person=person, answer="no")
    ProjectInvitation.objects.create(
        project=ProjectFactory(), person=person, withdrawn_at=timezone.now()
    )
    ProjectInvitation.objects.create(project=ProjectFactory(stage="closed"), person=person)
    ProjectInvitation.objects.create(
        project=ProjectFactory(archived_at=timezone.now()), person=person
    )

    shown = my_page(personas.participant).pool_invitations

    assert [invitation["project_name"] for invitation in shown] == [waiting.project.name]


def _open_round(project, **fields):
    today = timezone.localdate()
    days = {"opens_on": today - timedelta(days=1), "closes_on": today + timedelta(days=1)}
    return MeasureRoundFactory(
        project_measure=ProjectMeasureFactory(project=project), **(days | fields)
    )


def test_open_rounds_of_active_projects_wait_until_answered(personas):
    person = personas.participant.person
    waiting = _open_round(personas.project)
    later = _open_round(personas.project, closes_on=timezone.localdate() + timedelta(days=5))
    answered = _open_round(personas.project)
    MeasureResponse.objects.create(round=answered, person=person)
    MeasureResponse.objects.create(round=waiting, person=personas.other_participant.person)
    _open_round(ProjectFactory())
    _open_round(personas.project, opens_on=timezone.localdate() + timedelta(days=1))

    assert my_page(personas.participant).measure_rounds == [
        {
            "pk": measure_round.pk,
            "name": measure_round.name,
            "closes_on": measure_round.closes_on,
            "project_id": personas.project.pk,
            "project_name": personas.project.name,
            "page_url": reverse("evidence:measure_answer", args=[measure_round.pk]),
        }
        for measure_round in (waiting, later)
    ]


def test_someone_active_in_no_project_is_asked_no_questions(personas):
    person = personas.participant.person
    _open_round(personas.project)
    person.memberships.update(status=MembershipStatus.LEFT)

    assert my_page(personas.participant).measure_rounds == []


def _came_to(personas, person, days_ago: int, **fields):
    starts_at = timezone.now() - timedelta(days=days_ago)
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


def test_meetings_they_came_to_wait_for_their_say_until_they_give_it(personas):
    person = personas.participant.person
    latest, earlier = _came_to(personas, person, 2), _came_to(personas, person, 5)
    said = _came_to(personas, person, 3)
    MeetingFeedback.objects.create(meeting=said, person=person, listened=4)
    MeetingFeedback.objects.create(
        meeting=earlier, person=personas.other_participant.person, listened=4
    )
    _came_to(personas, person, 40)
    _came_to(personas, person, 4, cancelled_at=timezone.now())

    due = my_page(personas.participant).feedback_due

    assert [row["public_id"] for row in due] == [latest.public_id, earlier.public_id]
    assert due[0] == {
        "public_id": latest.public_id,
        "page_url": reverse("evidence:meeting_feedback", args=[latest.public_id]),
        "title": latest.title,
        "starts_at": latest.starts_at,
        "project_name": personas.project.name,
    }


def test_someone_who_withdrew_their_consent_is_not_asked_about_meetings(personas):
    person = personas.participant.person
    _came_to(personas, person, 2)
    consent_withdraw(person=person, kind="involvement", withdrawn_by=None)

    assert my_page(personas.participant).feedback_due == []
