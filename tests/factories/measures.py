import importlib
from datetime import date

import factory
from django.apps import apps as django_apps

from evidence.models import (
    BetterDirection,
    Measure,
    MeasureAnswer,
    MeasureLicence,
    MeasureQuestion,
    MeasureResponse,
    MeasureRound,
    MeasureScoring,
    ProjectMeasure,
    RoundKind,
)
from tests.factories.projects import ProjectFactory


class MeasureFactory(factory.django.DjangoModelFactory):
    """An organisation's own 0–10 measure, each question reported on its own."""

    class Meta:
        model = Measure

    code = factory.Sequence(lambda n: f"measure-{n}")
    name = factory.Sequence(lambda n: f"Our measure {n}")
    source = "Our own questions"
    licence = MeasureLicence.FREE
    scoring = MeasureScoring.SEPARATE
    scale_min_label = "Not at all"
    scale_max_label = "Completely"


class MeasureQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureQuestion

    measure = factory.SubFactory(MeasureFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"How do you feel about thing {n}?")
    short_name = factory.Sequence(lambda n: f"Thing {n}")
    better = BetterDirection.HIGHER


class ProjectMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMeasure

    project = factory.SubFactory(ProjectFactory)
    measure = factory.SubFactory(MeasureFactory)


class MeasureRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureRound

    project_measure = factory.SubFactory(ProjectMeasureFactory)
    kind = RoundKind.FOLLOW_UP
    name = factory.Sequence(lambda n: f"Follow-up {n}")
    opens_on = date(2026, 6, 1)
    closes_on = date(2026, 6, 30)


def answer_round(measure_round, person, values, **response_fields) -> MeasureResponse:
    """`person`'s answers in `measure_round`: `values` maps each question to its answer."""
    response = MeasureResponse.objects.create(round=measure_round, person=person, **response_fields)
    MeasureAnswer.objects.bulk_create(
        MeasureAnswer(response=response, person=person, question=question, value=value)
        for question, value in values.items()
    )
    return response


def ons4() -> Measure:
    """ONS4 as its migration ships it. A test that flushes the database (the browser
    tests) takes migrated rows away with it, so this ships it again when it is gone."""
    if not Measure.objects.filter(code="ons4").exists():
        shipping = importlib.import_module("evidence.migrations.0007_ons4_shipped")
        shipping.ship_ons4(django_apps, None)
    return Measure.objects.get(code="ons4")
