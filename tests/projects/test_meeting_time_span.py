"""time_span writes dates itself rather than through dateformat.format(), which is slow:
these prove it writes them exactly as dateformat would, at every hour and minute and on
every day of a year, in UK time across both clock changes."""

from datetime import UTC, datetime, timedelta

from django.utils import dateformat, timezone

from projects.models.meetings import time_span


def _as_dateformat_writes_it(starts_at, ends_at, *, short: bool) -> str:
    """time_span as it was written with dateformat.format()."""
    starts, ends = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = "D j M Y" if short else "l j F Y"

    def clock(moment) -> str:
        return dateformat.format(moment, "g:i A").lower()

    start = f"{dateformat.format(starts, day)}, {clock(starts)}"
    if starts.date() == ends.date():
        return f"{start} to {clock(ends)}"
    return f"{start} to {dateformat.format(ends, day)}, {clock(ends)}"


def test_it_writes_every_time_of_day_as_dateformat_does():
    midnight = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)  # 00:00 in London (summer time)
    for minutes in range(0, 24 * 60, 7):
        starts = midnight + timedelta(minutes=minutes)
        for length in (timedelta(minutes=30), timedelta(hours=3), timedelta(days=1, hours=2)):
            for short in (False, True):
                assert time_span(starts, starts + length, short=short) == (
                    _as_dateformat_writes_it(starts, starts + length, short=short)
                )


def test_it_writes_every_day_of_a_year_as_dateformat_does():
    first = datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    for days in range(366):
        starts = first + timedelta(days=days)
        for short in (False, True):
            assert time_span(starts, starts + timedelta(hours=2), short=short) == (
                _as_dateformat_writes_it(starts, starts + timedelta(hours=2), short=short)
            )


def test_it_reads_as_the_design_says():
    starts = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
    assert time_span(starts, starts + timedelta(hours=6)) == (
        "Monday 3 March 2025, 10:00 am to 4:00 pm"
    )
    assert time_span(starts, starts + timedelta(hours=6), short=True) == (
        "Mon 3 Mar 2025, 10:00 am to 4:00 pm"
    )
