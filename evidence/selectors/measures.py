"""Reads about the measures people answer themselves: how each question moved between a
project's baseline and its follow-ups, counting only people who answered both."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from coprod.core.suppression import suppress_small, suppressed_with
from evidence.models import (
    BetterDirection,
    Measure,
    MeasureAnswer,
    MeasureQuestion,
    MeasureResponse,
    MeasureRound,
    MeasureScoring,
    ProjectMeasure,
    RoundKind,
)

MEAN_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Change:
    people: int  # people with both a baseline answer and a follow-up answer
    baseline_mean: Decimal | None
    latest_mean: Decimal | None  # mean of each such person's latest follow-up answer
    total_change: Decimal  # sum over those people of (latest follow-up − baseline)
    mean_change: Decimal | None


NO_CHANGE = Change(
    people=0, baseline_mean=None, latest_mean=None, total_change=Decimal(0), mean_change=None
)


def _mean(total: int | Decimal, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(MEAN_PLACES, rounding=ROUND_HALF_UP)


def _change(baseline: dict[int, int], latest: dict[int, int]) -> Change:
    people = baseline.keys() & latest.keys()
    if not people:
        return NO_CHANGE
    before = sum(baseline[person] for person in people)
    after = sum(latest[person] for person in people)
    return Change(
        people=len(people),
        baseline_mean=_mean(before, len(people)),
        latest_mean=_mean(after, len(people)),
        total_change=Decimal(after - before),
        mean_change=_mean(after - before, len(people)),
    )


def changes_for_project(project) -> dict[int, Change]:
    """Keyed by MeasureQuestion id, for every question of every measure the project
    uses. A fixed number of queries whatever the data size."""
    question_ids = MeasureQuestion.objects.filter(
        measure__in=project.measures.values("measure")
    ).values_list("pk", flat=True)
    baseline: dict[int, dict[int, int]] = defaultdict(dict)
    latest: dict[int, dict[int, int]] = defaultdict(dict)
    answers = (
        MeasureAnswer.objects.filter(response__round__project_measure__project=project)
        # Oldest round first, so a later follow-up overwrites an earlier one.
        .order_by("response__round__opens_on", "response__round__pk")
        .values_list("question_id", "response__person_id", "response__round__kind", "value")
    )
    for question_id, person_id, kind, value in answers.iterator():
        into = baseline if kind == RoundKind.BASELINE else latest
        into[question_id][person_id] = value
    return {
        question_id: _change(baseline[question_id], latest[question_id])
        for question_id in question_ids
    }


# The registry and a project's measures, for staff -----------------------------------------


def measures_registry() -> QuerySet[Measure]:
    return Measure.objects.annotate(question_count=Count("questions")).order_by("-shipped", "name")


def project_measures_with_rounds(project) -> list[ProjectMeasure]:
    """The measures a project uses, each with its rounds and how many answered each (and
    how many of those staff typed in from paper). Three queries whatever the size."""
    rounds = MeasureRound.objects.annotate(
        answered=Count("responses"),
        on_paper=Count("responses", filter=Q(responses__on_their_behalf=True)),
    ).order_by("opens_on", "pk")
    return list(
        project.measures.select_related("measure")
        .prefetch_related(Prefetch("rounds", queryset=rounds))
        .order_by("measure__name")
    )


def rounds_open_for_paper(project) -> QuerySet[MeasureRound]:
    """Rounds staff may type paper answers into: every round that has opened."""
    return (
        MeasureRound.objects.filter(
            project_measure__project=project, opens_on__lte=timezone.localdate()
        )
        .select_related("project_measure__measure")
        .order_by("project_measure__measure__name", "opens_on", "pk")
    )


def recent_paper_responses(project, *, limit: int = 20) -> list[MeasureResponse]:
    return list(
        MeasureResponse.objects.filter(
            round__project_measure__project=project, on_their_behalf=True
        )
        .select_related("round__project_measure__measure", "person", "entered_by")
        .order_by("-created_at", "-pk")[:limit]
    )


# A participant's own -----------------------------------------------------------------------


def my_measure_responses(person) -> list[MeasureResponse]:
    """Everything `person` answered, newest first, each with its answers and questions."""
    return list(
        MeasureResponse.objects.filter(person=person)
        .select_related("round__project_measure__project", "round__project_measure__measure")
        .prefetch_related(Prefetch("answers", MeasureAnswer.objects.select_related("question")))
        .order_by("-answered_on", "-pk")
    )


# The commissioner report -------------------------------------------------------------------


def _direction(mean_change: Decimal | None, better: str) -> str | None:
    if mean_change is None:
        return None
    if mean_change == 0:
        return "No change"
    improved = (mean_change > 0) == (better == BetterDirection.HIGHER)
    return "Better" if improved else "Worse"


def _meaningful(mean_change: Decimal | None, threshold: Decimal | None) -> str | None:
    if mean_change is None or threshold is None:
        return None
    return "Yes" if abs(mean_change) >= threshold else "No"


def _report_row(name: str, better: str, change: Change, threshold) -> dict:
    people, baseline_mean, latest_mean, mean_change, direction, meaningful = suppressed_with(
        change.people,
        change.baseline_mean,
        change.latest_mean,
        change.mean_change,
        _direction(change.mean_change, better),
        _meaningful(change.mean_change, threshold),
    )
    return {
        "name": name,
        "better": BetterDirection(better).label,
        "people": people,
        "baseline_mean": baseline_mean,
        "latest_mean": latest_mean,
        "mean_change": mean_change,
        "direction": direction,
        "meaningful": meaningful,
    }


def report_measures(project) -> list[dict]:
    """Per measure the project uses: how many answered each round, and per question (or,
    for a measure scored as a total, the total) the people counted (those with both a
    baseline and a follow-up), the baseline and latest means, the mean change, whether
    that is better or worse, and whether it is as big as the change that matters. Counts
    of 1 to 4 people are suppressed and every figure worked out from them withheld. ONS4
    and every other measure scored question by question is never added up. Four queries
    whatever the size."""
    project_measures = project_measures_with_rounds(project)
    questions = defaultdict(list)
    for question in MeasureQuestion.objects.filter(
        measure__in=[pm.measure_id for pm in project_measures]
    ).order_by("position"):
        questions[question.measure_id].append(question)
    per_question, per_total = _changes(project, questions)
    report = []
    for project_measure in project_measures:
        measure = project_measure.measure
        threshold = measure.meaningful_change
        if measure.scoring == MeasureScoring.TOTAL:
            own = questions[measure.pk]
            better = own[0].better if own else BetterDirection.HIGHER
            rows = [_report_row("Total score", better, per_total[measure.pk], threshold)]
        else:
            rows = [
                _report_row(q.short_name, q.better, per_question.get(q.pk, NO_CHANGE), threshold)
                for q in questions[measure.pk]
            ]
        report.append(
            {
                "measure": measure.name,
                "scoring": measure.get_scoring_display(),
                "source": measure.source,
                "meaningful_change": threshold,
                "meaningful_change_source": measure.meaningful_change_source,
                "rounds": [
                    {
                        "name": measure_round.name,
                        "kind": measure_round.get_kind_display(),
                        "opens_on": measure_round.opens_on,
                        "closes_on": measure_round.closes_on,
                        "answered": suppress_small(measure_round.answered),
                    }
                    for measure_round in project_measure.rounds.all()
                ],
                "rows": rows,
            }
        )
    return report


def _changes(project, questions: dict[int, list]) -> tuple[dict[int, Change], dict[int, Change]]:
    """Change per question, and per measure scored as a total, from one query."""
    question_measure = {q.pk: measure_id for measure_id, qs in questions.items() for q in qs}
    baseline: dict[object, dict[int, int]] = defaultdict(dict)
    latest: dict[object, dict[int, int]] = defaultdict(dict)
    # Per (measure, round) the totals of each person.
    totals: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    round_kind: dict[int, str] = {}
    answers = (
        MeasureAnswer.objects.filter(response__round__project_measure__project=project)
        # Oldest round first, so a later follow-up overwrites an earlier one.
        .order_by("response__round__opens_on", "response__round__pk")
        .values_list(
            "question_id",
            "response__person_id",
            "response__round_id",
            "response__round__kind",
            "value",
        )
    )
    for question_id, person_id, round_id, kind, value in answers.iterator():
        into = baseline if kind == RoundKind.BASELINE else latest
        into[question_id][person_id] = value
        round_kind.setdefault(round_id, kind)
        totals[(question_measure[question_id], round_id)][person_id] += value
    per_question = {q: _change(baseline[q], latest[q]) for q in question_measure}
    total_baseline: dict[int, dict[int, int]] = defaultdict(dict)
    total_latest: dict[int, dict[int, int]] = defaultdict(dict)
    order = {round_id: position for position, round_id in enumerate(round_kind)}
    for (measure_id, round_id), people in sorted(totals.items(), key=lambda i: order[i[0][1]]):
        into = total_baseline if round_kind[round_id] == RoundKind.BASELINE else total_latest
        into[measure_id].update(people)
    per_total = {
        measure_id: _change(total_baseline[measure_id], total_latest[measure_id])
        for measure_id in questions
    }
    return per_question, per_total


def measures_csv_rows(section: list[dict]) -> list[list]:
    """The report's measures as CSV rows: measure, question, round or figure, value."""
    rows = []
    for measure in section:
        name = measure["measure"]
        for measure_round in measure["rounds"]:
            rows.append([name, "", f"Answered: {measure_round['name']}", measure_round["answered"]])
        for row in measure["rows"]:
            for label, key in CSV_FIGURES:
                value = row[key]
                rows.append([name, row["name"], label, "" if value is None else value])
    return rows


CSV_FIGURES = [
    ("People counted (answered baseline and a follow-up)", "people"),
    ("Baseline mean", "baseline_mean"),
    ("Latest mean", "latest_mean"),
    ("Mean change", "mean_change"),
    ("Better or worse", "direction"),
    ("Change as big as the change that matters", "meaningful"),
]
