from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from coprod.core.emails import render_email
from coprod.core.notify import EmailNotSent
from coprod.core.queue import task_delay
from coprod.core.texts import Channel, TextNotSent, render_text, send_text
from projects.models import (
    Membership,
    MembershipStatus,
    PoolAnswer,
    Project,
    ProjectInvitation,
    Stage,
)
from projects.pool_links import pool_invitation_path, pool_invitation_url
from projects.services.memberships import membership_express_interest
from stakeholders.models import Person, User
from stakeholders.signin import short_link_create


def pool_invite(
    *, project: Project, people: Iterable[Person], invited_by: User | None
) -> list[ProjectInvitation]:
    """Invite pool members to a project from the rapid-response finder; returns the new
    invitations. Nobody is invited to the same project twice: people already invited,
    already taking part, or no longer in the pool are left out. The emails are queued
    only once the invitations are committed."""

    with transaction.atomic():
        taking_part = Membership.objects.filter(
            project=project,
            person=OuterRef("pk"),
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.INTERESTED],
        )
        invited = ProjectInvitation.objects.filter(project=project, person=OuterRef("pk"))
        eligible = (
            Person.objects.in_pool()
            .filter(pk__in=[person.pk for person in people])
            .exclude(Exists(taking_part))
            .exclude(Exists(invited))
        )
        drafts = [
            ProjectInvitation(project=project, person=person, invited_by=invited_by)
            for person in eligible
        ]
        # A conflict means someone else invited the same person a moment ago; theirs stands.
        ProjectInvitation.objects.bulk_create(drafts, ignore_conflicts=True)
        invitations = list(
            ProjectInvitation.objects.filter(
                public_id__in=[draft.public_id for draft in drafts]
            ).select_related("person")
        )
        for invitation in invitations:
            # robust: if the broker is down the invitation stays unsent for the sweep,
            # rather than the staff member's request failing.
            transaction.on_commit(
                partial(task_delay, "projects.tasks.send_pool_invitation", invitation.pk),
                robust=True,
            )
    return invitations


def pool_invitations_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue pool invitations the broker never received."""

    waiting = ProjectInvitation.objects.filter(
        sent_at=None,
        withdrawn_at=None,
        failed_at=None,
        created_at__lt=timezone.now() - older_than,
    ).values_list("pk", flat=True)[:1000]
    queued = 0
    for invitation_id in waiting:
        try:
            task_delay("projects.tasks.send_pool_invitation", invitation_id)
        except Exception:  # noqa: BLE001 - broker still down; the next sweep tries again
            break
        queued += 1
    return queued


def pool_invitation_send(*, invitation_id: int) -> bool:
    """Send one pool invitation by the person's channel (email, or a text message for
    those who asked for texts or have no email), at most once however often it is called
    or retried.

    Returns whether a message went. The invitation is claimed first so that two workers
    can never both send it. Someone with neither an email address nor a phone number is
    left claimed and unsent: the finder lists them for staff to phone. A withdrawn
    invitation is never sent. A message GOV.UK Notify refuses is given up on, with its reason.
    """
    claimed = ProjectInvitation.objects.filter(
        pk=invitation_id, sent_at=None, withdrawn_at=None, failed_at=None
    ).update(sent_at=timezone.now())
    if not claimed:
        return False
    invitation = ProjectInvitation.objects.select_related("project", "person__user").get(
        pk=invitation_id
    )
    person, project = invitation.person, invitation.project
    channel = person.message_channel
    if channel is None or not (person.in_pool and person.may_be_contacted):
        return False
    try:
        if channel == Channel.TEXT:
            provider_id = send_text(
                to=person.phone.as_e164,
                body=render_text(
                    "pool-invitation",
                    {
                        "person": person,
                        "project": project,
                        "link": short_link_create(
                            pool_invitation_path(invitation),
                            expires_at=timezone.now() + timedelta(days=POOL_LINK_DAYS),
                        ),
                    },
                ),
                reference=f"pool-invitation-{invitation_id}",
            )
        else:
            provider_id = _pool_invitation_email(invitation)
    except (TextNotSent, EmailNotSent) as error:
        ProjectInvitation.objects.filter(pk=invitation_id).update(
            sent_at=None, failed_at=timezone.now(), channel=channel, last_error=str(error)[:1000]
        )
        return False
    except Exception as error:
        # Unclaim, so that the task's retry can send it.
        ProjectInvitation.objects.filter(pk=invitation_id).update(
            sent_at=None, last_error=str(error)[:1000]
        )
        raise
    ProjectInvitation.objects.filter(pk=invitation_id).update(
        channel=channel, provider_id=provider_id, last_error=""
    )
    return True


# How long the short link in a text inviting someone from the pool works.
POOL_LINK_DAYS = 30


def _pool_invitation_email(invitation: ProjectInvitation) -> str:
    """Email the invitation; returns the provider's id for it, when it gives one."""
    person, project = invitation.person, invitation.project
    message = render_email(
        "pool-invitation",
        to=[person.email],
        context={
            "person": person,
            "project": project,
            "invitation_url": pool_invitation_url(invitation),
            "me_url": settings.COPROD_BASE_URL.rstrip("/") + reverse("pages:me"),
            "has_login": person.user is not None,
        },
    )
    message.send()
    return getattr(message, "provider_id", "")


def pool_invitations_withdraw(*, person: Person, when: datetime) -> int:
    """The person withdrew their involvement consent or was erased: none of their
    invitations to join a project is sent from now on, even if they agree again, nor
    listed for staff to phone. Returns how many were withdrawn."""
    return ProjectInvitation.objects.filter(person=person, withdrawn_at=None).update(
        withdrawn_at=when
    )


class PoolInvitationClosed(Exception):
    """The invitation can no longer be answered; `reason` is one of
    pool_invitation_problem's answers."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def pool_invitation_problem(invitation: ProjectInvitation) -> str | None:
    """Why the invitation can no longer be answered ("erased", "withdrawn", "archived" or
    "closed"), or None when it can."""
    person, project = invitation.person, invitation.project
    if person.erased_at is not None:
        return "erased"
    if invitation.withdrawn_at is not None or not person.involvement_consent_given:
        return "withdrawn"
    if project.is_archived:
        return "archived"
    if project.stage == Stage.CLOSED:
        return "closed"
    return None


def pool_invitation_answer(*, invitation: ProjectInvitation, answer: str) -> ProjectInvitation:
    """The person answers an invitation on its page, whether or not the project is open for
    sign-up. "Yes" makes them a member (interested, as signing up does, for staff to
    welcome from the roster); their involvement consent already stands. "Not now" is kept,
    and as nobody is invited to a project twice they are not asked about it again.

    Answering again changes nothing, except that someone who said "not now" may still say
    yes; a yes stands. Raises PoolInvitationClosed when it can no longer be answered."""
    if answer not in PoolAnswer.values:
        raise ValueError(f"Not an answer: {answer!r}")
    with transaction.atomic():
        invitation = (
            ProjectInvitation.objects.select_for_update(of=("self",))
            .select_related("person", "project")
            .get(pk=invitation.pk)
        )
        if problem := pool_invitation_problem(invitation):
            raise PoolInvitationClosed(problem)
        if invitation.answer in (PoolAnswer.YES, answer):
            return invitation
        invitation.answer, invitation.answered_at = answer, timezone.now()
        invitation.save(update_fields=["answer", "answered_at"])
        if answer == PoolAnswer.YES:
            membership_express_interest(person=invitation.person, project=invitation.project)
    return invitation
