"""What one fee does to someone's benefits and tax, worked out before anyone approves or
chooses: the person's other fees in the same period, against the figure in force.

Periods are counted by the activity date (the meeting's date), not the day it is paid.
Universal Credit counts earnings in the assessment period they are *received*, so these
figures hold only if the fee is paid in the same assessment period as the activity: staff
are told the last day to pay it for that to be so. Nothing here ever suggests moving an
activity's date; the safe options are the ones the rules allow for service-user
involvement (a lower amount, a charity, declining)."""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DateField, Exists, F, OuterRef
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from coprod.core.compiled import CompiledQuery
from projects.models import BenefitRule, BenefitRuleKind, FeeChoice, Payment, PaymentKind
from projects.models.payments import PaymentStatus
from stakeholders.models import Benefits, BenefitsAnswers

PENNY = Decimal("0.01")
NOT_PAID_OUT = (PaymentStatus.DECLINED, PaymentStatus.CANCELLED)
NOT_TO_THE_PERSON = (FeeChoice.CHARITY, FeeChoice.DECLINE)


def pounds(amount: Decimal) -> str:
    """£36, or £7.70 when there are pence: how people say money."""
    amount = amount.quantize(PENNY, rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def _on_day(year: int, month: int, day: int) -> date:
    """The `day` of a month, or its last day when the month is shorter (31 in February)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _month_after(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def uc_assessment_period(on: date, start_day: int) -> tuple[date, date]:
    """The Universal Credit assessment period containing `on`, for a person whose periods
    start on `start_day` of each month (the month's last day when it is shorter)."""
    starts = _on_day(on.year, on.month, start_day)
    if starts > on:
        starts = _on_day(*_month_before(on.year, on.month), start_day)
    next_starts = _on_day(*_month_after(starts.year, starts.month), start_day)
    return starts, next_starts - timedelta(days=1)


def esa_week(on: date) -> tuple[date, date]:
    """Monday to Sunday around `on`. The permitted work limit is weekly, and coprod does not
    hold the day a person's ESA week starts, so it uses the calendar week the activity
    falls in: one meeting is always counted in one whole week, the same way every time."""
    monday = on - timedelta(days=on.weekday())
    return monday, monday + timedelta(days=6)


def tax_year(on: date) -> tuple[date, date]:
    """6 April to 5 April: the tax year containing `on`."""
    starts_year = on.year if on >= date(on.year, 4, 6) else on.year - 1
    return date(starts_year, 4, 6), date(starts_year + 1, 4, 5)


def _span(starts: date, ends: date) -> str:
    if starts.year == ends.year:
        return f"{starts:%-d %B} to {ends:%-d %B %Y}"
    return f"{starts:%-d %B %Y} to {ends:%-d %B %Y}"


@dataclass(frozen=True)
class LimitCheck:
    """One limit, one period: the person's other fees in it, this fee, and the figure."""

    name: str
    period_name: str
    starts: date
    ends: date
    limit: Decimal
    others: Decimal
    this: Decimal
    # Per cent of earnings over the limit taken off Universal Credit; None for other limits.
    taper: Decimal | None = None
    # What happens over the limit, from the staff side and from the person's.
    over_means: str = ""
    over_means_mine: str = ""

    @property
    def total(self) -> Decimal:
        return self.others + self.this

    @property
    def over_by(self) -> Decimal:
        return max(self.total - self.limit, Decimal("0.00"))

    @property
    def is_over(self) -> bool:
        return self.total > self.limit

    @property
    def room(self) -> Decimal:
        """The most this fee could be and keep the person within the limit."""
        return max(self.limit - self.others, Decimal("0.00"))

    @property
    def reduction(self) -> Decimal | None:
        if self.taper is None:
            return None
        return (self.over_by * self.taper / 100).quantize(PENNY, rounding=ROUND_HALF_UP)

    def words(self, *, mine: bool) -> str:
        them = "you" if mine else "them"
        used = (
            f"{pounds(self.others)} of the {pounds(self.limit)} {self.name} used "
            f"{self.period_name} ({_span(self.starts, self.ends)})"
        )
        if self.this == 0:
            return f"{used}; this fee is not paid to {them}, so it does not count."
        if not self.is_over:
            if self.total == self.limit:
                return (
                    f"{used}; this {pounds(self.this)} takes {them} exactly to the limit, not over."
                )
            return f"{used}; this {pounds(self.this)} keeps {them} under."
        consequence = self.over_means_mine if mine else self.over_means
        if self.reduction is not None:
            consequence = consequence.format(reduction=pounds(self.reduction))
        return (
            f"{used}; this {pounds(self.this)} would take {them} "
            f"{pounds(self.over_by)} over: {consequence}"
        )


@dataclass
class FeeBenefitEffect:
    """What one fee does, in plain words for staff and for the person, and the options that
    are really safe when it would take them over a limit."""

    payment_id: int
    activity_on: date
    this: Decimal
    checks: list[LimitCheck] = field(default_factory=list)
    # Things that are a problem whatever the amount (ESA without a permitted work form), or
    # that coprod cannot work out; each as (for staff, for the person).
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    # Universal Credit: the last day to pay it so it lands in the activity's period.
    pay_by: date | None = None
    on_benefits: bool = False
    # Whether coprod worked out the person's own benefit (Universal Credit or New Style
    # ESA); where it did, these figures replace the general warning staff see.
    worked_out: bool = False

    @property
    def is_over(self) -> bool:
        """Whether paying this fee in full would take the person over a limit (or break a
        rule whatever the amount): approving it needs their recorded choice."""
        return self.this > 0 and (bool(self.problems) or any(c.is_over for c in self.checks))

    @property
    def lower_amount(self) -> Decimal | None:
        """The most a lower amount could be and keep them under every limit, when paying
        less helps at all (it does not without a permitted work form)."""
        if self.problems:
            return None
        room = min((c.room for c in self.checks if c.is_over), default=None)
        return room if room and room > 0 else None

    @property
    def worth_showing(self) -> bool:
        """For lists: show the effect for people on benefits, and anyone over a limit."""
        return self.on_benefits or self.is_over

    def _lines(self, mine: bool) -> list[str]:
        lines = [problem[mine] for problem in self.problems]
        lines += [check.words(mine=mine) for check in self.checks]
        lines += [note[mine] for note in self.notes]
        return lines

    def _summary(self, mine: bool) -> list[str]:
        """For the ledger: what is wrong, or else the benefit's own check (the first line)."""
        wrong = [problem[mine] for problem in self.problems]
        wrong += [check.words(mine=mine) for check in self.checks if check.is_over]
        return wrong or self._lines(mine)[:1]

    @property
    def staff_summary(self) -> list[str]:
        return self._summary(False)

    @property
    def staff_lines(self) -> list[str]:
        lines = self._lines(False)
        if self.pay_by and self.this > 0:
            lines.append(
                "Universal Credit counts a payment in the assessment period it is received: "
                f"pay it by {self.pay_by:%-d %B %Y} for these figures to hold."
            )
        return lines

    @property
    def person_lines(self) -> list[str]:
        return self._lines(True)

    def _options(self, mine: bool) -> list[str]:
        if not self.is_over:
            return []
        they, them, their = ("you", "you", "your") if mine else ("they", "them", "their")
        options = []
        if self.lower_amount is not None:
            options.append(
                f"Take a lower amount: {pounds(self.lower_amount)} is the most that keeps "
                f"{them} under."
                if mine
                else f"Pay less: {pounds(self.lower_amount)} is the most that keeps {them} under."
            )
        options.append(
            f"Have it paid to a charity of {their} choice: it does not count as {their} earnings."
        )
        options.append(
            ("Say no to this payment" if mine else "They can decline it")
            + f": expenses paid back against receipts still do not count, so {they} can "
            "still claim those."
        )
        if any(problem for problem in self.problems):
            options.append(
                "Get a permitted work form (PW1) in place with the Jobcentre before being paid."
                if mine
                else "Help them get a permitted work form (PW1) in place before they are paid."
            )
        return options

    @property
    def staff_options(self) -> list[str]:
        return self._options(False)

    @property
    def person_options(self) -> list[str]:
        return self._options(True)


def _counted(*, status: str, choice: str, kind: str, reversed_: bool, amount: Decimal) -> Decimal:
    """What a fee adds to the person's earnings: what will be paid to them, after a lower
    amount; nothing when it goes to a charity, is declined, cancelled or reversed."""
    if kind != PaymentKind.FEE or reversed_ or status in NOT_PAID_OUT:
        return Decimal("0.00")
    if choice in NOT_TO_THE_PERSON:
        return Decimal("0.00")
    return amount


def _activity_day() -> Coalesce:
    """A payment's activity day in the database, as `activity_on` works it out."""
    return Coalesce(
        TruncDate("meeting_starts_at"),
        F("offered_on"),
        TruncDate("owed_since"),
        output_field=DateField(),
    )


def _with_activity_date(payments):
    return payments.annotate(
        activity_on=_activity_day(),
        is_reversed=Exists(Payment.objects.filter(reverses=OuterRef("pk"))),
    )


def activity_on(payment: Payment) -> date:
    """The day a fee counts from: its meeting's day (kept on the fee as the meeting moves),
    or else the day it was offered, or else the day it was first owed."""
    if payment.meeting_starts_at is not None:
        return timezone.localdate(payment.meeting_starts_at)
    return payment.offered_on or timezone.localdate(payment.owed_since)


# The Universal Credit assessment period and the ESA week around a day lie within this of it.
NEAREST_PERIODS = timedelta(days=31)


_RULES = CompiledQuery(
    lambda: BenefitRule.objects.order_by("kind", "-effective_from").values_list(
        "kind", "effective_from", "amount"
    )
)


def _rules_by_kind() -> dict[str, list[tuple[date, Decimal]]]:
    """Each kind's figures as (in force from, amount), the latest first."""
    rules = defaultdict(list)
    for kind, effective_from, amount in _RULES.rows():
        rules[kind].append((effective_from, amount))
    return rules


def _fees_of_people(person_ids: list[int], first: date, last: date):
    """The people's fees whose activity day is from `first` to `last`, with what
    _effect needs of them and of their benefits answers."""
    return (
        Payment.objects.filter(person_id__in=person_ids, kind=PaymentKind.FEE)
        .annotate(activity_on=_activity_day())
        .filter(activity_on__range=(first, last))
        .values_list(
            "pk",
            "person_id",
            "activity_on",
            "amount",
            "status",
            "choice",
            "reversed_by",
            "person__receives_benefits",
            "person__benefits__pk",
            "person__benefits__benefits",
            "person__benefits__uc_period_starts_on",
            "person__benefits__permitted_work_form",
        )
        .order_by()
    )


# Compiled once per process: building this queryset cost more CPU than running it.
_FEES_OF_PEOPLE = CompiledQuery(_fees_of_people, person_ids=list, first=date, last=date)


def _in_force(rules: dict[str, list[tuple[date, Decimal]]], kind: str, on: date) -> Decimal | None:
    """The figure in force on the day `on` (as benefit_rule_in_force, from rules loaded once)."""
    for effective_from, amount in rules.get(kind, []):
        if effective_from <= on:
            return amount
    return None


def fee_benefit_effects(payments: Iterable[Payment]) -> dict[int, FeeBenefitEffect]:
    """The effect of each fee in `payments` (reversals are left out), by payment pk, in two
    queries whatever the number: the rules, and the people's fees in the periods concerned
    with their benefits answers. The fees need their pk, kind, person_id and activity
    fields (a Payment, or a row of the fees page)."""
    fees = [p for p in payments if p.kind == PaymentKind.FEE]
    if not fees:
        return {}
    activity_dates = {fee.pk: activity_on(fee) for fee in fees}
    person_ids = sorted({fee.person_id for fee in fees})
    rules = _rules_by_kind()
    # Every period of a fee lies within its tax year or a month either side of its day,
    # whatever day the person's assessment period starts: so the fees to read are known
    # before their benefits answers are.
    days = activity_dates.values()
    rows = _FEES_OF_PEOPLE.rows(
        person_ids=person_ids,
        first=min(min(tax_year(on)[0], on - NEAREST_PERIODS) for on in days),
        last=max(max(tax_year(on)[1], on + NEAREST_PERIODS) for on in days),
    )
    fees_by_person = defaultdict(list)
    answers, receives_benefits = {}, {}
    for pk, person_id, on, amount, status, choice, reversal, receives, *answer in rows:
        counted = _counted(
            status=status,
            choice=choice,
            kind=PaymentKind.FEE,
            reversed_=reversal is not None,
            amount=amount,
        )
        fees_by_person[person_id].append((pk, on, counted))
        receives_benefits[person_id] = receives
        answers_pk, benefits, uc_period_starts_on, permitted_work_form = answer
        # Each of a person's rows carries their answers: made into one object per person.
        if answers_pk is not None and person_id not in answers:
            answers[person_id] = BenefitsAnswers(
                pk=answers_pk,
                person_id=person_id,
                benefits=benefits,
                uc_period_starts_on=uc_period_starts_on,
                permitted_work_form=permitted_work_form,
            )
    return {
        fee.pk: _effect(
            fee,
            activity_dates[fee.pk],
            answers.get(fee.person_id),
            receives_benefits[fee.person_id],
            rules,
            fees_by_person[fee.person_id],
        )
        for fee in fees
    }


def most_earned_in_a_tax_year(person_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """The most each person's fees (these people's, or everybody's) count for in any one tax
    year, worked out from the fees themselves as fee_benefit_effects counts them; people
    whose fees count for nothing are left out. What PersonEarnings keeps."""
    fees = Payment.objects.filter(kind=PaymentKind.FEE)
    if person_ids is not None:
        fees = fees.filter(person_id__in=list(person_ids))
    rows = (
        fees.annotate(activity_on=_activity_day())
        .values_list("person_id", "activity_on", "amount", "status", "choice", "reversed_by")
        .order_by()
    )
    in_year: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    for person_id, on, amount, status, choice, reversal in rows.iterator():
        in_year[person_id, tax_year(on)[0]] += _counted(
            status=status,
            choice=choice,
            kind=PaymentKind.FEE,
            reversed_=reversal is not None,
            amount=amount,
        )
    most: dict[int, Decimal] = {}
    for (person_id, _), earned in in_year.items():
        if earned > most.get(person_id, Decimal("0.00")):
            most[person_id] = earned
    return most


def ledger_benefit_effects(fees: Iterable) -> dict[int, FeeBenefitEffect]:
    """fee_benefit_effects for a page of the fees ledger (LedgerFee rows), which shows an
    effect only for someone on benefits or over a limit: fees of other people who have
    never earned more in a tax year than the lowest trading allowance (as PersonEarnings
    keeps it) cannot be over one, so they are left out, and a page of such people needs no
    query here at all."""
    return fee_benefit_effects(fee for fee in fees if _may_show_an_effect(fee))


def _may_show_an_effect(fee) -> bool:
    if _is_on_benefits(fee.benefits, fee.receives_benefits):
        return True
    # Without a trading allowance, someone not on benefits has no limit to go over.
    allowance = fee.lowest_trading_allowance
    return allowance is not None and (fee.most_earned_in_a_tax_year or 0) > allowance


def _is_on_benefits(answered: str | None, receives_benefits: bool) -> bool:
    """`answered`: what their benefits answers say (None if they have none)."""
    benefits = answered if answered is not None else ("" if receives_benefits else None)
    return benefits is not None and benefits not in (Benefits.NONE, Benefits.PREFER_NOT)


def fee_benefit_effect(payment: Payment) -> FeeBenefitEffect | None:
    """The effect of one fee; None for a reversal."""
    return fee_benefit_effects([payment]).get(payment.pk)


def _effect(
    fee: Payment,
    on: date,
    answers: BenefitsAnswers | None,
    receives_benefits: bool,
    rules: dict[str, list[tuple[date, Decimal]]],
    persons_fees: list[tuple[int, date, Decimal]],
) -> FeeBenefitEffect:
    # The fee's own row is always among them: its tax year contains its activity date.
    this = next(counted for pk, _, counted in persons_fees if pk == fee.pk)
    effect = FeeBenefitEffect(payment_id=fee.pk, activity_on=on, this=this)

    def others_in(starts: date, ends: date) -> Decimal:
        return sum(
            (
                counted
                for pk, day, counted in persons_fees
                if pk != fee.pk and starts <= day <= ends
            ),
            Decimal("0.00"),
        )

    benefits = answers.benefits if answers else ("" if receives_benefits else None)
    effect.on_benefits = _is_on_benefits(answers.benefits if answers else None, receives_benefits)
    if benefits in (Benefits.UC_HOUSING, Benefits.UC_NO_HOUSING):
        effect.worked_out = True
        _add_uc(effect, fee, on, answers, rules, others_in)
    elif benefits == Benefits.NEW_STYLE_ESA:
        effect.worked_out = True
        _add_esa(effect, on, answers, rules, others_in)
    elif effect.on_benefits:
        effect.notes.append(
            (
                "They have not said which benefit they get, so coprod cannot work out the "
                "effect: check with them before paying.",
                "You have not told us which benefit you get, so we cannot work out the effect: "
                "tell us, or ask the project team.",
            )
        )
    allowance = _in_force(rules, BenefitRuleKind.TRADING_ALLOWANCE, on)
    if allowance is not None:
        starts, ends = tax_year(on)
        effect.checks.append(
            LimitCheck(
                name="trading allowance",
                period_name="this tax year",
                starts=starts,
                ends=ends,
                limit=allowance,
                others=others_in(starts, ends),
                this=this,
                over_means="they may need to tell HMRC about it through Self Assessment.",
                over_means_mine="you may need to tell HMRC about it through Self Assessment.",
            )
        )
    return effect


def _add_uc(effect, fee, on, answers, rules, others_in) -> None:
    kind = (
        BenefitRuleKind.UC_WORK_ALLOWANCE_HOUSING
        if answers.benefits == Benefits.UC_HOUSING
        else BenefitRuleKind.UC_WORK_ALLOWANCE_NO_HOUSING
    )
    allowance = _in_force(rules, kind, on)
    taper = _in_force(rules, BenefitRuleKind.UC_TAPER, on)
    if not answers.uc_period_starts_on:
        effect.problems.append(
            (
                "They get Universal Credit but coprod does not know when their assessment "
                "period starts, so it cannot check this fee: ask them, and record it.",
                "You get Universal Credit but we do not know when your assessment period "
                "starts, so we cannot check this payment: tell us on your benefits page.",
            )
        )
        return
    if allowance is None or taper is None:
        effect.notes.append(_no_figure("Universal Credit work allowance", on))
        return
    starts, ends = uc_assessment_period(on, answers.uc_period_starts_on)
    effect.pay_by = ends
    effect.checks.append(
        LimitCheck(
            name="work allowance",
            period_name="this assessment period",
            starts=starts,
            ends=ends,
            limit=allowance,
            others=others_in(starts, ends),
            this=effect.this,
            taper=taper,
            over_means="their Universal Credit could go down by about {reduction}.",
            over_means_mine="your Universal Credit could go down by about {reduction}.",
        )
    )


def _add_esa(effect, on, answers, rules, others_in) -> None:
    if not answers.permitted_work_form:
        effect.problems.append(
            (
                "They get New Style ESA and have no permitted work form (PW1) in place, so "
                "any fee could affect their ESA.",
                "You get New Style ESA and have not told us you have a permitted work form "
                "(PW1), so any payment could affect your ESA.",
            )
        )
        return
    limit = _in_force(rules, BenefitRuleKind.ESA_PERMITTED_WORK_HIGHER, on)
    if limit is None:
        effect.notes.append(_no_figure("ESA permitted work limit", on))
        return
    starts, ends = esa_week(on)
    effect.checks.append(
        LimitCheck(
            name="permitted work limit",
            period_name="that week",
            starts=starts,
            ends=ends,
            limit=limit,
            others=others_in(starts, ends),
            this=effect.this,
            over_means="earning over it breaks the permitted work rules, which could stop "
            "their ESA.",
            over_means_mine="earning over it breaks the permitted work rules, which could "
            "stop your ESA.",
        )
    )


def _no_figure(name: str, on: date) -> tuple[str, str]:
    return (
        f"coprod holds no {name} for {on:%-d %B %Y}, so it cannot check this fee: an "
        "administrator can add the figure.",
        f"We cannot check this payment against the {name} yet: ask the project team.",
    )
