from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Stage(models.TextChoices):
    DESIGN = "design", "Design"
    PLANNING = "planning", "Planning"
    DELIVERY = "delivery", "Delivery"
    EVALUATION = "evaluation", "Evaluation"
    CLOSED = "closed", "Closed"


class LadderRung(models.TextChoices):
    """The co-production ladder (Think Local Act Personal), lowest rung first."""

    COERCION = "coercion", "Coercion"
    EDUCATING = "educating", "Educating"
    INFORMING = "informing", "Informing"
    CONSULTATION = "consultation", "Consultation"
    ENGAGEMENT = "engagement", "Engagement"
    CO_DESIGN = "co_design", "Co-design"
    CO_PRODUCTION = "co_production", "Co-production"


class ProjectQuerySet(models.QuerySet):
    def open_to_join(self) -> "ProjectQuerySet":
        return self.filter(is_open_to_join=True).exclude(stage=Stage.CLOSED)


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(help_text="What the project is for, in plain English.")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DESIGN)
    is_open_to_join = models.BooleanField(
        "open for sign-up", default=False, help_text="Show the project's public sign-up page."
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # The home page and sign-up pages list only projects open to join.
            models.Index(
                fields=["name"],
                name="project_open_to_join_idx",
                condition=models.Q(is_open_to_join=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"slug": self.slug})
