"""Demo valuation (part of `seed_demo`): for the demo project that asks ONS4 (or the first, if
none does yet), a WELLBY outcome from the change in life satisfaction, an outcome counted by
hand with a unit value of the organisation's own, and some staff time. Running it again adds
nothing."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from evidence.models import (
    Beneficiary,
    Confidence,
    MeasureQuestion,
    QuantitySource,
    StaffTime,
    UnitValue,
    ValuationOutcome,
    ValuationSettings,
)
from projects.models import Project
from stakeholders.models import User

HOSPITAL_NIGHT = {
    "unit": "one night a person did not spend in a mental health inpatient bed",
    "value": Decimal("450"),
    "low": Decimal("400"),
    "high": Decimal("520"),
    "price_year": 2023,
    "beneficiary": Beneficiary.FISCAL,
    "confidence": Confidence.MEDIUM,
    "source": "Demo figure standing in for the organisation's licensed unit cost table",
    "licence": "Demo data: not a real published figure",
}
STAFF_TIME = [
    (
        200,
        "Finding and inviting people, and phoning each one before they came",
        Decimal("60"),
        Decimal("31.50"),
    ),
    (150, "Planning the co-design workshops", Decimal("45"), Decimal("31.50")),
    (
        90,
        "Running the workshops and supporting people on the day",
        Decimal("120"),
        Decimal("31.50"),
    ),
    (60, "Managers' time in the workshops", Decimal("36"), Decimal("48.00")),
    (20, "Writing up what people said and feeding it back", Decimal("30"), Decimal("27.00")),
]


def demo_valuation_build(*, projects: list[Project], staff: User) -> None:
    # A project a commissioner can read, so the demo report shows the valuation.
    asking = [p for p in projects if p.measures.filter(measure__code="ons4").exists()]
    project = next((p for p in asking if p.report_grants.exists()), (asking or projects)[0])
    today = timezone.localdate()
    hospital_night, _ = UnitValue.objects.get_or_create(
        name="Night not spent in a mental health inpatient bed (demo)",
        defaults={**HOSPITAL_NIGHT, "created_by": staff},
    )
    ValuationOutcome.objects.get_or_create(
        project=project,
        name="Nights not spent in hospital",
        defaults={
            "unit_value": hospital_night,
            "quantity_source": QuantitySource.ENTERED,
            "quantity": Decimal("36"),
            "quantity_note": "Admissions avoided after the crisis café opened, from the "
            "trust's bed records, compared with the same months last year.",
            "deadweight": Decimal("30"),
            "attribution": Decimal("25"),
            "displacement": Decimal("0"),
            "drop_off": Decimal("0"),
            "duration": 1,
            "created_by": staff,
        },
    )
    life_satisfaction = MeasureQuestion.objects.filter(
        measure__code="ons4", short_name="Life satisfaction"
    ).first()
    asks_ons4 = project.measures.filter(measure__code="ons4").exists()
    wellby = UnitValue.objects.filter(name="Wellbeing (WELLBY)", shipped=True).first()
    if life_satisfaction and asks_ons4 and wellby:
        ValuationOutcome.objects.get_or_create(
            project=project,
            name="Higher life satisfaction",
            defaults={
                "unit_value": wellby,
                "quantity_source": QuantitySource.MEASURE,
                "question": life_satisfaction,
                "deadweight": Decimal("20"),
                # Other services and people's own lives did much of it.
                "attribution": Decimal("50"),
                "displacement": Decimal("0"),
                "drop_off": Decimal("50"),
                "duration": 3,
                "created_by": staff,
            },
        )
    ValuationSettings.objects.get_or_create(
        project=project, defaults={"optimism_bias": Decimal("15")}
    )
    for days_ago, what, hours, hourly_cost in STAFF_TIME:
        StaffTime.objects.get_or_create(
            project=project,
            what=what,
            defaults={
                "worked_on": today - timedelta(days=days_ago),
                "hours": hours,
                "hourly_cost": hourly_cost,
                "recorded_by": staff,
            },
        )
