"""People who ticked "I receive benefits" before coprod asked which benefits keep that
answer, now in BenefitsAnswers (benefits left blank: "they did not say which"), so they
see it, can change or delete it, and it goes in their data export."""

from django.db import migrations
from django.db.models import Q


def answers_from_flags(apps, schema_editor):
    Person = apps.get_model("stakeholders", "Person")
    BenefitsAnswers = apps.get_model("stakeholders", "BenefitsAnswers")
    told_us = Person.objects.filter(erased_at=None).filter(
        Q(receives_benefits=True) | Q(permitted_work_form=True)
    )
    for person in told_us:
        BenefitsAnswers.objects.get_or_create(
            person=person,
            defaults={
                "benefits": "",
                "permitted_work_form": person.permitted_work_form,
                "recorded_by_id": person.payment_choices_recorded_by_id,
                "recorded_at": person.payment_choices_recorded_at or person.created_at,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("stakeholders", "0006_benefits_answers"),
    ]

    operations = [migrations.RunPython(answers_from_flags, migrations.RunPython.noop)]
