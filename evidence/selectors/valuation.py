"""Reads for a project's valuation: its outcomes with their quantities (entered, or the
change in a measure people answered), the inputs (fees, expenses and staff time), and the
worked-out social return with its workings; and the same for the commissioner report, with
small numbers withheld. A fixed number of queries whatever the data size."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from coprod.core.suppression import WITHHELD, is_small, is_suppressed, protect_total
from evidence.models import (
    DISCOUNT_RATE_SOURCE,
    Deflator,
    QuantitySource,
    StaffTime,
    UnitValue,
    ValuationOutcome,
    ValuationSettings,
)
from evidence.selectors.measures import changes_for_project
from evidence.selectors.money import cost_benefit, report_money
from evidence.valuation import (
    SCENARIOS,
    OutcomeInput,
    Prices,
    Valuation,
    number,
    pounds,
    valuation_work_out,
)
from projects.models import ClaimStatus, PaymentStatus, Project
from projects.selectors.payments import project_payment_totals

STAFF_TIME_SHOWN = 100
VALUATION_CSV_HEADER = ["Valuation", "Low", "Central", "High"]
FOUR_PLACES = Decimal("0.0001")
COST = ExpressionWrapper(
    F("hours") * F("hourly_cost"), output_field=DecimalField(max_digits=14, decimal_places=4)
)


@dataclass(frozen=True)
class OutcomeRow:
    outcome: ValuationOutcome
    quantity: Decimal
    # People behind a quantity from a measure (None for an entered quantity).
    people: int | None

    @property
    def withheld_in_report(self) -> bool:
        return self.people is not None and (self.people == 0 or is_small(self.people))


def prices_for(report_year: int) -> Prices:
    """The deflator series: one query."""
    return Prices(
        indices=dict(Deflator.objects.values_list("year", "index")), report_year=report_year
    )


def _outcome_rows(project: Project) -> list[OutcomeRow]:
    outcomes = list(
        ValuationOutcome.objects.filter(project=project)
        .select_related("unit_value", "question__measure")
        .order_by("name", "pk")
    )
    changes = (
        changes_for_project(project)
        if any(o.quantity_source == QuantitySource.MEASURE for o in outcomes)
        else {}
    )
    rows = []
    for outcome in outcomes:
        if outcome.quantity_source == QuantitySource.MEASURE:
            change = changes.get(outcome.question_id)
            rows.append(
                OutcomeRow(
                    outcome=outcome,
                    quantity=change.total_change if change else Decimal(0),
                    people=change.people if change else 0,
                )
            )
        else:
            rows.append(OutcomeRow(outcome=outcome, quantity=outcome.quantity, people=None))
    return rows


def _input(row: OutcomeRow) -> OutcomeInput:
    unit_value: UnitValue = row.outcome.unit_value
    central = unit_value.value
    return OutcomeInput(
        name=row.outcome.name,
        quantity=row.quantity,
        unit=unit_value.unit,
        values={
            "low": unit_value.low if unit_value.low is not None else central,
            "central": central,
            "high": unit_value.high if unit_value.high is not None else central,
        },
        price_year=unit_value.price_year,
        deadweight=row.outcome.deadweight,
        attribution=row.outcome.attribution,
        displacement=row.outcome.displacement,
        drop_off=row.outcome.drop_off,
        duration=row.outcome.duration,
    )


def optimism_bias_for(project: Project) -> Decimal:
    settings = ValuationSettings.objects.filter(project=project).first()
    return settings.optimism_bias if settings else Decimal(0)


def staff_time_cost(project: Project) -> Decimal:
    total = StaffTime.objects.filter(project=project).aggregate(total=Sum(COST))["total"]
    # SQLite sums in floating point; hours and pounds to 2 places make 4 places exactly.
    return Decimal(total or 0).quantize(FOUR_PLACES)


def project_valuation(project: Project) -> dict:
    """Everything on the staff valuation page."""
    totals = project_payment_totals(project)
    fees_paid = totals.fees[PaymentStatus.PAID]
    expenses_paid = totals.claims[ClaimStatus.PAID]
    staff_time = list(
        StaffTime.objects.filter(project=project)
        .annotate(cost_total=COST)
        .order_by("-worked_on", "-pk")[: STAFF_TIME_SHOWN + 1]
    )
    staff_cost = staff_time_cost(project)
    inputs = fees_paid + expenses_paid + staff_cost
    rows = _outcome_rows(project)
    optimism_bias = optimism_bias_for(project)
    valuation = valuation_work_out(
        [_input(row) for row in rows],
        prices=prices_for(timezone.localdate().year),
        optimism_bias=optimism_bias,
        inputs=inputs,
    )
    return {
        "rows": list(zip(rows, valuation.outcomes, strict=True)),
        "valuation": valuation,
        "fees_paid": fees_paid,
        "expenses_paid": expenses_paid,
        "staff_cost": staff_cost,
        "inputs": inputs,
        "staff_time": staff_time[:STAFF_TIME_SHOWN],
        "staff_time_more": len(staff_time) > STAFF_TIME_SHOWN,
        "optimism_bias": optimism_bias,
        "discount_source": DISCOUNT_RATE_SOURCE,
    }


def _withheld_ratio(present_value, inputs):
    if is_suppressed(present_value) or is_suppressed(inputs):
        return WITHHELD
    return present_value / inputs if inputs > 0 else None


def report_valuation(project: Project, *, money: dict | None = None) -> dict:
    """The valuation in the commissioner report. `money` is the report's money section
    (`report_money`), so fees and expenses paid to 1–4 people are withheld here exactly as
    there; without it, it is worked out.

    A quantity from a measure that rests on fewer than 5 people is withheld with its value,
    and then so is each total it could be worked back from (protect_total); the ratio is
    withheld whenever the inputs or the present value are.
    """
    if money is None:
        money = report_money(project, costs=cost_benefit(project))
    staff_cost = staff_time_cost(project)
    total_paid = money["total_paid"]
    inputs = total_paid + staff_cost if not is_suppressed(total_paid) else WITHHELD
    rows = _outcome_rows(project)
    valuation = valuation_work_out(
        [_input(row) for row in rows],
        prices=prices_for(timezone.localdate().year),
        optimism_bias=optimism_bias_for(project),
        inputs=Decimal(0) if is_suppressed(inputs) else inputs,
    )
    outcomes = []
    for row, result in zip(rows, valuation.outcomes, strict=True):
        hidden = row.withheld_in_report
        outcomes.append(
            {
                "name": row.outcome.name,
                "unit": row.outcome.unit_value.unit,
                "unit_value": row.outcome.unit_value.name,
                "source": row.outcome.unit_value.source,
                "price_year": row.outcome.unit_value.price_year,
                "quantity": WITHHELD if hidden else row.quantity,
                "people": row.people,
                "value": result.value_in_report_prices["central"],
                "present_value": {
                    s: WITHHELD if hidden else result.present_value[s] for s in SCENARIOS
                },
                "workings": [] if hidden else result.workings,
            }
        )
    present_value = {
        s: protect_total(valuation.present_value[s], *(o["present_value"][s] for o in outcomes))
        for s in SCENARIOS
    }
    ratio = {s: _withheld_ratio(present_value[s], inputs) for s in SCENARIOS}
    withheld_any = any(is_suppressed(o["quantity"]) for o in outcomes)
    return {
        "outcomes": outcomes,
        "fees_paid": money["fees_paid"],
        "expenses_paid": money["expenses_paid"],
        "staff_cost": staff_cost,
        "inputs": inputs,
        "optimism_bias": valuation.optimism_bias,
        "present_value": present_value,
        "ratio": ratio,
        "price_year": valuation.prices.year_used,
        "workings": _report_workings(valuation, present_value, inputs, ratio, withheld_any),
    }


def _report_workings(
    valuation: Valuation, present_value: dict, inputs, ratio: dict, withheld_any: bool
) -> list[str]:
    steps = [
        "Each outcome is counted, valued with a published unit value, brought to "
        f"{valuation.prices.year_used or valuation.prices.report_year} prices with HM "
        "Treasury's GDP deflator, and reduced for what would have happened anyway "
        "(deadweight), what only moved elsewhere (displacement) and what others did "
        "(attribution).",
        "Outcomes that last more than a year fade by their drop-off each year, and later "
        "years are discounted at the Green Book rate of 3.5% a year (the first year is not "
        "discounted).",
    ]
    if valuation.prices.year_used != valuation.prices.report_year:
        steps.append(
            f"There is no GDP deflator for {valuation.prices.report_year} yet, so the latest "
            f"year there is ({valuation.prices.year_used}) is used."
        )
    steps.append(f"The total is reduced by {number(valuation.optimism_bias)}% for optimism bias.")
    if withheld_any:
        steps.append(
            "A change that rests on fewer than 5 people is not shown, nor any total it could "
            "be worked out from."
        )
    if not is_suppressed(ratio["central"]) and ratio["central"] is not None:
        steps.append(
            f"{pounds(present_value['central'])} of social value ÷ {pounds(inputs)} put in "
            f"(fees, expenses and staff time) = {pounds(ratio['central'])} for each £1."
        )
    return steps


def _cell(figure) -> object:
    if is_suppressed(figure) or figure is None:
        return figure if figure is not None else ""
    return figure.quantize(Decimal("0.01"))


def valuation_csv_rows(section: dict) -> list[list]:
    """Rows for the report's CSV under VALUATION_CSV_HEADER: [what, low, central, high]
    for each outcome and the totals, then the workings. Cells are plain values; the report's
    CSV writer makes text safe (coprod.core.csv)."""
    rows = []
    for outcome in section["outcomes"]:
        rows.append([f"{outcome['name']}: quantity", "", _cell(outcome["quantity"]), ""])
        rows.append(
            [
                f"{outcome['name']}: present value (£)",
                *(_cell(outcome["present_value"][s]) for s in SCENARIOS),
            ]
        )
    rows.append(["Fees paid (£)", "", _cell(section["fees_paid"]), ""])
    rows.append(["Expenses paid (£)", "", _cell(section["expenses_paid"]), ""])
    rows.append(["Staff time (£)", "", _cell(section["staff_cost"]), ""])
    rows.append(["Inputs (£)", "", _cell(section["inputs"]), ""])
    rows.append(["Optimism bias (%)", "", _cell(section["optimism_bias"]), ""])
    rows.append(["Present value (£)", *(_cell(section["present_value"][s]) for s in SCENARIOS)])
    rows.append(
        ["Social value for each £1 put in (£)", *(_cell(section["ratio"][s]) for s in SCENARIOS)]
    )
    rows.extend([["How this was worked out", step, "", ""] for step in section["workings"]])
    return rows
