from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from coprod.core.emails import send_email
from coprod.core.queue import task_delay
from projects.models import (
    Membership,
    MembershipStatus,
    Project,
    ProjectInvitation,
)
from stakeholders.models import Person, User


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
        sent_at=None, withdrawn_at=None, created_at__lt=timezone.now() - older_than
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
    """Email one pool invitation, at most once however often it is called or retried.

    Returns whether an email went. The invitation is claimed first so that two workers
    can never both send it. Someone with no email address is left claimed and unsent:
    the finder lists them for staff to phone. A withdrawn invitation is never sent.
    """
    claimed = ProjectInvitation.objects.filter(
        pk=invitation_id, sent_at=None, withdrawn_at=None
    ).update(sent_at=timezone.now())
    if not claimed:
        return False
    invitation = ProjectInvitation.objects.select_related("project", "person__user").get(
        pk=invitation_id
    )
    person, project = invitation.person, invitation.project
    if not person.email or not (person.in_pool and person.may_be_contacted):
        return False
    join_path = reverse("projects:join", kwargs={"slug": project.slug})
    try:
        send_email(
            "pool-invitation",
            to=[person.email],
            context={
                "person": person,
                "project": project,
                "join_url": settings.COPROD_BASE_URL.rstrip("/") + join_path,
                "me_url": settings.COPROD_BASE_URL.rstrip("/") + reverse("pages:me"),
                "has_login": person.user is not None,
            },
        )
    except Exception:
        # Unclaim, so that the task's retry can send it.
        ProjectInvitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True


def pool_invitations_withdraw(*, person: Person, when: datetime) -> int:
    """The person withdrew their involvement consent or was erased: none of their
    invitations to join a project is sent from now on, even if they agree again, nor
    listed for staff to phone. Returns how many were withdrawn."""
    return ProjectInvitation.objects.filter(person=person, withdrawn_at=None).update(
        withdrawn_at=when
    )
