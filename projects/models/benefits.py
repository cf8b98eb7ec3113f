"""The benefit rules coprod checks payments against, as data: each figure with the day it
took effect and where it comes from, so administrators can add next April's figures
without a code change and anyone can check a figure against its source."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone


class BenefitRuleKind(models.TextChoices):
    UC_WORK_ALLOWANCE_HOUSING = (
        "uc_work_allowance_housing",
        "Universal Credit work allowance, with housing costs",
    )
    UC_WORK_ALLOWANCE_NO_HOUSING = (
        "uc_work_allowance_no_housing",
        "Universal Credit work allowance, without housing costs",
    )
    UC_TAPER = "uc_taper", "Universal Credit taper rate"
    ESA_PERMITTED_WORK_HIGHER = (
        "esa_pw_higher",
        "New Style ESA permitted work higher limit",
    )
    ESA_PERMITTED_WORK_LOWER = "esa_pw_lower", "ESA permitted work lower limit"
    ESA_PERMITTED_WORK_HOURS = "esa_pw_hours", "ESA permitted work hours a week"
    TRADING_ALLOWANCE = "trading_allowance", "HMRC trading allowance"


class BenefitRulePeriod(models.TextChoices):
    MONTH = "month", "A month (Universal Credit assessment period)"
    WEEK = "week", "A week"
    TAX_YEAR = "tax_year", "A tax year (6 April to 5 April)"
    RATE = "rate", "A rate (per cent), not an amount"


class BenefitRule(models.Model):
    """One figure of one rule, in force from `effective_from` until the next row of the
    same kind takes over. Rows are added, never changed, when the figures change, so a
    period that spans a change in April still finds the figure for each day."""

    kind = models.CharField(max_length=30, choices=BenefitRuleKind.choices)
    amount = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Pounds and pence; hours for the hours limit; per cent for the taper.",
    )
    period = models.CharField(max_length=10, choices=BenefitRulePeriod.choices)
    effective_from = models.DateField(
        "in force from",
        help_text="For Universal Credit: the first day of the first assessment period it "
        "applies to, as GOV.UK gives it.",
    )
    source_url = models.URLField("source (web address)", max_length=500)
    source_title = models.CharField("source (title)", max_length=200)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "effective_from"],
                name="benefit_rule_one_per_kind_and_day",
                violation_error_message="There is already a figure for this rule from that day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} from {self.effective_from:%-d %B %Y}"


# What each rule's figure is counted over.
RULE_PERIODS = {
    BenefitRuleKind.UC_WORK_ALLOWANCE_HOUSING: BenefitRulePeriod.MONTH,
    BenefitRuleKind.UC_WORK_ALLOWANCE_NO_HOUSING: BenefitRulePeriod.MONTH,
    BenefitRuleKind.UC_TAPER: BenefitRulePeriod.RATE,
    BenefitRuleKind.ESA_PERMITTED_WORK_HIGHER: BenefitRulePeriod.WEEK,
    BenefitRuleKind.ESA_PERMITTED_WORK_LOWER: BenefitRulePeriod.WEEK,
    BenefitRuleKind.ESA_PERMITTED_WORK_HOURS: BenefitRulePeriod.WEEK,
    BenefitRuleKind.TRADING_ALLOWANCE: BenefitRulePeriod.TAX_YEAR,
}
