"""How projects answers what happens to people (stakeholders.signals)."""

from django.dispatch import receiver

from projects.models import Membership, MembershipStatus
from projects.services.meetings import invitations_withdraw
from projects.services.pool import pool_invitations_withdraw
from stakeholders.signals import involvement_consent_withdrawn


@receiver(involvement_consent_withdrawn, dispatch_uid="projects_leave_on_withdrawal")
def leave_every_project(sender, *, person, when, **kwargs) -> None:
    """Without involvement consent a person leaves every project they were in."""
    Membership.objects.filter(person=person).exclude(status=MembershipStatus.LEFT).update(
        status=MembershipStatus.LEFT, left_at=when
    )


@receiver(involvement_consent_withdrawn, dispatch_uid="projects_stop_contact_on_withdrawal")
def withdraw_every_invitation(sender, *, person, when, **kwargs) -> None:
    """Without involvement consent nobody may contact them: their invitations to meetings
    still to come and to join projects are withdrawn, and no email still owed is sent."""
    invitations_withdraw(person=person, when=when)
    pool_invitations_withdraw(person=person, when=when)
