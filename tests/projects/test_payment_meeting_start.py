"""Each fee keeps the start of the meeting it is for (the day its project's target for paying
runs from), so that the fees past their target are found from the fees unpaid alone: it is
right after every write that makes a fee or moves its meeting, and the backfill sets it on
the fees made before."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import F
from django.utils import timezone

from projects.models import AttendanceStatus, Payment
from projects.selectors.payments import fees_past_target
from projects.services.meetings import attendance_record, meeting_update
from projects.services.payments import payment_policy_update
from tests.factories.meetings import MeetingFactory

pytestmark = pytest.mark.django_db


def _wrong() -> list[Payment]:
    """Fees whose kept start is not their meeting's start now."""
    return list(
        Payment.objects.filter(attendance__isnull=False).exclude(
            meeting_starts_at=F("attendance__meeting__starts_at")
        )
    )


def _fee(personas, meeting) -> Payment:
    attendance = attendance_record(
        meeting=meeting,
        person=personas.participant.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )
    return Payment.objects.get(attendance=attendance)


@pytest.fixture
def paying(personas):
    payment_policy_update(project=personas.project, fee_rate=Decimal("20.00"))
    return personas


def test_a_fee_made_from_attendance_keeps_its_meetings_start(paying):
    meeting = MeetingFactory(project=paying.project, past=True)

    fee = _fee(paying, meeting)

    assert fee.meeting_starts_at == meeting.starts_at
    assert _wrong() == []


def test_moving_a_meeting_moves_the_start_its_fees_keep_and_whether_they_are_late(paying):
    target = paying.project.payment_target_days
    meeting = MeetingFactory(project=paying.project, past=True)
    fee = _fee(paying, meeting)
    assert fee not in fees_past_target()

    earlier = timezone.now() - timedelta(days=target + 3)
    meeting_update(meeting=meeting, starts_at=earlier, ends_at=earlier + timedelta(hours=2))

    fee.refresh_from_db()
    meeting.refresh_from_db()
    assert fee.meeting_starts_at == meeting.starts_at < timezone.now() - timedelta(days=target)
    assert _wrong() == []
    assert list(fees_past_target()) == [fee]


def test_the_backfill_gives_fees_made_before_it_their_meetings_start(paying):
    meeting = MeetingFactory(project=paying.project, past=True)
    fee = _fee(paying, meeting)
    Payment.objects.filter(pk=fee.pk).update(meeting_starts_at=None)

    backfill = importlib.import_module("projects.migrations.0019_payment_meeting_starts_at")
    backfill.copy_meeting_starts(apps, None)

    assert _wrong() == []
