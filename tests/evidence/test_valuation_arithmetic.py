"""The valuation arithmetic against a worked example done by hand, to the penny."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from evidence.models import (
    Deflator,
    QuantitySource,
    StaffTime,
    ValuationOutcome,
    ValuationSettings,
)
from evidence.selectors.valuation import project_valuation
from evidence.valuation import OutcomeInput, Prices, valuation_work_out
from projects.models import ClaimStatus, ExpenseClaim, Payment, PaymentStatus
from tests.factories.projects import ProjectFactory
from tests.factories.roster import PersonFactory
from tests.factories.valuation import wellby

PENNY = Decimal("0.01")


def penny(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


# The worked example, by hand.
#
# 18 WELLBYs, valued at £13,000 each in 2019 prices (low £10,000, high £16,000).
# Deflator: index 2019 = 80, index 2026 = 100, so 100 ÷ 80 = 1.25 and one WELLBY is
#   £13,000 × 1.25 = £16,250 in 2026 prices (low £12,500, high £20,000).
# Deadweight 20%, displacement 10%, attribution 25%: what is kept is
#   0.80 × 0.90 × 0.75 = 0.54.
# Year 1 = 18 × £16,250 × 0.54 = £157,950.00 (not discounted: it is now).
# Drop-off 10% a year over 3 years:
#   year 2 = £157,950 × 0.9  = £142,155.00, discounted ÷ 1.035      = £137,347.83 (…826087)
#   year 3 = £157,950 × 0.81 = £127,939.50, discounted ÷ 1.035² = ÷ 1.071225 = £119,432.89
#     (…8922495)
# Outcome present value = 157,950 + 137,347.8260870 + 119,432.8922495 = £414,730.72
# Optimism bias 15%: £414,730.7183365 × 0.85 = £352,521.11
# Inputs: fees £1,000 + expenses £200 + staff time 10 hours × £30 = £300 → £1,500.
# Ratio: £352,521.1105860 ÷ £1,500 = 235.0140737… → £235.01 for each £1.
#
# Low: year 1 = 18 × £12,500 × 0.54 = £121,500;
#   (121,500 + 121,500 × 0.9 ÷ 1.035 + 121,500 × 0.81 ÷ 1.071225) × 0.85 = £271,170.09,
#   ÷ 1,500 = 180.78.
# High: year 1 = 18 × £20,000 × 0.54 = £194,400;
#   (194,400 + 194,400 × 0.9 ÷ 1.035 + 194,400 × 0.81 ÷ 1.071225) × 0.85 = £433,872.14,
#   ÷ 1,500 = 289.25.

WELLBYS = OutcomeInput(
    name="Life satisfaction",
    quantity=Decimal(18),
    unit="one WELLBY",
    values={"low": Decimal(10000), "central": Decimal(13000), "high": Decimal(16000)},
    price_year=2019,
    deadweight=Decimal(20),
    attribution=Decimal(25),
    displacement=Decimal(10),
    drop_off=Decimal(10),
    duration=3,
)
PRICES = Prices(indices={2019: Decimal(80), 2026: Decimal(100)}, report_year=2026)


def test_the_worked_example_matches_the_hand_calculation_to_the_penny():
    valuation = valuation_work_out(
        [WELLBYS], prices=PRICES, optimism_bias=Decimal(15), inputs=Decimal(1500)
    )
    [outcome] = valuation.outcomes
    assert outcome.value_in_report_prices["central"] == Decimal(16250)
    assert penny(outcome.year_one["central"]) == Decimal("157950.00")
    assert [penny(row["amount"]) for row in outcome.years] == [
        Decimal("157950.00"),
        Decimal("142155.00"),
        Decimal("127939.50"),
    ]
    assert [penny(row["present"]) for row in outcome.years] == [
        Decimal("157950.00"),
        Decimal("137347.83"),
        Decimal("119432.89"),
    ]
    assert penny(outcome.present_value["central"]) == Decimal("414730.72")
    assert penny(valuation.present_value["central"]) == Decimal("352521.11")
    assert penny(valuation.ratio["central"]) == Decimal("235.01")
    assert penny(valuation.present_value["low"]) == Decimal("271170.09")
    assert penny(valuation.ratio["low"]) == Decimal("180.78")
    assert penny(valuation.present_value["high"]) == Decimal("433872.14")
    assert penny(valuation.ratio["high"]) == Decimal("289.25")


def test_the_workings_say_each_step_with_its_numbers():
    valuation = valuation_work_out(
        [WELLBYS], prices=PRICES, optimism_bias=Decimal(15), inputs=Decimal(1500)
    )
    said = " ".join(valuation.outcomes[0].workings + valuation.workings)
    assert "a quantity of 18, where one unit is one WELLBY." in said
    assert "One unit is valued at £13,000.00 in 2019 prices." in said
    assert "index 2026 ÷ index 2019 = 100 ÷ 80 = 1.25): £16,250.00 each" in said
    assert "= £157,950.00 in the first year" in said
    assert "year 3 £127,939.50 ÷ 1.0712 = £119,432.89" in said
    assert "Year 1 is now and is not discounted" in said
    assert "£414,730.72 × 0.85 = £352,521.11" in said
    assert "= £235.01 of social value for each £1 put in" in said


def test_a_missing_deflator_for_the_report_year_uses_the_latest_year_and_says_so():
    prices = Prices(indices={2019: Decimal(80), 2024: Decimal(96)}, report_year=2026)
    valuation = valuation_work_out(
        [WELLBYS], prices=prices, optimism_bias=Decimal(0), inputs=Decimal(0)
    )
    assert valuation.outcomes[0].value_in_report_prices["central"] == Decimal(15600)
    assert "no GDP deflator for 2026 yet, so values are in 2024 prices" in " ".join(
        valuation.workings
    )


def test_there_is_no_ratio_when_nothing_was_put_in():
    valuation = valuation_work_out(
        [WELLBYS], prices=PRICES, optimism_bias=Decimal(0), inputs=Decimal(0)
    )
    assert valuation.ratio == {"low": None, "central": None, "high": None}


@pytest.mark.django_db
def test_the_project_page_figures_add_up_from_the_database_to_the_same_penny(
    django_assert_num_queries,
):
    """The same example through the tables: payments, a claim, staff time, the deflator."""
    project = ProjectFactory()
    wellby()
    Deflator.objects.all().delete()
    Deflator.objects.bulk_create(
        [
            Deflator(year=2019, index=Decimal(80), source="test"),
            Deflator(year=date.today().year, index=Decimal(100), source="test"),
        ]
    )
    ValuationOutcome.objects.create(
        project=project,
        name="Life satisfaction",
        unit_value=wellby(),
        quantity_source=QuantitySource.ENTERED,
        quantity=Decimal(18),
        quantity_note="Counted by hand",
        deadweight=Decimal(20),
        attribution=Decimal(25),
        displacement=Decimal(10),
        drop_off=Decimal(10),
        duration=3,
    )
    ValuationSettings.objects.create(project=project, optimism_bias=Decimal(15))
    person = PersonFactory()
    for amount in ("600.00", "400.00"):
        Payment.objects.create(
            person=person,
            project=project,
            activity="Came to a meeting",
            amount=Decimal(amount),
            status=PaymentStatus.PAID,
            paid_on=date(2026, 3, 1),
        )
    ExpenseClaim.objects.create(
        person=person,
        project=project,
        spent_on=date(2026, 3, 1),
        category="travel",
        amount=Decimal("200.00"),
        status=ClaimStatus.PAID,
    )
    StaffTime.objects.create(
        project=project,
        worked_on=date(2026, 3, 1),
        what="Planning",
        hours=Decimal(10),
        hourly_cost=Decimal(30),
    )
    # The payment totals (fees, claims and budget) are one query.
    with django_assert_num_queries(6):
        figures = project_valuation(project)
    assert figures["inputs"] == Decimal("1500")
    assert penny(figures["valuation"].present_value["central"]) == Decimal("352521.11")
    assert penny(figures["valuation"].ratio["central"]) == Decimal("235.01")
