"""Measures people answer themselves: a registry of questionnaires (ONS4 personal wellbeing
is shipped; organisations add their own), the measures a project uses with the rounds it
schedules (a baseline, then follow-ups), and each person's answers in a round."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from coprod.core.outbox import Delivery
from evidence.models.records import BetterDirection


class MeasureLicence(models.TextChoices):
    FREE = "free", "Free to use (with citation)"
    HELD = "held", "The organisation holds a licence"


class MeasureScoring(models.TextChoices):
    # ONS4: each question is its own measure; adding them up means nothing.
    SEPARATE = "separate", "Each question reported on its own, never added up"
    TOTAL = "total", "The answers added up to one score"


class Measure(models.Model):
    """A questionnaire with a fixed answer scale, as its authors publish it."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(
        blank=True, help_text="What it measures, in a sentence people answering will understand."
    )
    source = models.CharField(max_length=300, help_text="Who publishes it: the citation.")
    source_url = models.URLField(max_length=500, blank=True)
    licence = models.CharField(max_length=4, choices=MeasureLicence.choices)
    licence_details = models.TextField(
        blank=True,
        help_text="For a licensed measure: who holds the licence, its reference and until when.",
    )
    # Shipped with coprod (free to use); every other measure was added by the organisation.
    shipped = models.BooleanField(default=False, editable=False)
    scale_min = models.SmallIntegerField("lowest answer", default=0)
    scale_max = models.SmallIntegerField("highest answer", default=10)
    scale_min_label = models.CharField("the lowest answer means", max_length=60, blank=True)
    scale_max_label = models.CharField("the highest answer means", max_length=60, blank=True)
    scoring = models.CharField(max_length=8, choices=MeasureScoring.choices)
    meaningful_change = models.DecimalField(
        "smallest change that matters (points)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    meaningful_change_source = models.CharField(
        "where that figure comes from", max_length=300, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        low, high = self.scale_min, self.scale_max
        if low is not None and high is not None and low >= high:
            errors["scale_max"] = "The highest answer must be more than the lowest."
        if self.licence == MeasureLicence.HELD and not self.licence_details.strip():
            errors["licence_details"] = (
                "Enter who holds the licence for this measure, its reference and until when."
            )
        if errors:
            raise ValidationError(errors)


class MeasureQuestion(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.TextField("question")
    # How the question is named in reports: "Life satisfaction".
    short_name = models.CharField(max_length=60)
    better = models.CharField("which way is better", max_length=6, choices=BetterDirection.choices)

    class Meta:
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "position"], name="measure_question_position_once"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


class ProjectMeasure(models.Model):
    """A measure a project asks its participants to answer."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="measures"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "measure__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "measure"], name="project_measure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} for {self.project}"


class RoundKind(models.TextChoices):
    BASELINE = "baseline", "Baseline (before or at the start)"
    FOLLOW_UP = "follow_up", "Follow-up"


class MeasureRound(models.Model):
    """A time the project asks its participants to answer a measure: the baseline, then each
    follow-up it schedules. Open from `opens_on` until `closes_on` (inclusive)."""

    project_measure = models.ForeignKey(
        ProjectMeasure, on_delete=models.CASCADE, related_name="rounds"
    )
    kind = models.CharField(max_length=9, choices=RoundKind.choices)
    name = models.CharField(max_length=60, help_text="For example: Baseline, After 6 months.")
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project_measure", "opens_on", "pk"]
        constraints = [
            # One baseline per measure in a project: change is always from it.
            models.UniqueConstraint(
                fields=["project_measure"],
                condition=models.Q(kind="baseline"),
                name="measure_one_baseline",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="measure_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MeasureResponse(models.Model):
    """One person's answers in one round: theirs, or typed in by staff from a paper form."""

    round = models.ForeignKey(MeasureRound, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="measure_responses"
    )
    answered_on = models.DateField(default=timezone.localdate)
    # Set when staff typed the answers in on the person's behalf (from paper, by phone).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on_their_behalf = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="measure_response_once"),
        ]

    def __str__(self) -> str:
        return f"Answers to {self.round}"


class MeasureAnswer(models.Model):
    response = models.ForeignKey(MeasureResponse, on_delete=models.CASCADE, related_name="answers")
    # The response's person again, so that their data export (which gathers the rows that
    # name them) holds every answer they gave, not only that they answered.
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="measure_answers"
    )
    question = models.ForeignKey(MeasureQuestion, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(validators=[MinValueValidator(-1000), MaxValueValidator(1000)])

    class Meta:
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="measure_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class ReminderWhich(models.TextChoices):
    OPENED = "opened", "The round has opened"
    CLOSING = "closing", "The round closes soon"


class MeasureReminder(Delivery):
    """The outbox for reminders to answer a round, by the person's own channel: one when
    the round opens and one a few days before it closes. A worker claims a row before it
    sends, so a task run twice, or two workers, never send it twice."""

    round = models.ForeignKey(MeasureRound, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="measure_reminders"
    )
    which = models.CharField(max_length=7, choices=ReminderWhich.choices)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person", "which"], name="measure_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_which_display()}: {self.round}, for {self.person}"
