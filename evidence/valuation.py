"""The arithmetic of a valuation, as pure functions on Decimals: no database, no rounding
except for what is shown. Every step is also said in words (`workings`), with its numbers,
so that someone can check it by hand.

For each outcome:
  value in report prices = unit value × index[report year] ÷ index[price year]
  year 1 = quantity × value in report prices × (1 − deadweight) × (1 − displacement)
           × (1 − attribution)
  year t = year 1 × (1 − drop-off)^(t − 1), for t = 1 … duration
  present value of year t = year t ÷ (1 + 3.5%)^(t − 1)
The total present value is the sum over outcomes × (1 − optimism bias), and the social return
ratio is that total ÷ the inputs (None when nothing was put in).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from evidence.models.valuation import DISCOUNT_RATE

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
SCENARIOS = ("low", "central", "high")


def pounds(amount: Decimal) -> str:
    """£1,234.57: rounded to the penny for display only."""
    rounded = amount.quantize(PENNY, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,.2f}"


def number(amount: Decimal, places: int = 2) -> str:
    """A quantity or an index as people write it: 18, 4.5, 1.2345 (never 18.00)."""
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: Decimal) -> str:
    return f"{number(share)}%"


@dataclass(frozen=True)
class Prices:
    """The GDP deflator index by calendar year, and the year the report is priced in."""

    indices: dict[int, Decimal]
    report_year: int

    @property
    def year_used(self) -> int | None:
        """The report's year if its index is there, or else the latest year that is."""
        if self.report_year in self.indices:
            return self.report_year
        return max(self.indices) if self.indices else None

    def ratio(self, price_year: int) -> Decimal | None:
        """index[year used] ÷ index[price year]; None when either is missing."""
        year = self.year_used
        if year is None or price_year not in self.indices:
            return None
        return self.indices[year] / self.indices[price_year]


@dataclass(frozen=True)
class OutcomeInput:
    name: str
    quantity: Decimal
    unit: str  # what one unit is, for the workings
    values: dict[str, Decimal]  # scenario → £ for one unit, in the price year
    price_year: int
    deadweight: Decimal  # percentages, 0–100
    attribution: Decimal
    displacement: Decimal
    drop_off: Decimal
    duration: int


@dataclass
class OutcomeResult:
    name: str
    value_in_report_prices: dict[str, Decimal]
    year_one: dict[str, Decimal]
    years: list[dict]  # central: year, amount, discount factor, present value
    present_value: dict[str, Decimal]
    workings: list[str] = field(default_factory=list)


def _share(percentage: Decimal) -> Decimal:
    return percentage / HUNDRED


def outcome_value(outcome: OutcomeInput, prices: Prices) -> OutcomeResult:
    ratio = prices.ratio(outcome.price_year)
    deflate = ratio if ratio is not None else Decimal(1)
    kept = (
        (1 - _share(outcome.deadweight))
        * (1 - _share(outcome.displacement))
        * (1 - _share(outcome.attribution))
    )
    fading = 1 - _share(outcome.drop_off)
    in_report_prices, year_one, present_value = {}, {}, {}
    years = []
    for scenario in SCENARIOS:
        in_report_prices[scenario] = outcome.values[scenario] * deflate
        year_one[scenario] = outcome.quantity * in_report_prices[scenario] * kept
        total = Decimal(0)
        for t in range(1, outcome.duration + 1):
            amount = year_one[scenario] * fading ** (t - 1)
            factor = (1 + DISCOUNT_RATE) ** (t - 1)
            total += amount / factor
            if scenario == "central":
                years.append(
                    {"year": t, "amount": amount, "factor": factor, "present": amount / factor}
                )
        present_value[scenario] = total
    result = OutcomeResult(
        name=outcome.name,
        value_in_report_prices=in_report_prices,
        year_one=year_one,
        years=years,
        present_value=present_value,
    )
    result.workings = _outcome_workings(outcome, prices, ratio, result, kept)
    return result


def _outcome_workings(
    outcome: OutcomeInput, prices: Prices, ratio: Decimal | None, result: OutcomeResult, kept
) -> list[str]:
    central = outcome.values["central"]
    unit = outcome.unit.rstrip(".")
    steps = [
        f"{outcome.name}: a quantity of {number(outcome.quantity)}, where one unit is "
        f"{unit[:1].lower()}{unit[1:]}. One unit is valued at {pounds(central)} in "
        f"{outcome.price_year} prices."
    ]
    year = prices.year_used
    if ratio is None:
        steps.append(
            f"There is no GDP deflator for {outcome.price_year if year else 'any year'}, so the "
            f"value is used as it is, not brought to {prices.report_year} prices."
        )
    else:
        steps.append(
            f"Brought to {year} prices with the GDP deflator (index {year} ÷ index "
            f"{outcome.price_year} = {number(prices.indices[year], 4)} ÷ "
            f"{number(prices.indices[outcome.price_year], 4)} = {number(ratio, 4)}): "
            f"{pounds(result.value_in_report_prices['central'])} each."
        )
    steps.append(
        f"Less deadweight {percent(outcome.deadweight)} (would have happened anyway), "
        f"displacement {percent(outcome.displacement)} (moved elsewhere) and attribution "
        f"{percent(outcome.attribution)} (due to others): {number(outcome.quantity)} × "
        f"{pounds(result.value_in_report_prices['central'])} × "
        f"{number(1 - _share(outcome.deadweight), 4)} × "
        f"{number(1 - _share(outcome.displacement), 4)} × "
        f"{number(1 - _share(outcome.attribution), 4)} = "
        f"{pounds(result.year_one['central'])} in the first year."
    )
    if outcome.duration > 1:
        steps.append(
            f"It lasts {outcome.duration} years, fading by {percent(outcome.drop_off)} a year, "
            "and each year after the first is discounted at 3.5% a year: "
            + "; ".join(
                f"year {row['year']} {pounds(row['amount'])} ÷ {number(row['factor'], 4)} = "
                f"{pounds(row['present'])}"
                for row in result.years
            )
            + "."
        )
    steps.append(
        f"Present value of {outcome.name}: {pounds(result.present_value['central'])} "
        f"(low {pounds(result.present_value['low'])}, high "
        f"{pounds(result.present_value['high'])})."
    )
    return steps


@dataclass
class Valuation:
    outcomes: list[OutcomeResult]
    optimism_bias: Decimal
    gross: dict[str, Decimal]  # sum of outcome present values, before optimism bias
    present_value: dict[str, Decimal]
    inputs: Decimal
    ratio: dict[str, Decimal | None]
    prices: Prices
    workings: list[str]


def valuation_work_out(
    outcomes: list[OutcomeInput], *, prices: Prices, optimism_bias: Decimal, inputs: Decimal
) -> Valuation:
    results = [outcome_value(outcome, prices) for outcome in outcomes]
    gross = {s: sum((r.present_value[s] for r in results), Decimal(0)) for s in SCENARIOS}
    kept = 1 - _share(optimism_bias)
    present_value = {s: gross[s] * kept for s in SCENARIOS}
    ratio = {s: present_value[s] / inputs if inputs > 0 else None for s in SCENARIOS}
    return Valuation(
        outcomes=results,
        optimism_bias=optimism_bias,
        gross=gross,
        present_value=present_value,
        inputs=inputs,
        ratio=ratio,
        prices=prices,
        workings=_total_workings(prices, gross, optimism_bias, present_value, inputs, ratio),
    )


def _total_workings(prices, gross, optimism_bias, present_value, inputs, ratio) -> list[str]:
    steps = []
    if prices.year_used is not None and prices.year_used != prices.report_year:
        steps.append(
            f"There is no GDP deflator for {prices.report_year} yet, so values are in "
            f"{prices.year_used} prices, the latest year there is."
        )
    steps.append(
        "Year 1 is now and is not discounted (the Green Book's year 0); each later year is "
        "divided by 1.035 once more for each year that passes."
    )
    steps.append(
        f"All outcomes together: {pounds(gross['central'])}. Less optimism bias of "
        f"{percent(optimism_bias)}: {pounds(gross['central'])} × "
        f"{number(1 - _share(optimism_bias), 4)} = {pounds(present_value['central'])}."
    )
    if ratio["central"] is None:
        steps.append("Nothing has been put in yet, so there is no ratio.")
    else:
        steps.append(
            f"Divided by the inputs of {pounds(inputs)}: {pounds(present_value['central'])} ÷ "
            f"{pounds(inputs)} = {pounds(ratio['central'])} of social value for each £1 put in "
            f"(low {pounds(ratio['low'])}, high {pounds(ratio['high'])})."
        )
    return steps
