"""Keeping the count of fees paid in each quarter by the days they waited from the meeting
(FeeWaitCount), for the dashboard's chart of days from attending to being paid.

A fee saved as paid is added by the receiver in projects.signals: Payment.save refuses to
change a paid fee, so a save that leaves it paid is the one that paid it, wherever it
comes from. Writes that send no signal (undoing a payment run) and moving a meeting whose
fees were paid call `fee_waits_change` themselves.
"""

from collections import Counter
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import TruncDate, TruncQuarter
from django.utils import timezone

from projects.models import Attendance, FeeWaitCount, Payment, PaymentKind, PaymentStatus


def fee_waits_counted(payments: QuerySet[Payment] | None = None) -> Counter[tuple[date, int]]:
    """(first day of the quarter paid in, days waited) -> fees paid, counted from the
    payments themselves (all, or these): one query, whose rows are one per quarter and
    number of days, never one per payment. A fee paid before its meeting waited 0 days."""
    paid = (Payment.objects.all() if payments is None else payments).filter(
        kind=PaymentKind.FEE, status=PaymentStatus.PAID, attendance__isnull=False
    )
    rows = (
        paid.annotate(
            quarter=TruncQuarter("paid_on"),
            wait=ExpressionWrapper(
                F("paid_on") - TruncDate("attendance__meeting__starts_at"),
                output_field=DurationField(),
            ),
        )
        .values("quarter", "wait")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counted: Counter[tuple[date, int]] = Counter()
    for row in rows:
        counted[(row["quarter"], max(row["wait"].days, 0))] += row["count"]
    return counted


def fee_waits_change(*, payments: QuerySet[Payment], by: int) -> None:
    """Add these payments' paid fees to the kept counts (by=1, once they are paid) or take
    them away (by=-1, while they are still paid, before they are unpaid)."""
    for (quarter, days), fees in fee_waits_counted(payments).items():
        _change(quarter, days, fees * by)


def fee_wait_change_one(*, payment: Payment, by: int) -> None:
    """The same for one payment, from its own fields: it may be deleted already."""
    if not (
        payment.kind == PaymentKind.FEE
        and payment.status == PaymentStatus.PAID
        and payment.attendance_id
    ):
        return
    starts_at = Attendance.objects.values_list("meeting__starts_at", flat=True).get(
        pk=payment.attendance_id
    )
    paid_on = payment.paid_on
    if isinstance(paid_on, str):
        paid_on = date.fromisoformat(paid_on)
    days = max((paid_on - timezone.localdate(starts_at)).days, 0)
    quarter = date(paid_on.year, (paid_on.month - 1) // 3 * 3 + 1, 1)
    _change(quarter, days, by)


def _change(quarter: date, days: int, change: int) -> None:
    # An update that adds to the stored figure, so transactions paying fees at the same
    # time each add their own.
    kept = FeeWaitCount.objects.filter(quarter=quarter, days=days)
    if kept.update(fees=F("fees") + change) or change < 0:
        return
    try:
        with transaction.atomic():
            FeeWaitCount.objects.create(quarter=quarter, days=days, fees=change)
    except IntegrityError:
        # Another transaction made the row a moment ago.
        kept.update(fees=F("fees") + change)


def fee_waits_recount_all() -> None:
    """Count every paid fee again: after fees were made in bulk (the demo data), after the
    migration that adds the counts, or to put them right."""
    with transaction.atomic():
        FeeWaitCount.objects.all().delete()
        FeeWaitCount.objects.bulk_create(
            FeeWaitCount(quarter=quarter, days=days, fees=fees)
            for (quarter, days), fees in fee_waits_counted().items()
        )
