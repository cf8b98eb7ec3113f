import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Max, Min
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.models import Stage


def not_in_the_future(day: date) -> None:
    """Evidence is of what has already happened, so none of its dates is after today."""
    if day > timezone.localdate():
        raise ValidationError("The date cannot be in the future.", code="future")


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def number_text(value: Decimal) -> str:
    """42.50 → "42.5", 100.00 → "100": written the way it can be typed back."""
    return f"{value.normalize():f}"


class ReportGrant(models.Model):
    """A commissioner may read the reports of a project only while a grant exists."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="report_grants"
    )
    commissioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "project"], name="report_grant_once_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commissioner} may read {self.project}"


class EvidenceKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome measure"
    FEEDBACK = "feedback", "Feedback or a quote"
    STORY = "story", "Story or case study"
    COST = "cost", "Cost"
    SAVING = "saving", "Saving"
    DOCUMENT = "document", "Document"


class BetterDirection(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class EvidenceRecord(models.Model):
    """One piece of evidence for a project: an outcome measured over time, what people
    said, a story, a cost or a saving, or a document."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(max_length=10, choices=EvidenceKind.choices)
    title = models.CharField("name or title", max_length=200)
    recorded_on = models.DateField(
        "date", default=timezone.localdate, validators=[not_in_the_future]
    )
    source = models.CharField(max_length=200, help_text="Where it came from.")
    text = models.TextField(
        "details", blank=True, help_text="The quote, the story, or how a figure was worked out."
    )
    decisions = models.ManyToManyField("decisions.Decision", blank=True, related_name="evidence")
    # Quotes and stories: may they be published (in reports, the public board)?
    consent_to_publish = models.BooleanField(
        "the person agreed to this being published", default=False
    )
    # Outcome measures.
    unit = models.CharField(max_length=50, blank=True, help_text="For example: days, people, %.")
    better = models.CharField(
        "which way is better", max_length=6, choices=BetterDirection.choices, blank=True
    )
    baseline_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_on = models.DateField(
        "baseline date", null=True, blank=True, validators=[not_in_the_future]
    )
    # The range a measure can take (a score out of 10, a percentage); either end may be open.
    minimum = models.DecimalField(
        "lowest possible value", max_digits=12, decimal_places=2, null=True, blank=True
    )
    maximum = models.DecimalField(
        "highest possible value", max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Costs and savings, in pounds.
    amount = models.DecimalField(
        "amount (£)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    document = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        indexes = [
            models.Index(fields=["project", "kind"], name="evidence_project_kind_idx"),
            # The dashboard's evidence added most recently across every project.
            models.Index(fields=["-created_at", "-id"], name="evidence_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def range_text(self) -> str:
        """The values this measure can take, said as a hint: "From 0 to 10." """
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"From {number_text(low)} to {number_text(high)}."
        if low is not None:
            return f"{number_text(low)} or more."
        if high is not None:
            return f"{number_text(high)} or less."
        return ""

    def out_of_range(self, value: Decimal | None) -> str:
        """What to do about a value outside this measure's range; empty when it fits (or
        there is no value to check)."""
        low, high = self.minimum, self.maximum
        if value is None:
            return ""
        if low is not None and high is not None:
            if not low <= value <= high:
                return (
                    f"Enter a value from {number_text(low)} to {number_text(high)}, the range "
                    "of this measure."
                )
        elif low is not None and value < low:
            return f"Enter a value of {number_text(low)} or more, the lowest this measure can be."
        elif high is not None and value > high:
            return f"Enter a value of {number_text(high)} or less, the highest this measure can be."
        return ""

    def clean(self) -> None:
        """An outcome measure's range, its baseline and the later values already recorded
        must agree: checked here so that every form and service holds to the same rules."""
        if self.kind != EvidenceKind.OUTCOME:
            return
        errors: dict[str, list[str]] = {}
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and low >= high:
            errors.setdefault("maximum", []).append(
                f"The highest possible value must be more than the lowest, {number_text(low)}."
            )
        elif problem := self.out_of_range(self.baseline_value):
            errors.setdefault("baseline_value", []).append(problem)
        if self.pk:
            recorded = OutcomeValue.objects.filter(record_id=self.pk).aggregate(
                lowest=Min("value"), highest=Max("value"), first=Min("measured_on")
            )
            if low is not None and recorded["lowest"] is not None and recorded["lowest"] < low:
                errors.setdefault("minimum", []).append(
                    f"A later value of {number_text(recorded['lowest'])} has been recorded. "
                    f"Enter {number_text(recorded['lowest'])} or less."
                )
            if high is not None and recorded["highest"] is not None and recorded["highest"] > high:
                errors.setdefault("maximum", []).append(
                    f"A later value of {number_text(recorded['highest'])} has been recorded. "
                    f"Enter {number_text(recorded['highest'])} or more."
                )
            first = recorded["first"]
            if self.baseline_on and first and first < self.baseline_on:
                errors.setdefault("baseline_on", []).append(
                    f"A later value was measured on {_day(first)}. Enter a baseline date on "
                    f"or before it."
                )
        if errors:
            raise ValidationError(errors)


class OutcomeValue(models.Model):
    """A later reading of an outcome measure."""

    record = models.ForeignKey(EvidenceRecord, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    measured_on = models.DateField(validators=[not_in_the_future])

    class Meta:
        ordering = ["measured_on", "pk"]

    def __str__(self) -> str:
        return f"{self.value} on {self.measured_on}"

    def clean(self) -> None:
        """A later value is of an outcome measure, on or after its baseline, in its range."""
        if self.record_id is None:
            return
        record = self.record
        if record.kind != EvidenceKind.OUTCOME:
            raise ValidationError("Only an outcome measure has values over time.")
        errors = {}
        if self.measured_on and record.baseline_on and self.measured_on < record.baseline_on:
            errors["measured_on"] = (
                "A later value must be measured on or after the baseline date, "
                f"{_day(record.baseline_on)}."
            )
        if problem := record.out_of_range(self.value):
            errors["value"] = problem
        if errors:
            raise ValidationError(errors)


class ImpactSummary(models.Model):
    """The project's involvement, reported with the short form of GRIPP2."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="impact_summary"
    )
    aim = models.TextField("aim of involvement", blank=True)
    methods = models.TextField("methods: how people were involved", blank=True)
    results = models.TextField("results of involvement", blank=True)
    influence = models.TextField("how involvement influenced the work", blank=True)
    reflections = models.TextField("reflections: what went well and what did not", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "impact summaries"

    def __str__(self) -> str:
        return f"Impact summary for {self.project}"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LearningEntry(models.Model):
    """What the organisation learned, kept for everyone who runs a project after."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="learning",
    )
    title = models.CharField(max_length=200)
    tried = models.TextField("what we tried")
    happened = models.TextField("what happened")
    learned = models.TextField("what we learned")
    differently = models.TextField("what we would do differently", blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "learning entries"

    def __str__(self) -> str:
        return self.title
