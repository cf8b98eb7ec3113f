"""Demo answers to ONS4 personal wellbeing (part of `seed_demo`): in each demo project a
baseline six months ago and a follow-up three months later, answered by the people taking
part (and some who have left since), with a modest improvement, so the commissioner's
report shows real figures; and a follow-up open now that the demo participant has not
answered yet, so /me/ asks them. A few answers were typed in by staff from paper forms.
Running it again adds nothing."""

import random
from datetime import timedelta

from django.utils import timezone

from evidence.models import (
    Measure,
    MeasureAnswer,
    MeasureResponse,
    MeasureRound,
    ProjectMeasure,
    RoundKind,
)
from projects.models import MembershipStatus, Project
from stakeholders.models import ConsentKind, ConsentMethod, ConsentRecord, Person, User
from stakeholders.services import consent_wording_current

# (name, kind, opens so many days ago, open for so many days, answered by the members)
ROUNDS = [
    ("Baseline", RoundKind.BASELINE, 190, 21, True),
    ("After 3 months", RoundKind.FOLLOW_UP, 100, 21, True),
    ("After 6 months", RoundKind.FOLLOW_UP, 4, 28, False),
]
# Typical ONS4 answers at the start (UK averages are about 7.5, 7.8, 7.4 and 3.2; people
# using services often start lower), and how far the first follow-up moves each.
STARTS = {1: 5.6, 2: 6.0, 3: 5.5, 4: 4.6}
MOVES = {1: 0.9, 2: 0.6, 3: 0.8, 4: -0.8}
# Every PAPER_EVERY-th person answered on paper, typed in by staff.
PAPER_EVERY = 6
# Enough people for the report to show figures (it withholds them under 5).
MIN_ANSWERING = 8


def _round(project_measure: ProjectMeasure, name, kind, days_ago, days_open) -> MeasureRound:
    opens_on = timezone.localdate() - timedelta(days=days_ago)
    measure_round, _ = MeasureRound.objects.get_or_create(
        project_measure=project_measure,
        name=name,
        defaults={
            "kind": kind,
            "opens_on": opens_on,
            "closes_on": opens_on + timedelta(days=days_open),
        },
    )
    return measure_round


def _answer(chance: random.Random, position: int, *, follow_up: bool) -> int:
    mean = STARTS[position] + (MOVES[position] if follow_up else 0)
    return max(0, min(10, round(chance.gauss(mean, 1.4))))


def _answering(project: Project) -> list[Person]:
    """Who answered the past rounds: people taking part, and people who have left since;
    in a project with few of those, people who had only said they were interested too."""

    def members(*statuses) -> list[Person]:
        return list(
            Person.objects.filter(
                memberships__project=project, memberships__status__in=statuses, erased_at=None
            ).order_by("pk")
        )

    people = members(MembershipStatus.ACTIVE, MembershipStatus.LEFT)
    if len(people) < MIN_ANSWERING:
        people += members(MembershipStatus.INTERESTED)
    return people


def demo_measures_build(*, projects: list[Project], participant: User, staff: User) -> None:
    ons4 = Measure.objects.get(code="ons4")
    questions = list(ons4.questions.order_by("position"))
    wording = consent_wording_current(kind=ConsentKind.MEASURES)
    chance = random.Random(19)  # noqa: S311 - demo data
    for project in projects:
        project_measure, created = ProjectMeasure.objects.get_or_create(
            project=project, measure=ons4, defaults={"added_by": staff}
        )
        rounds = [_round(project_measure, *spec[:4]) for spec in ROUNDS]
        if not created:
            continue
        members = _answering(project)
        responses, answers_for = [], []
        for number, person in enumerate(members):
            on_paper = number % PAPER_EVERY == PAPER_EVERY - 1
            for measure_round, (_, kind, *_rest, answered) in zip(rounds, ROUNDS, strict=True):
                # One in seven missed the follow-up: they count at baseline, not for change.
                skipped = (
                    kind == RoundKind.FOLLOW_UP
                    and number % 7 == 3
                    and person.user_id != participant.pk
                )
                if not answered or skipped:
                    continue
                responses.append(
                    MeasureResponse(
                        round=measure_round,
                        person=person,
                        answered_on=measure_round.opens_on + timedelta(days=number % 10),
                        on_their_behalf=on_paper,
                        entered_by=staff if on_paper else None,
                    )
                )
                answers_for.append(kind == RoundKind.FOLLOW_UP)
        MeasureResponse.objects.bulk_create(responses)
        MeasureAnswer.objects.bulk_create(
            MeasureAnswer(
                response=response,
                person_id=response.person_id,
                question=question,
                value=_answer(chance, question.position, follow_up=follow_up),
            )
            for response, follow_up in zip(responses, answers_for, strict=True)
            for question in questions
        )
        agreed = set(
            ConsentRecord.objects.filter(
                person__in=members, kind=ConsentKind.MEASURES, withdrawn_at=None
            ).values_list("person_id", flat=True)
        )
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                person=person,
                kind=ConsentKind.MEASURES,
                wording=wording,
                method=ConsentMethod.PAPER if on_paper else ConsentMethod.ONLINE,
                recorded_by=staff if on_paper else None,
            )
            for number, person in enumerate(members)
            if person.pk not in agreed
            for on_paper in [number % PAPER_EVERY == PAPER_EVERY - 1]
        )
