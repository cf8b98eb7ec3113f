"""The report's measures: ONS4 as shipped and never added up, and every figure withheld
when it rests on fewer than 5 people."""

from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from coprod.core.suppression import SUPPRESSED, WITHHELD
from evidence.models import (
    BetterDirection,
    MeasureLicence,
    MeasureScoring,
    RoundKind,
)
from evidence.selectors.measures import measures_csv_rows, report_measures
from tests.factories.measures import (
    MeasureFactory,
    MeasureQuestionFactory,
    MeasureRoundFactory,
    ProjectMeasureFactory,
    answer_round,
    ons4,
)
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db

FIGURES = ("people", "baseline_mean", "latest_mean", "mean_change", "direction", "meaningful")


def _ons4_in_a_project(people: int, *, baseline_only: int = 0):
    """ONS4 with `people` answering both rounds (each up 2 on life satisfaction, anxiety down
    1), and `baseline_only` more answering only the baseline."""
    measure = ons4()
    project_measure = ProjectMeasureFactory(measure=measure)
    baseline = MeasureRoundFactory(
        project_measure=project_measure,
        kind=RoundKind.BASELINE,
        name="Baseline",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    follow_up = MeasureRoundFactory(project_measure=project_measure, name="After 6 months")
    satisfied, worthwhile, happy, anxious = measure.questions.order_by("position")
    for person in PersonFactory.create_batch(people):
        answer_round(baseline, person, {satisfied: 5, worthwhile: 6, happy: 5, anxious: 6})
        answer_round(follow_up, person, {satisfied: 7, worthwhile: 6, happy: 6, anxious: 5})
    for person in PersonFactory.create_batch(baseline_only):
        answer_round(baseline, person, {satisfied: 1, worthwhile: 1, happy: 1, anxious: 9})
    return project_measure


def test_ons4_is_shipped_with_the_ons_wording_scale_and_licence():
    shipped = ons4()

    assert shipped.name == "ONS4 personal wellbeing"
    assert shipped.shipped
    assert shipped.licence == MeasureLicence.FREE
    assert shipped.scoring == MeasureScoring.SEPARATE
    assert (shipped.scale_min, shipped.scale_min_label) == (0, "Not at all")
    assert (shipped.scale_max, shipped.scale_max_label) == (10, "Completely")
    assert shipped.source == "Office for National Statistics, Personal well-being user guidance"
    assert shipped.source_url.startswith("https://www.ons.gov.uk/")
    assert "not an ONS figure" in shipped.meaningful_change_source
    assert [(q.text, q.better) for q in shipped.questions.order_by("position")] == [
        ("Overall, how satisfied are you with your life nowadays?", BetterDirection.HIGHER),
        (
            "Overall, to what extent do you feel that the things you do in your life are "
            "worthwhile?",
            BetterDirection.HIGHER,
        ),
        ("Overall, how happy did you feel yesterday?", BetterDirection.HIGHER),
        ("Overall, how anxious did you feel yesterday?", BetterDirection.LOWER),
    ]


def test_ons4_is_reported_question_by_question_and_never_added_up():
    project_measure = _ons4_in_a_project(5)

    [ons4] = report_measures(project_measure.project)
    rows = {row["name"]: row for row in ons4["rows"]}

    assert list(rows) == [
        "Life satisfaction",
        "Worthwhile",
        "Happiness yesterday",
        "Anxiety yesterday",
    ]
    # Added up, the four would have gone from 22 to 24: no figure anywhere says so.
    figures = [row[key] for row in ons4["rows"] for key in FIGURES]
    assert Decimal("22") not in figures and Decimal("24") not in figures
    assert not any("total" in row[1].lower() for row in measures_csv_rows([ons4]))
    assert rows["Life satisfaction"]["mean_change"] == Decimal("2.00")
    assert rows["Life satisfaction"]["direction"] == "Better"
    assert rows["Life satisfaction"]["meaningful"] == "Yes"
    assert rows["Worthwhile"]["direction"] == "No change"
    assert rows["Anxiety yesterday"]["mean_change"] == Decimal("-1.00")
    assert rows["Anxiety yesterday"]["direction"] == "Better"


def test_a_measure_scored_as_a_total_reports_the_total():
    measure = MeasureFactory(scoring=MeasureScoring.TOTAL, scale_min=1, scale_max=5)
    first = MeasureQuestionFactory(measure=measure, position=1)
    second = MeasureQuestionFactory(measure=measure, position=2)
    project_measure = ProjectMeasureFactory(measure=measure)
    baseline = MeasureRoundFactory(
        project_measure=project_measure, kind=RoundKind.BASELINE, opens_on=date(2026, 1, 1)
    )
    follow_up = MeasureRoundFactory(project_measure=project_measure)
    for person in PersonFactory.create_batch(5):
        answer_round(baseline, person, {first: 2, second: 3})
        answer_round(follow_up, person, {first: 4, second: 4})

    [report] = report_measures(project_measure.project)

    [total] = report["rows"]
    assert total["name"] == "Total score"
    assert (total["baseline_mean"], total["latest_mean"], total["mean_change"]) == (
        Decimal("5.00"),
        Decimal("8.00"),
        Decimal("3.00"),
    )


def test_with_4_people_every_figure_is_withheld():
    project_measure = _ons4_in_a_project(4, baseline_only=1)

    [ons4] = report_measures(project_measure.project)

    for row in ons4["rows"]:
        assert row["people"] == SUPPRESSED
        for key in FIGURES[1:]:
            assert row[key] == WITHHELD, (row["name"], key)
    baseline, follow_up = ons4["rounds"]
    assert baseline["answered"] == 5
    assert follow_up["answered"] == SUPPRESSED
    html = render_to_string("evidence/report_measures.html", {"report": {"measures": [ons4]}})
    assert "5.00" not in html and "7.00" not in html
    csv_values = [row[3] for row in measures_csv_rows([ons4])]
    assert 4 not in csv_values and Decimal("2.00") not in csv_values


def test_with_5_people_every_figure_is_shown():
    project_measure = _ons4_in_a_project(5)

    [ons4] = report_measures(project_measure.project)

    satisfied = ons4["rows"][0]
    assert satisfied["people"] == 5
    assert satisfied["baseline_mean"] == Decimal("5.00")
    assert satisfied["latest_mean"] == Decimal("7.00")
    assert satisfied["mean_change"] == Decimal("2.00")
    assert satisfied["direction"] == "Better"
    assert satisfied["meaningful"] == "Yes"
    assert [r["answered"] for r in ons4["rounds"]] == [5, 5]
    html = render_to_string("evidence/report_measures.html", {"report": {"measures": [ons4]}})
    assert "7.00" in html


def test_the_report_runs_the_same_queries_whatever_the_number_of_people(
    django_assert_num_queries,
):
    project_measure = _ons4_in_a_project(12, baseline_only=3)

    with django_assert_num_queries(4):
        report_measures(project_measure.project)


def test_the_csv_rows_name_measure_question_figure_and_value():
    project_measure = _ons4_in_a_project(5)

    rows = measures_csv_rows(report_measures(project_measure.project))

    assert ["ONS4 personal wellbeing", "", "Answered: Baseline", 5] in rows
    assert [
        "ONS4 personal wellbeing",
        "Life satisfaction",
        "Mean change",
        Decimal("2.00"),
    ] in rows
