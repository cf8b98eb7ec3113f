"""How projects answers what happens to people (stakeholders.signals)."""

from allauth.account.signals import email_confirmed
from django.contrib import messages
from django.dispatch import receiver

from projects.models import Membership, MembershipStatus
from projects.services.meetings import invitations_withdraw
from projects.services.memberships import held_signup_merge
from projects.services.pool import pool_invitations_withdraw
from stakeholders.signals import involvement_consent_withdrawn

JOINED_EXISTING_ENTRY = (
    "Thank you. Your sign-up is now joined to the details the project already had for you. "
    'For your safety, choose a new password before you log in: use "Forgot your '
    'password?" on the log in page and we will email you a link.'
)


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


@receiver(email_confirmed, dispatch_uid="projects_merge_held_signup")
def merge_held_signup(sender, *, request, email_address, **kwargs) -> None:
    """A sign-up held apart goes ahead once its owner confirms the address it gave."""
    user = email_address.user
    if email_address.email.lower() != user.email.lower():
        return
    merged = held_signup_merge(user=user)
    if merged is not None and merged[1] and request is not None:
        messages.info(request, JOINED_EXISTING_ENTRY)
