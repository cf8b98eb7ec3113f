"""Who takes part in a project, and invitations from the pool to join one."""

import uuid

from django.db import models
from django.utils import timezone

from coprod.core.outbox import Delivery
from stakeholders.models import Person, StakeholderGroup, User


class MembershipStatus(models.TextChoices):
    INTERESTED = "interested", "Interested"
    ACTIVE = "active", "Active"
    LEFT = "left", "Left"


class Membership(models.Model):
    """A person's part in one project: interested → active → left, with the dates."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(
        max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.INTERESTED
    )
    interested_at = models.DateTimeField(default=timezone.now)
    active_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="membership_once"),
        ]
        indexes = [
            # Coverage counts active members by project and stakeholder group.
            models.Index(
                fields=["project", "person"],
                name="membership_active_idx",
                condition=models.Q(status="active"),
            ),
            # The dashboard's new sign-ups to welcome: how many, and the oldest first
            # (coprod.pages.selectors.signups_to_welcome), read from the index alone.
            models.Index(
                fields=["interested_at", "id", "project", "person"],
                name="membership_interested_idx",
                condition=models.Q(status="interested"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.project} ({self.get_status_display()})"


class ProjectGroupCount(models.Model):
    """How many active members of a stakeholder group a project has, kept up to date by
    projects.services.coverage whenever a membership or a person's group changes, so that
    the pages showing coverage (the dashboard, the roster, the commissioner report) read
    a few rows instead of counting every membership. A group with none has no row."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="group_counts"
    )
    stakeholder_group = models.CharField(max_length=20, choices=StakeholderGroup.choices)
    active = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stakeholder_group"], name="group_count_once_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.active} × {self.get_stakeholder_group_display()}"


class PoolAnswer(models.TextChoices):
    YES = "yes", "Yes, would like to take part"
    NOT_NOW = "not_now", "Not now"


class ProjectInvitation(Delivery):
    """An invitation from the rapid-response finder to join a project; once per person.
    The person answers on its page (projects.pool_links), reached by a signed link."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="pool_invitations"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="pool_invitations")
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the person withdrew their involvement consent or was erased: from then on the
    # invitation is never sent, nor listed for staff to phone.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the provider refused it for good (a number that cannot get texts): not tried again.
    failed_at = models.DateTimeField(null=True, blank=True)
    # Why it could not be sent, or why a delivery receipt says it never arrived.
    last_error = models.TextField(blank=True)
    # The person's own answer on the invitation page; blank until they give one.
    answer = models.CharField(max_length=10, choices=PoolAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="pool_invitation_once"),
        ]
        indexes = [
            # The sender claims unsent invitations.
            models.Index(
                fields=["created_at"],
                name="pool_invitation_unsent_idx",
                condition=models.Q(sent_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} invited to {self.project}"


class HeldSignup(models.Model):
    """A web sign-up whose email or phone number matches someone already on the roster.

    Anyone can type anyone's address into a sign-up form, so nothing about the person
    already there changes on its strength: what was typed waits here, apart, until the new
    login's email address is confirmed by whoever owns it, and is merged only then
    (projects.services.memberships.held_signup_merge). A sign-up never confirmed is deleted
    with its login by the retention job, leaving the roster entry as it was.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="held_signup")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    person_fields = models.JSONField()
    equality_consent = models.BooleanField(default=False)
    equality_answers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Sign-up to {self.project} waiting for {self.user} to confirm their email"
