"""Days written without Django's date filter read exactly as the filter writes them."""

from datetime import UTC, date, datetime

from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from coprod.core.days import day_text


def test_every_day_of_a_leap_year_reads_as_the_date_filter_writes_it():
    day = date(2028, 1, 1)
    while day.year == 2028:
        assert day_text(day) == date_filter(day, "j M Y")
        assert day_text(day, short=False) == date_filter(day, "j F Y")
        assert day_text(day, weekday=True) == date_filter(day, "D j M Y")
        assert day_text(day, short=False, weekday=True) == date_filter(day, "l j F Y")
        day = date.fromordinal(day.toordinal() + 1)


def test_a_date_and_time_is_written_as_its_day_in_local_time():
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert day_text(moment) == "1 Jul 2026"
    assert day_text(moment) == date_filter(timezone.localtime(moment), "j M Y")
