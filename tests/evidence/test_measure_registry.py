"""The measures registry and a project's measures, for staff."""

from datetime import date

import pytest
from django.urls import reverse

from evidence.models import Measure, MeasureRound, ProjectMeasure, RoundKind
from tests.factories.measures import ons4

pytestmark = pytest.mark.django_db

OWN_MEASURE = {
    "name": "SWEMWBS",
    "source": "Warwick Medical School",
    "licence": "held",
    "licence_details": "",
    "scale_min": "1",
    "scale_min_label": "None of the time",
    "scale_max": "5",
    "scale_max_label": "All of the time",
    "scoring": "total",
    "higher_better": "Question one as licensed\nQuestion two as licensed",
    "lower_better": "",
}


@pytest.fixture
def staff(client, personas):
    client.force_login(personas.staff)
    return client


def test_the_registry_marks_ons4_as_coming_with_coprod(staff):
    page = staff.get(reverse("evidence:measures")).content.decode()

    assert "ONS4 personal wellbeing" in page
    assert "comes with coprod" in page


def test_a_measure_shows_its_questions_scale_scoring_licence_and_source(staff):
    page = staff.get(reverse("evidence:measure", args=["ons4"])).content.decode()

    assert "Overall, how satisfied are you with your life nowadays?" in page
    assert "0 (Not at all) to 10 (Completely)" in page
    assert "never added up" in page
    assert "Free to use (with citation)" in page
    assert "Office for National Statistics" in page
    assert "It cannot be changed" in page


def test_a_licensed_measure_needs_its_licence_details_and_nothing_is_lost(staff):
    response = staff.post(reverse("evidence:measure_add"), OWN_MEASURE)

    html = response.content.decode()
    assert "Enter who holds the licence for this measure" in html
    assert "Question two as licensed" in html
    assert not Measure.objects.filter(name="SWEMWBS").exists()


def test_staff_add_the_organisations_own_measure_with_its_questions(staff, personas):
    response = staff.post(
        reverse("evidence:measure_add"),
        OWN_MEASURE
        | {
            "licence_details": "Licence WMS-1234 held by the council until March 2028",
            "lower_better": "How often did you feel alone?",
        },
    )

    measure = Measure.objects.get(name="SWEMWBS")
    assert response.status_code == 302
    assert not measure.shipped and measure.created_by == personas.staff
    assert [(q.text, q.better) for q in measure.questions.all()] == [
        ("Question one as licensed", "higher"),
        ("Question two as licensed", "higher"),
        ("How often did you feel alone?", "lower"),
    ]


def test_a_measure_needs_at_least_one_question(staff):
    response = staff.post(
        reverse("evidence:measure_add"),
        OWN_MEASURE | {"licence": "free", "higher_better": " \n "},
    )

    assert "Enter at least one question, one per line." in response.content.decode()


def test_staff_choose_a_measure_and_schedule_its_rounds(staff, personas):
    slug = personas.project.slug
    staff.post(
        reverse("evidence:project_measure_add", args=[slug]),
        {"measure": ons4().pk},
    )
    project_measure = ProjectMeasure.objects.get(project=personas.project)
    url = reverse("evidence:measure_round_add", args=[slug, project_measure.pk])

    too_early = staff.post(
        url,
        {
            "kind": "follow_up",
            "name": "After 6 months",
            "opens_on": "2026-07-01",
            "closes_on": "2026-07-31",
        },
    )
    assert "Schedule the baseline first" in too_early.content.decode()
    staff.post(
        url,
        {
            "kind": "baseline",
            "name": "Baseline",
            "opens_on": "01/01/2026",
            "closes_on": "31/01/2026",
        },
    )
    second_baseline = staff.post(
        url,
        {
            "kind": "baseline",
            "name": "Another",
            "opens_on": "2026-02-01",
            "closes_on": "2026-02-28",
        },
    )

    assert "already has a baseline" in second_baseline.content.decode()
    assert list(MeasureRound.objects.values_list("kind", "opens_on")) == [
        (RoundKind.BASELINE, date(2026, 1, 1))
    ]
    page = staff.get(reverse("evidence:project_measures", args=[slug])).content.decode()
    assert "Baseline" in page and "1 Jan 2026 to 31 Jan 2026" in page


def test_a_round_closing_before_it_opens_is_refused(staff, personas):
    project_measure = ProjectMeasure.objects.create(project=personas.project, measure=ons4())

    response = staff.post(
        reverse("evidence:measure_round_add", args=[personas.project.slug, project_measure.pk]),
        {
            "kind": "baseline",
            "name": "Baseline",
            "opens_on": "2026-03-01",
            "closes_on": "2026-02-01",
        },
    )

    assert "closing date must be the same as or after" in response.content.decode()
    assert not MeasureRound.objects.exists()
