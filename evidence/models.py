import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.models import Stage


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
    recorded_on = models.DateField("date", default=timezone.localdate)
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
    baseline_on = models.DateField("baseline date", null=True, blank=True)
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


class OutcomeValue(models.Model):
    """A later reading of an outcome measure."""

    record = models.ForeignKey(EvidenceRecord, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    measured_on = models.DateField()

    class Meta:
        ordering = ["measured_on", "pk"]

    def __str__(self) -> str:
        return f"{self.value} on {self.measured_on}"


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
