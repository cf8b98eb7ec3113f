"""The valuation of a project's outcomes: unit values from published sources with their
price year, the GDP deflator series that brings them to the report's prices, the staff time
put into involvement, and each outcome with the adjustments every social-value method makes
(deadweight, attribution, displacement, drop-off). The arithmetic is in evidence.valuation."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# The Green Book's discount rate for the first 30 years, fixed rather than chosen: HM Treasury,
# "The Green Book: appraisal and evaluation in central government", annex A6 (3.5% a year).
DISCOUNT_RATE = Decimal("0.035")
DISCOUNT_RATE_SOURCE = (
    "HM Treasury, The Green Book (2022), annex A6: the social time preference rate, "
    "3.5% a year for the first 30 years"
)

MONEY_DIGITS = {"max_digits": 12, "decimal_places": 2}
PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def percent_field(verbose_name: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT_VALIDATORS,
        help_text=help_text,
    )


class Beneficiary(models.TextChoices):
    FISCAL = "fiscal", "Public purse (money a public body no longer has to spend)"
    ECONOMIC = "economic", "Economy (earnings and output)"
    SOCIAL = "social", "People and society (wellbeing, health, safety)"


class Confidence(models.TextChoices):
    HIGH = "high", "High: official figures or a strong published evaluation"
    MEDIUM = "medium", "Medium: a published estimate with some assumptions"
    LOW = "low", "Low: a rough, local or old estimate"


class UnitValue(models.Model):
    """What one unit of an outcome is worth, as a published source gives it."""

    name = models.CharField(max_length=200, unique=True)
    unit = models.CharField(
        "what one unit is",
        max_length=300,
        help_text="For example: one point of life satisfaction for one person for one year.",
    )
    value = models.DecimalField(
        "central value (£)", **MONEY_DIGITS, validators=[MinValueValidator(0)]
    )
    low = models.DecimalField(
        "low value (£)", **MONEY_DIGITS, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    high = models.DecimalField(
        "high value (£)", **MONEY_DIGITS, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    price_year = models.PositiveSmallIntegerField(
        "price year", validators=[MinValueValidator(1955), MaxValueValidator(2100)]
    )
    beneficiary = models.CharField("who benefits", max_length=8, choices=Beneficiary.choices)
    confidence = models.CharField(max_length=6, choices=Confidence.choices)
    source = models.CharField(max_length=300, help_text="Who publishes it: the citation.")
    source_url = models.URLField("source link", max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    # What was and was not checked against the source when the figure was entered.
    note = models.TextField(blank=True)
    # Shipped with coprod; every other unit value was added or imported by the organisation.
    shipped = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.low is not None and self.value is not None and self.low > self.value:
            errors["low"] = "The low value must be no more than the central value."
        if self.high is not None and self.value is not None and self.high < self.value:
            errors["high"] = "The high value must be no less than the central value."
        if errors:
            raise ValidationError(errors)


class Deflator(models.Model):
    """One calendar year of HM Treasury's GDP deflator series (an index; only ratios matter)."""

    year = models.PositiveSmallIntegerField(unique=True)
    index = models.DecimalField(max_digits=9, decimal_places=4)
    forecast = models.BooleanField(default=False)
    source = models.CharField(max_length=300)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.index}"


class StaffTime(models.Model):
    """Staff time put into involvement, costed; about no one in particular."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="staff_time"
    )
    worked_on = models.DateField("date")
    what = models.CharField("what the time was spent on", max_length=200)
    hours = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(1000)],
    )
    hourly_cost = models.DecimalField(
        "hourly cost (£)",
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
        help_text="Pay plus on-costs (employer's National Insurance and pension) for one hour.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "-worked_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.what} ({self.hours} hours)"

    @property
    def cost(self) -> Decimal:
        return self.hours * self.hourly_cost


class ValuationSettings(models.Model):
    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="valuation_settings"
    )
    optimism_bias = percent_field(
        "optimism bias (%)",
        "A reduction to the benefits for the tendency to over-estimate them. "
        "Enter 0 if you have no reason to reduce them.",
    )

    def __str__(self) -> str:
        return f"Valuation settings for {self.project}"


class QuantitySource(models.TextChoices):
    ENTERED = "entered", "A number we counted"
    MEASURE = "measure", "The change in a measure people answered"


class ValuationOutcome(models.Model):
    """One outcome of a project, valued with a unit value and the usual adjustments."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="valuation_outcomes"
    )
    name = models.CharField("name of the outcome", max_length=200)
    unit_value = models.ForeignKey(UnitValue, on_delete=models.PROTECT, related_name="+")
    quantity_source = models.CharField(
        "where the quantity comes from", max_length=7, choices=QuantitySource.choices
    )
    quantity = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    quantity_note = models.TextField("how it was counted", blank=True)
    question = models.ForeignKey(
        "evidence.MeasureQuestion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="measure question",
    )
    deadweight = percent_field(
        "deadweight (%)", "How much of the outcome would have happened anyway."
    )
    attribution = percent_field(
        "attribution (%)", "How much of the outcome is due to other people or services."
    )
    displacement = percent_field(
        "displacement (%)", "How much of the outcome only moved a problem somewhere else."
    )
    drop_off = percent_field(
        "drop-off (% a year)", "How much of the outcome fades each year after the first."
    )
    duration = models.PositiveSmallIntegerField(
        "how many years it lasts",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.quantity_source == QuantitySource.ENTERED:
            if self.quantity is None:
                errors["quantity"] = "Enter how many units there were, like 12 or 4.5."
            if not self.quantity_note.strip():
                errors["quantity_note"] = "Say how the quantity was counted."
        elif self.quantity_source == QuantitySource.MEASURE and self.question_id is None:
            errors["question"] = "Choose the measure question the change comes from."
        if errors:
            raise ValidationError(errors)
