"""How projects answers what happens to people (stakeholders.signals)."""

from django.dispatch import receiver

from projects.models import Membership, MembershipStatus
from stakeholders.signals import involvement_consent_withdrawn


@receiver(involvement_consent_withdrawn, dispatch_uid="projects_leave_on_withdrawal")
def leave_every_project(sender, *, person, when, **kwargs) -> None:
    """Without involvement consent a person leaves every project they were in."""
    Membership.objects.filter(person=person).exclude(status=MembershipStatus.LEFT).update(
        status=MembershipStatus.LEFT, left_at=when
    )
