"""Who takes part in a project, and invitations from the pool to join one."""

import uuid

from django.db import models
from django.utils import timezone

from stakeholders.models import Person, User


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
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.project} ({self.get_status_display()})"


class ProjectInvitation(models.Model):
    """An invitation from the rapid-response finder to join a project; once per person."""

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
