"""The demo data shows a newcomer real measures: every demo project's report has ONS4
figures resting on enough people to be shown, and the demo participant is asked the
follow-up open now."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from coprod.core.suppression import is_suppressed
from evidence.models import MeasureAnswer, MeasureResponse
from evidence.selectors.measures import report_measures
from projects.models import Project
from tests.factories.measures import ons4

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _demo(settings):
    settings.DEBUG = True
    ons4()
    call_command("seed_demo")


def test_every_demo_project_reports_ons4_change_on_at_least_5_people():
    for project in Project.objects.filter(measures__isnull=False):
        [measure] = report_measures(project)
        for row in measure["rows"]:
            assert not is_suppressed(row["people"]) and row["people"] >= 5, project.name
            assert not is_suppressed(row["mean_change"])


def test_the_demo_participant_is_asked_the_open_follow_up(client):
    client.login(email="participant@example.org", password="coprod-demo-2026")

    page = client.get(reverse("pages:me")).content.decode()

    assert "Questions for Day services review: After 6 months" in page


def test_running_it_again_adds_nothing():
    counts = MeasureResponse.objects.count(), MeasureAnswer.objects.count()

    call_command("seed_demo")

    assert (MeasureResponse.objects.count(), MeasureAnswer.objects.count()) == counts
    assert counts[0] > 0
