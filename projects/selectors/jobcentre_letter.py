"""What goes in "a letter for the Jobcentre": the person's involvement and this tax year's
fees, in the words of the NIHR's example letter. Fees are dated and counted as in
fee_benefits (by the activity's date); what never reaches the person is left out of the
income and counted instead, so the letter says plainly what was not paid to them."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from projects.models import FeeChoice, Payment, PaymentKind, Project
from projects.models.memberships import MembershipStatus
from projects.models.payments import PaymentStatus
from projects.selectors.fee_benefits import _with_activity_date, tax_year
from stakeholders.models import Person


@dataclass
class LetterFee:
    project: str
    activity: str
    activity_on: date
    amount: Decimal
    paid_on: date | None


@dataclass
class JobcentreLetter:
    person: Person
    written_on: date
    tax_year_starts: date
    tax_year_ends: date
    projects: list[Project]
    fees: list[LetterFee] = field(default_factory=list)
    declined: int = 0
    to_charity: int = 0
    cancelled: int = 0
    reversed: int = 0

    @property
    def total(self) -> Decimal:
        return sum((fee.amount for fee in self.fees), Decimal("0.00"))

    @property
    def total_paid(self) -> Decimal:
        return sum((fee.amount for fee in self.fees if fee.paid_on), Decimal("0.00"))

    @property
    def total_owed(self) -> Decimal:
        return self.total - self.total_paid

    @property
    def not_listed(self) -> list[str]:
        """Plain words for each kind of fee left out of the income, with how many."""
        counts = [
            (self.declined, "they chose not to be paid"),
            (self.to_charity, "they asked for it to be paid to a charity"),
            (self.cancelled, "it was cancelled"),
            (self.reversed, "it was paid by mistake and taken back"),
        ]
        return [
            f"{count} {'fee' if count == 1 else 'fees'} where {words}"
            for count, words in counts
            if count
        ]


def jobcentre_letter(person: Person, *, today: date) -> JobcentreLetter:
    """The letter's content for `person` on `today`, in three queries."""
    starts, ends = tax_year(today)
    projects = list(
        Project.objects.filter(
            memberships__person=person, memberships__status=MembershipStatus.ACTIVE
        ).order_by("name")
    )
    letter = JobcentreLetter(
        person=person,
        written_on=today,
        tax_year_starts=starts,
        tax_year_ends=ends,
        projects=projects,
    )
    fees = (
        _with_activity_date(Payment.objects.filter(person=person, kind=PaymentKind.FEE))
        .filter(activity_on__range=(starts, ends))
        .select_related("project")
        .order_by("activity_on", "pk")
    )
    for fee in fees:
        if fee.status == PaymentStatus.DECLINED or fee.choice == FeeChoice.DECLINE:
            letter.declined += 1
        elif fee.status == PaymentStatus.CANCELLED:
            letter.cancelled += 1
        elif fee.is_reversed:
            letter.reversed += 1
        elif fee.choice == FeeChoice.CHARITY:
            letter.to_charity += 1
        else:
            letter.fees.append(
                LetterFee(
                    project=fee.project.name,
                    activity=fee.activity,
                    activity_on=fee.activity_on,
                    amount=fee.amount,
                    paid_on=fee.paid_on if fee.status == PaymentStatus.PAID else None,
                )
            )
    return letter
