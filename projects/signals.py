"""How projects answers what happens to people (stakeholders.signals), and keeps its
coverage counts, fee waits and people's earnings when a membership, a person or a payment
is saved (projects.services.coverage, projects.services.fee_waits,
projects.services.earnings)."""

from allauth.account.signals import email_confirmed
from django.contrib import messages
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from projects.models import Membership, MembershipStatus, Payment, Project
from projects.services.coverage import coverage_recount, coverage_recount_for_people
from projects.services.earnings import COUNTED_FIELDS, earnings_recount
from projects.services.fee_waits import fee_wait_change_one
from projects.services.meetings import invitations_withdraw
from projects.services.memberships import held_signup_merge
from projects.services.pool import pool_invitations_withdraw
from stakeholders.models import Person
from stakeholders.signals import involvement_consent_withdrawn

JOINED_EXISTING_ENTRY = (
    "Thank you. Your sign-up is now joined to the details the project already had for you. "
    'For your safety, choose a new password before you log in: use "Forgot your '
    'password?" on the log in page and we will email you a link.'
)


@receiver(involvement_consent_withdrawn, dispatch_uid="projects_leave_on_withdrawal")
def leave_every_project(sender, *, person, when, **kwargs) -> None:
    """Without involvement consent a person leaves every project they were in."""
    leaving = Membership.objects.filter(person=person).exclude(status=MembershipStatus.LEFT)
    projects = list(leaving.values_list("project_id", flat=True))
    leaving.update(status=MembershipStatus.LEFT, left_at=when)
    coverage_recount(project_ids=projects)


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


@receiver(post_save, sender=Membership, dispatch_uid="projects_recount_saved_membership")
def recount_after_membership_saved(sender, *, instance, created, **kwargs) -> None:
    if created and instance.status != MembershipStatus.ACTIVE:
        return
    coverage_recount(project_ids=[instance.project_id])


@receiver(post_delete, sender=Membership, dispatch_uid="projects_recount_deleted_membership")
def recount_after_membership_deleted(sender, *, instance, origin=None, **kwargs) -> None:
    # A project being deleted takes its counts with it; other deletions (a person's) do not.
    if instance.status == MembershipStatus.ACTIVE and not isinstance(origin, Project):
        coverage_recount(project_ids=[instance.project_id])


@receiver(post_save, sender=Person, dispatch_uid="projects_recount_saved_person")
def recount_after_person_saved(sender, *, instance, created, update_fields=None, **kwargs) -> None:
    """Someone's stakeholder group may have changed: the projects they are active in are
    counted again. A new person is in no project yet."""
    if created or (update_fields is not None and "stakeholder_group" not in update_fields):
        return
    coverage_recount_for_people(person_ids=[instance.pk])


@receiver(post_save, sender=Payment, dispatch_uid="projects_count_fee_paid")
def count_fee_paid(sender, *, instance, **kwargs) -> None:
    """Payment.save refuses to change a paid fee, so one saved as paid has just been paid."""
    fee_wait_change_one(payment=instance, by=1)


@receiver(post_delete, sender=Payment, dispatch_uid="projects_uncount_fee_deleted")
def uncount_fee_deleted(sender, *, instance, **kwargs) -> None:
    fee_wait_change_one(payment=instance, by=-1)


@receiver(post_save, sender=Payment, dispatch_uid="projects_earnings_fee_saved")
def recount_earnings_after_fee_saved(sender, *, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not COUNTED_FIELDS.intersection(update_fields):
        return
    # A fee moved to someone else leaves its first person's figure to count again as well.
    before = instance.__dict__.pop("stored_person_id", None)
    earnings_recount(person_ids=[instance.person_id, *([before] if before else [])])


@receiver(post_delete, sender=Payment, dispatch_uid="projects_earnings_fee_deleted")
def recount_earnings_after_fee_deleted(sender, *, instance, **kwargs) -> None:
    earnings_recount(person_ids=[instance.person_id])
