"""A project, its stage and the voices it aims to involve."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from stakeholders.models import Role, StakeholderGroup


class Stage(models.TextChoices):
    DESIGN = "design", "Design"
    PLANNING = "planning", "Planning"
    DELIVERY = "delivery", "Delivery"
    EVALUATION = "evaluation", "Evaluation"
    CLOSED = "closed", "Closed"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    BOTH = "both", "In person or online"


# What anyone trying to change something in an archived project is told.
ARCHIVED_NOTHING_CAN_CHANGE = (
    "This project has ended and its records are kept as they are, so nothing can be changed."
)


class ProjectQuerySet(models.QuerySet):
    def current(self) -> "ProjectQuerySet":
        """Projects not archived: the ones every list shows."""
        return self.filter(archived_at=None)

    def open_to_join(self) -> "ProjectQuerySet":
        return self.current().filter(is_open_to_join=True).exclude(stage=Stage.CLOSED)


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(help_text="What the project is for, in plain English.")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DESIGN)
    is_open_to_join = models.BooleanField(
        "open for sign-up", default=False, help_text="Show the project's public sign-up page."
    )
    # What the public sign-up page tells people, in plain English.
    time_commitment = models.CharField(
        "time it takes", max_length=200, blank=True, help_text="For example: two hours a month."
    )
    place = models.CharField("where", max_length=200, blank=True)
    meeting_format = models.CharField(
        "online or in person",
        max_length=10,
        choices=MeetingFormat.choices,
        default=MeetingFormat.BOTH,
    )
    payment_offer = models.CharField(
        "what we pay", max_length=300, blank=True, help_text="For example: £20 an hour plus travel."
    )
    access_support = models.TextField("support to take part", blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    lead = models.ForeignKey(
        "stakeholders.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects_led",
        limit_choices_to={"role": Role.STAFF},
        verbose_name="who leads it",
    )
    # How quickly people should be paid: fees unpaid longer than this after the meeting
    # go in the dashboard's to-do list.
    payment_target_days = models.PositiveSmallIntegerField(
        "days to pay people",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How many days after a meeting people should have been paid. Usually 14.",
    )
    cost_centre = models.CharField(
        "cost centre or project code",
        max_length=40,
        blank=True,
        help_text="Optional. Finance's code for this project; it goes in the finance export.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # An archived project is kept and can be read, but nothing in it can be changed, and it
    # is left out of every list.
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

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

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class CoverageTarget(models.Model):
    """How many active members of a stakeholder group the project aims to involve."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="coverage_targets")
    stakeholder_group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    target = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["stakeholder_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stakeholder_group"], name="coverage_target_once_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.target} × {self.get_stakeholder_group_display()}"
