import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coprod.core.outbox import Delivery
from projects.models import Stage
from stakeholders.models import StakeholderGroup


class LadderRung(models.TextChoices):
    """The co-production ladder (Think Local Act Personal), lowest rung first."""

    COERCION = "coercion", "Coercion"
    EDUCATING = "educating", "Educating"
    INFORMING = "informing", "Informing"
    CONSULTATION = "consultation", "Consultation"
    ENGAGEMENT = "engagement", "Engagement"
    CO_DESIGN = "co_design", "Co-design"
    CO_PRODUCTION = "co_production", "Co-production"


# One line on each rung, shown beside the field so staff learn the ladder as they use it.
LADDER_EXPLANATIONS = {
    LadderRung.COERCION: "People attend, but have no say; decisions are already made.",
    LadderRung.EDUCATING: "People are helped to understand a service; they do not shape it.",
    LadderRung.INFORMING: "People are told what is decided and why, after the event.",
    LadderRung.CONSULTATION: "People's views are asked for; staff decide what to do with them.",
    LadderRung.ENGAGEMENT: "People are involved throughout, but staff keep the final say.",
    LadderRung.CO_DESIGN: "People design the solution with staff; decisions are shaped together.",
    LadderRung.CO_PRODUCTION: "Power is shared equally, from planning to delivery and review.",
}


class DecisionMethod(models.TextChoices):
    CONSENSUS = "consensus", "Consensus"
    VOTE = "vote", "Vote for or against"
    OPTIONS = "options", "Vote for one of the options"
    RANKED = "ranked", "Vote by ranking the options (instant-runoff)"
    DELEGATED = "delegated", "Delegated to participants"
    STAFF_AFTER_CONSULTATION = "staff", "Staff decision after consultation"


class DecisionStatus(models.TextChoices):
    OPEN = "open", "Open"
    AGREED = "agreed", "Agreed"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"
    IMPLEMENTED = "implemented", "Implemented"
    REVERSED = "reversed", "Reversed"
    # A vote that closed without a result: too few voted, or a tie.
    NO_DECISION = "no_decision", "No decision"


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started yet"
    UNDER_WAY = "under_way", "Under way"
    DONE = "done", "Done"


class Decision(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="decisions"
    )
    title = models.CharField(max_length=200)
    question = models.TextField("the question")
    options = models.TextField("options considered", blank=True, help_text="One per line.")
    outcome = models.TextField("what was decided", blank=True)
    rationale = models.TextField("why", blank=True)
    stage = models.CharField(
        "co-production stage", max_length=20, choices=Stage.choices, default=Stage.DESIGN
    )
    method = models.CharField("how it was decided", max_length=12, choices=DecisionMethod.choices)
    meeting = models.ForeignKey(
        "projects.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The meeting it was made at, if any.",
    )
    decided_on = models.DateField("date", default=timezone.localdate)
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    ladder_rung = models.CharField(
        "how co-produced was it?", max_length=15, choices=LadderRung.choices
    )
    anonymous_voting = models.BooleanField(
        "secret ballot", default=False, help_text="Nobody, staff included, sees who voted how."
    )
    quorum_percent = models.PositiveSmallIntegerField(
        "quorum",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="The share of the project's active members, in per cent, who must vote "
        "for the vote to decide anything. 0 means no quorum.",
    )
    assisted_votes = models.BooleanField(
        "staff may record votes for people who are not online",
        default=False,
        help_text="Each such vote says who recorded it and for whom, except on a secret ballot.",
    )
    voting_open = models.BooleanField(default=False)
    # A plan that people are told and staff are reminded of; voting never closes by itself.
    voting_closes_on = models.DateField("voting closes on", null=True, blank=True)
    vote_result = models.TextField(blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    you_said = models.TextField("you said", blank=True, help_text="What participants asked for.")
    we_did = models.TextField("we did", blank=True, help_text="What changed as a result.")
    difference_made = models.TextField("the difference it made", blank=True)
    progress = models.CharField(
        max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        indexes = [
            # The public board lists decisions with a "you said, we did".
            models.Index(
                fields=["project", "decided_on"],
                name="decision_you_said_idx",
                condition=~models.Q(you_said=""),
            ),
            # The dashboard's recent decisions across every project.
            models.Index(fields=["-decided_on", "-id"], name="decision_recent_idx"),
            # The dashboard's votes closing soon, soonest first.
            models.Index(
                fields=["voting_closes_on"],
                name="decision_vote_closing_idx",
                condition=models.Q(voting_open=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "decisions:detail", kwargs={"slug": self.project.slug, "decision_id": self.public_id}
        )

    @property
    def options_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    @property
    def is_between_options(self) -> bool:
        return self.method in (DecisionMethod.OPTIONS, DecisionMethod.RANKED)

    @property
    def voting_closing_date_passed(self) -> bool:
        return self.voting_closes_on is not None and self.voting_closes_on < timezone.localdate()


class DecisionOption(models.Model):
    """One option people can vote for. Kept in step with the decision's "options" text
    (one per line, as staff type them) until somebody has voted on it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="option_rows")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "label"], name="decision_option_once"),
        ]

    def __str__(self) -> str:
        return self.label


class DecisionParticipant(models.Model):
    """Who took part in a decision, with their group as it was on the day."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "stakeholders.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions_taken_part",
    )
    stakeholder_group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    proposed = models.BooleanField("proposed it", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "person"], name="decision_participant_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.decision}"


class VoteChoice(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    ABSTAIN = "abstain", "Abstain"
    AGREE = "agree", "Agree"
    STAND_ASIDE = "stand_aside", "Stand aside"
    BLOCK = "block", "Block"


VOTE_CHOICES = [VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN]
CONSENSUS_CHOICES = [VoteChoice.AGREE, VoteChoice.STAND_ASIDE, VoteChoice.BLOCK]


class Vote(models.Model):
    """One person's vote on a decision; voting again changes it."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(
        "stakeholders.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="votes",
    )
    # Empty on a vote between options: its preferences say what was chosen.
    choice = models.CharField(max_length=12, choices=VoteChoice.choices, blank=True)
    stakeholder_group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    cast_at = models.DateTimeField(default=timezone.now)
    # The staff member who recorded it for someone who was not online, if any.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "person"],
                condition=models.Q(person__isnull=False),
                name="vote_once_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Vote on {self.decision}"

    @property
    def in_words(self) -> str:
        """What this vote chose, in words (its preferences should be prefetched)."""
        preferences = list(self.preferences.all())
        if not preferences:
            return self.get_choice_display()
        if self.decision.method != DecisionMethod.RANKED:
            return preferences[0].option.label
        return ", ".join(
            f"{preference.rank}. {preference.option.label}" for preference in preferences
        )


class VotePreference(models.Model):
    """An option a vote chose: rank 1 alone for a choose-one vote, 1, 2, 3… when ranked."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="preferences")
    option = models.ForeignKey(DecisionOption, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "rank"], name="vote_preference_rank_once"),
            models.UniqueConstraint(fields=["vote", "option"], name="vote_preference_option_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}: {self.option}"


class VoteEmail(Delivery):
    """The outbox for "voting is open" emails, one per member per decision. A worker claims
    a row before it sends, so a task run twice, or two workers, never send it twice."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="emails")
    person = models.ForeignKey(
        "stakeholders.Person", on_delete=models.CASCADE, related_name="vote_emails"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "person"], name="vote_email_once"),
        ]

    def __str__(self) -> str:
        return f"Voting is open on {self.decision}, for {self.person}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("what", max_length=300)
    owner = models.CharField("who", max_length=150)
    due_on = models.DateField("by when")
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
        indexes = [
            # The dashboard lists open actions, overdue first.
            models.Index(
                fields=["due_on"], name="action_open_idx", condition=models.Q(status="open")
            ),
        ]

    def __str__(self) -> str:
        return self.description


class AssessorRole(models.TextChoices):
    STAFF = "staff", "Staff"
    PARTICIPANT = "participant", "Participant"


class LadderAssessment(models.Model):
    """Where someone thinks the project stands on the co-production ladder, repeated over time."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="ladder_assessments"
    )
    assessor_role = models.CharField(max_length=12, choices=AssessorRole.choices)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rung = models.CharField(max_length=15, choices=LadderRung.choices)
    note = models.TextField(blank=True)
    assessed_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["-assessed_on"]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_rung_display()} ({self.get_assessor_role_display()})"
