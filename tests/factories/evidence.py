from datetime import date
from decimal import Decimal

import factory

from evidence.models import BetterDirection, EvidenceKind, EvidenceRecord, LearningEntry
from tests.factories.projects import ProjectFactory


class EvidenceRecordFactory(factory.django.DjangoModelFactory):
    """An outcome measure with its baseline; pass `kind` and its fields for other kinds."""

    class Meta:
        model = EvidenceRecord

    project = factory.SubFactory(ProjectFactory)
    kind = EvidenceKind.OUTCOME
    title = factory.Sequence(lambda n: f"Measure {n}")
    source = "Booking system"
    unit = "days"
    better = BetterDirection.LOWER
    baseline_value = Decimal("42.00")
    baseline_on = date(2026, 1, 5)


class LearningEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningEntry
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Lesson {n}")
    tried = "Something new."
    happened = "It went as planned."
    learned = "Plan early."

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
