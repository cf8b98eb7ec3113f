"""The demo data shows a newcomer what people said after meetings: answers from many people
about several meetings, figures shown and withheld in a granted report, and a meeting the
demo participant came to and has not yet said anything about."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from coprod.core.suppression import SUPPRESSED
from evidence.models import MeetingFeedback
from evidence.selectors.feedback import report_meeting_feedback
from projects.models import Meeting
from stakeholders.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_many_people_said_how_several_meetings_went():
    assert MeetingFeedback.objects.values("person").distinct().count() >= 6
    answered = MeetingFeedback.objects.values("meeting").distinct().count()
    assert answered >= 4


def test_a_granted_report_shows_figures_and_withholds_small_ones():
    commissioner = User.objects.get(email="commissioner@example.org")
    project = next(
        grant.project
        for grant in commissioner.report_grants.select_related("project")
        if grant.project.meetings.exists()
    )

    section = report_meeting_feedback(project)

    assert all(isinstance(question["answers"], int) for question in section["questions"])
    assert SUPPRESSED in [meeting["answered"] for meeting in section["meetings"]]


def test_the_demo_participant_is_asked_about_a_meeting_they_came_to(client):
    client.force_login(User.objects.get(email="participant@example.org"))

    page = client.get(reverse("pages:me")).content.decode()

    meeting = Meeting.objects.get(
        attendances__person__user__email="participant@example.org",
        title="Looking back: what we heard",
    )
    assert f"How did {meeting.title} go?" in page
