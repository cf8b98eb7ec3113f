"""What people who came to a meeting say about it: were they listened to, did they
influence anything, could they take part easily (each 1 to 5, any may be skipped) and a
comment; and the outbox that asks each of them once."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from coprod.core.outbox import Delivery

SCALE_LOW, SCALE_HIGH = 1, 5
# Answers of 4 or 5 count as agreeing in reports.
AGREE_FROM = 4
COMMENT_MAX = 2000
# How long after a meeting ends people who came can answer, and change their answers.
ANSWER_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class FeedbackQuestion:
    field: str
    text: str
    # How reports name it: "Listened to".
    short_name: str
    # The words for 1 to 5, lowest first.
    labels: tuple[str, str, str, str, str]

    @property
    def choices(self) -> list[tuple[int, str]]:
        return [(SCALE_LOW + index, label) for index, label in enumerate(self.labels)]


QUESTIONS = (
    FeedbackQuestion(
        "listened",
        "Did you feel listened to?",
        "Listened to",
        ("Not at all", "A little", "Partly", "Mostly", "Completely"),
    ),
    FeedbackQuestion(
        "influence",
        "Did what you said make a difference to what was decided?",
        "Made a difference",
        ("Not at all", "A little", "Some difference", "A lot", "Completely"),
    ),
    FeedbackQuestion(
        "accessible",
        "Was the meeting easy for you to take part in?",
        "Easy to take part in",
        ("Not at all", "Not very", "Partly", "Mostly", "Completely"),
    ),
)


def _scale_field(question: FeedbackQuestion) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        question.text,
        null=True,
        blank=True,
        choices=question.choices,
        validators=[MinValueValidator(SCALE_LOW), MaxValueValidator(SCALE_HIGH)],
    )


def _in_scale(field: str) -> models.Q:
    return models.Q(**{f"{field}__isnull": True}) | models.Q(
        **{f"{field}__gte": SCALE_LOW, f"{field}__lte": SCALE_HIGH}
    )


class MeetingFeedback(models.Model):
    """One person's answers about one meeting they came to. When the person is erased the
    row loses its link to them and its comment, so the meeting's figures stay the same."""

    meeting = models.ForeignKey(
        "projects.Meeting", on_delete=models.CASCADE, related_name="feedback"
    )
    person = models.ForeignKey(
        "stakeholders.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_feedback",
    )
    listened = _scale_field(QUESTIONS[0])
    influence = _scale_field(QUESTIONS[1])
    accessible = _scale_field(QUESTIONS[2])
    comment = models.TextField("anything else you want to tell us", blank=True)
    # When they last sent their answers (they may change them for a while).
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meeting_feedback_once"),
            models.CheckConstraint(
                condition=models.Q(listened__isnull=False)
                | models.Q(influence__isnull=False)
                | models.Q(accessible__isnull=False)
                | ~models.Q(comment=""),
                name="meeting_feedback_says_something",
            ),
            models.CheckConstraint(
                condition=_in_scale("listened") & _in_scale("influence") & _in_scale("accessible"),
                name="meeting_feedback_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.meeting}"

    def clean(self) -> None:
        answers = [getattr(self, question.field) for question in QUESTIONS]
        if all(answer is None for answer in answers) and not self.comment.strip():
            raise ValidationError("Answer at least one question, or write a comment.")


class FeedbackRequest(Delivery):
    """The outbox asking someone who came to a meeting what they thought: one per person
    per meeting, so nobody is asked twice. A worker claims the row before it sends."""

    meeting = models.ForeignKey(
        "projects.Meeting", on_delete=models.CASCADE, related_name="feedback_requests"
    )
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="feedback_requests"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="feedback_request_once"),
        ]
        indexes = [
            # The sweep looks for requests neither sent nor given up on.
            models.Index(
                fields=["created_at"],
                name="feedback_request_unsent_idx",
                condition=models.Q(sent_at=None, failed_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"Asking {self.person} about {self.meeting}"
