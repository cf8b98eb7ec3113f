"""The measures and the participants' view of meetings in the commissioner report's CSV are
the figures worked out here by hand from the answer rows, with the awkward cases in them:
people who answered only the baseline or only a follow-up, a second follow-up entered before
the first, a question someone skipped."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.models import MeasureAnswer, MeetingFeedback, RoundKind
from evidence.selectors import report_for_project
from tests.evidence.feedback_helpers import past_meeting, said
from tests.evidence.test_reports import _csv_files, _report_url
from tests.evidence.test_valuation_pages import _entered, _from_measure
from tests.factories.measures import (
    MeasureRoundFactory,
    ProjectMeasureFactory,
    answer_round,
    ons4,
)
from tests.factories.projects import ProjectFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def _ons4_answered(project):
    measure = ons4()
    project_measure = ProjectMeasureFactory(project=project, measure=measure)
    baseline = MeasureRoundFactory(
        project_measure=project_measure,
        kind=RoundKind.BASELINE,
        name="Baseline",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
    )
    later = MeasureRoundFactory(
        project_measure=project_measure,
        name="After 9 months",
        opens_on=date(2026, 9, 1),
        closes_on=date(2026, 9, 30),
    )
    first = MeasureRoundFactory(
        project_measure=project_measure,
        name="After 3 months",
        opens_on=date(2026, 4, 1),
        closes_on=date(2026, 4, 30),
    )
    questions = list(measure.questions.order_by("position"))
    people = PersonFactory.create_batch(9)
    for number, person in enumerate(people[:7]):
        answer_round(baseline, person, {q: (number + q.position) % 11 for q in questions})
        # Entered first, but the 9-month round is the later one.
        if number % 2 == 0:
            answer_round(later, person, {q: (number * 3 + q.position) % 11 for q in questions})
        answer_round(first, person, dict.fromkeys(questions, (number * 2 + 1) % 11))
    answer_round(baseline, people[7], dict.fromkeys(questions, 10))  # baseline only
    answer_round(first, people[8], dict.fromkeys(questions, 0))  # follow-up only
    return project_measure, questions


def _measures_by_hand(project_measure, questions) -> dict[str, dict]:
    """Per question: people with both a baseline and a follow-up, the means of their
    baseline and of their latest follow-up (by the round's date), and the mean change."""
    answers = defaultdict(dict)  # question → person → [(opens_on, kind, value)]
    for answer in MeasureAnswer.objects.filter(
        response__round__project_measure=project_measure
    ).select_related("response__round"):
        measure_round = answer.response.round
        answers[answer.question_id].setdefault(answer.person_id, []).append(
            (measure_round.opens_on, measure_round.kind, answer.value)
        )
    figures = {}
    for question in questions:
        before, after = [], []
        for rows in answers[question.pk].values():
            baseline = [value for _, kind, value in rows if kind == RoundKind.BASELINE]
            follow_ups = sorted((on, value) for on, kind, value in rows if kind != "baseline")
            if baseline and follow_ups:
                before.append(baseline[0])
                after.append(follow_ups[-1][1])
        count = len(before)
        figures[question.short_name] = {
            "People counted (answered baseline and a follow-up)": count,
            "Baseline mean": sum(before) / count,
            "Latest mean": sum(after) / count,
            "Mean change": (sum(after) - sum(before)) / count,
        }
    return figures


def test_every_measure_figure_in_the_csv_is_the_hand_count(personas, client):
    project_measure, questions = _ons4_answered(personas.project)
    by_hand = _measures_by_hand(project_measure, questions)
    client.force_login(personas.commissioner)

    rows = _csv_files(client.get(_report_url(personas.project, "csv")))["measures.csv"]

    shown = {(row[1], row[2]): row[3] for row in rows[1:]}
    for question, figures in by_hand.items():
        assert figures["People counted (answered baseline and a follow-up)"] == 7
        for label, figure in figures.items():
            assert Decimal(shown[(question, label)]) == pytest.approx(
                Decimal(str(figure)), abs=Decimal("0.005")
            ), (question, label)
    answered = {row[2]: row[3] for row in rows[1:] if row[2].startswith("Answered")}
    assert answered == {
        "Answered: Baseline": "8",
        "Answered: After 3 months": "8",
        "Answered: After 9 months": "fewer than 5",
    }


def test_every_feedback_figure_in_the_csv_is_the_hand_count(personas, client):
    meeting = past_meeting(project=personas.project, title="Planning day")
    for number in range(7):
        said(
            meeting,
            listened=1 + number % 5,
            influence=None if number == 3 else 1 + (number * 2) % 5,
            accessible=5 - number % 3,
        )
    client.force_login(personas.commissioner)

    rows = _csv_files(client.get(_report_url(personas.project, "csv")))["meeting_feedback.csv"]

    answers = MeetingFeedback.objects.filter(meeting=meeting)
    by_question = {
        field: [getattr(row, field) for row in answers if getattr(row, field) is not None]
        for field in ("listened", "influence", "accessible")
    }
    all_meetings = [row for row in rows[1:] if row[1] == "All meetings"]
    this_meeting = [row for row in rows[1:] if row[1] == "Planning day"]
    assert len(all_meetings) == len(this_meeting) == 3
    for values, overall, one in zip(by_question.values(), all_meetings, this_meeting, strict=True):
        agree = round(100 * sum(value >= 4 for value in values) / len(values))
        mean = sum(values) / len(values)
        for row in (overall, one):
            assert int(row[3]) == len(values)
            assert int(row[4]) == agree
            assert float(row[5]) == pytest.approx(mean, abs=0.051)


def _evidence_of_size(project, size: int) -> None:
    """Measures, meeting feedback and valued outcomes, `size` times over."""
    for number in range(size):
        if number == 0:
            _ons4_answered(project)
        _from_measure(project, people=5 + number)
        _entered(project, name=f"Outcome {number}")
        meeting = past_meeting(project=project, title=f"Meeting {number}")
        for _ in range(5):
            said(meeting, listened=4, influence=3, accessible=5)


def test_the_whole_report_runs_the_same_number_of_queries_with_three_times_the_evidence(
    personas,
):
    def queries_with(size: int) -> int:
        project = ProjectFactory()
        _evidence_of_size(project, size)
        with CaptureQueriesContext(connection) as captured:
            report_for_project(project)
        return len(captured)

    assert queries_with(1) == queries_with(3)
