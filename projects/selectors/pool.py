from collections.abc import Iterable

from django.utils import timezone

from projects.models import (
    Meeting,
    Membership,
    MembershipStatus,
    Project,
    ProjectInvitation,
    Stage,
)
from projects.pool_links import pool_invitation_path
from stakeholders.models import Person

MY_POOL_INVITATIONS_LIMIT = 10


def pool_invitations_waiting_for(
    person: Person, memberships: Iterable[Membership]
) -> list[ProjectInvitation]:
    """The person's own invitations to join a project that still wait for their answer,
    newest first, each with the address of its page (`page_url`): none withdrawn,
    answered, for a project that has ended, or for one they already take part in (by
    `memberships`, all of theirs, which their page has read already). One query whatever
    the number."""
    taking_part = [
        membership.project_id
        for membership in memberships
        if membership.status in (MembershipStatus.ACTIVE, MembershipStatus.INTERESTED)
    ]
    invitations = list(
        ProjectInvitation.objects.filter(
            person=person, answer="", withdrawn_at=None, project__archived_at=None
        )
        .exclude(project__stage=Stage.CLOSED)
        .exclude(project_id__in=taking_part)
        .select_related("project")
        # What /me/ shows of each, and the public id its link is signed with.
        .only("public_id", "project__name", "project__summary")
        .order_by("-created_at", "-pk")[:MY_POOL_INVITATIONS_LIMIT]
    )
    for invitation in invitations:
        invitation.page_url = pool_invitation_path(invitation)
    return invitations


def next_meeting_of(project: Project) -> Meeting | None:
    """The project's next meeting not cancelled, for someone deciding whether to join."""
    return (
        Meeting.objects.filter(project=project, cancelled_at=None, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
