from django.utils import timezone

from projects.models import (
    Meeting,
    Project,
)


def next_meeting_of(project: Project) -> Meeting | None:
    """The project's next meeting not cancelled, for someone deciding whether to join."""
    return (
        Meeting.objects.filter(project=project, cancelled_at=None, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
