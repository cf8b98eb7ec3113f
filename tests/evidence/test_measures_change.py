"""Change from baseline counts only people who answered both a baseline and a follow-up,
and uses each person's latest follow-up."""

from datetime import date
from decimal import Decimal

import pytest

from evidence.models import RoundKind
from evidence.selectors.measures import Change, changes_for_project
from tests.factories.measures import (
    MeasureQuestionFactory,
    MeasureRoundFactory,
    ProjectMeasureFactory,
    answer_round,
)
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled():
    project_measure = ProjectMeasureFactory()
    happy = MeasureQuestionFactory(measure=project_measure.measure, position=1)
    anxious = MeasureQuestionFactory(measure=project_measure.measure, position=2, better="lower")
    baseline = MeasureRoundFactory(
        project_measure=project_measure,
        kind=RoundKind.BASELINE,
        name="Baseline",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    # Created out of date order: "latest" is by when the round opens, not by id.
    later = MeasureRoundFactory(
        project_measure=project_measure, opens_on=date(2026, 9, 1), closes_on=date(2026, 9, 30)
    )
    earlier = MeasureRoundFactory(
        project_measure=project_measure, opens_on=date(2026, 5, 1), closes_on=date(2026, 5, 31)
    )
    return project_measure, happy, anxious, baseline, earlier, later


def test_it_works_out_the_change_by_hand(scheduled):
    project_measure, happy, anxious, baseline, earlier, later = scheduled
    ann, bob, cat, dev, eve = PersonFactory.create_batch(5)
    # Ann: baseline 4, follow-ups 5 then 7 -> latest 7, change +3 (the later one typed in
    # first, from paper: latest goes by the round, not by when the answers were saved)
    answer_round(baseline, ann, {happy: 4, anxious: 8})
    answer_round(later, ann, {happy: 7, anxious: 5})
    answer_round(earlier, ann, {happy: 5, anxious: 6})
    # Bob: baseline 6, only the earlier follow-up 5 -> change -1
    answer_round(baseline, bob, {happy: 6, anxious: 3})
    answer_round(earlier, bob, {happy: 5, anxious: 3})
    # Cat: baseline 2, later follow-up 4 -> change +2
    answer_round(baseline, cat, {happy: 2, anxious: 9})
    answer_round(later, cat, {happy: 4, anxious: 7})
    # Dev: baseline only; Eve: follow-up only. Neither counts.
    answer_round(baseline, dev, {happy: 0, anxious: 10})
    answer_round(later, eve, {happy: 10, anxious: 0})

    changes = changes_for_project(project_measure.project)

    # happy: baselines 4, 6, 2 (mean 4); latest 7, 5, 4 (mean 16/3); changes +3 -1 +2 = 4
    assert changes[happy.pk] == Change(
        people=3,
        baseline_mean=Decimal("4.00"),
        latest_mean=Decimal("5.33"),
        total_change=Decimal(4),
        mean_change=Decimal("1.33"),
    )
    # anxious: baselines 8, 3, 9 (20/3); latest 5, 3, 7 (5); changes -3 0 -2 = -5
    assert changes[anxious.pk] == Change(
        people=3,
        baseline_mean=Decimal("6.67"),
        latest_mean=Decimal("5.00"),
        total_change=Decimal(-5),
        mean_change=Decimal("-1.67"),
    )


def test_a_question_nobody_answered_twice_has_no_change(scheduled):
    project_measure, happy, anxious, baseline, earlier, later = scheduled
    person = PersonFactory()
    answer_round(baseline, person, {happy: 5, anxious: 5})

    changes = changes_for_project(project_measure.project)

    assert set(changes) == {happy.pk, anxious.pk}
    assert changes[happy.pk] == Change(
        people=0,
        baseline_mean=None,
        latest_mean=None,
        total_change=Decimal(0),
        mean_change=None,
    )


def test_it_leaves_out_other_projects_answers(scheduled):
    project_measure, happy, anxious, baseline, earlier, later = scheduled
    elsewhere = ProjectMeasureFactory(measure=project_measure.measure)
    other_baseline = MeasureRoundFactory(
        project_measure=elsewhere, kind=RoundKind.BASELINE, opens_on=date(2026, 1, 1)
    )
    other_follow_up = MeasureRoundFactory(project_measure=elsewhere)
    person = PersonFactory()
    answer_round(other_baseline, person, {happy: 1, anxious: 1})
    answer_round(other_follow_up, person, {happy: 9, anxious: 9})

    assert changes_for_project(project_measure.project)[happy.pk].people == 0
    assert changes_for_project(elsewhere.project)[happy.pk].total_change == Decimal(8)


def test_it_runs_the_same_queries_whatever_the_number_of_people(
    scheduled, django_assert_num_queries
):
    project_measure, happy, anxious, baseline, earlier, later = scheduled
    for person in PersonFactory.create_batch(6):
        answer_round(baseline, person, {happy: 3, anxious: 7})
        answer_round(later, person, {happy: 5, anxious: 6})

    with django_assert_num_queries(2):
        changes = changes_for_project(project_measure.project)

    assert changes[happy.pk].people == 6
