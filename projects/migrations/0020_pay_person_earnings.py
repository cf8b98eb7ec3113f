from collections import defaultdict
from datetime import date
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def _tax_year_starts(on: date) -> date:
    return date(on.year if on >= date(on.year, 4, 6) else on.year - 1, 4, 6)


def count_earnings(apps, schema_editor):
    """PersonEarnings for the fees there are, counted as
    projects.selectors.fee_benefits.most_earned_in_a_tax_year counts them."""
    Payment = apps.get_model("projects", "Payment")
    PersonEarnings = apps.get_model("projects", "PersonEarnings")
    reversed_ids = set(
        Payment.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    fees = Payment.objects.filter(kind="fee").exclude(status__in=["declined", "cancelled"])
    in_year = defaultdict(Decimal)
    for pk, person_id, starts_at, offered_on, owed_since, amount, choice in fees.values_list(
        "pk", "person_id", "meeting_starts_at", "offered_on", "owed_since", "amount", "choice"
    ).iterator():
        if pk in reversed_ids or choice in ("charity", "decline"):
            continue
        if starts_at is not None:
            on = timezone.localdate(starts_at)
        else:
            on = offered_on or timezone.localdate(owed_since)
        in_year[person_id, _tax_year_starts(on)] += amount
    most = {}
    for (person_id, _), earned in in_year.items():
        if earned > most.get(person_id, Decimal("0.00")):
            most[person_id] = earned
    PersonEarnings.objects.bulk_create(
        [PersonEarnings(person_id=pk, most_in_a_tax_year=earned) for pk, earned in most.items()],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0019_payment_meeting_starts_at"),
        ("stakeholders", "0013_people_count"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonEarnings",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="fee_earnings",
                        serialize=False,
                        to="stakeholders.person",
                    ),
                ),
                ("most_in_a_tax_year", models.DecimalField(decimal_places=2, max_digits=14)),
            ],
            options={
                "verbose_name_plural": "person earnings",
            },
        ),
        migrations.RunPython(count_earnings, migrations.RunPython.noop),
    ]
