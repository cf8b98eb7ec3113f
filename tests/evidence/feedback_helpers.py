"""Meetings that are over, people who came to them, and what they said."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from evidence.models import MeetingFeedback
from projects.models import Attendance, AttendanceStatus
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import PersonFactory


def past_meeting(*, days_ago: float = 1, **fields):
    """A two-hour meeting that ended `days_ago` days ago."""
    ends_at = timezone.now() - timedelta(days=days_ago)
    return MeetingFactory(starts_at=ends_at - timedelta(hours=2), ends_at=ends_at, **fields)


def came(meeting, person=None, *, status=AttendanceStatus.ATTENDED):
    person = person or PersonFactory()
    Attendance.objects.create(
        meeting=meeting,
        person=person,
        status=status,
        hours=Decimal("2") if status == AttendanceStatus.ATTENDED else Decimal("0"),
        stakeholder_group=person.stakeholder_group,
    )
    return person


def said(meeting, person=None, *, listened=None, influence=None, accessible=None, comment=""):
    """`person` (someone new if not given) came to `meeting` and answered."""
    person = came(meeting, person)
    return MeetingFeedback.objects.create(
        meeting=meeting,
        person=person,
        listened=listened,
        influence=influence,
        accessible=accessible,
        comment=comment,
    )
