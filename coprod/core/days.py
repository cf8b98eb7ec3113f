"""Days as pages write them, put together here: Django's date filter looks each day and month
name up in the translations (the site speaks only English), which costs tens of microseconds a
date and, over a page of rows, more than the rest of a row. Tests check these read exactly as
the date filter writes them."""

from datetime import date, datetime

from django.utils import timezone

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day_text(moment: date | datetime, *, short: bool = True, weekday: bool = False) -> str:
    """ "3 Dec 2026" (as {{ day|date:"j M Y" }}), or "3 December 2026" when not short, with
    the weekday in front when asked: "Thu 3 Dec 2026", "Thursday 3 December 2026". A date
    and time is written as its day in local time."""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    month = MONTHS[moment.month - 1]
    text = f"{moment.day} {month[:3] if short else month} {moment.year}"
    if weekday:
        name = DAYS[moment.weekday()]
        text = f"{name[:3] if short else name} {text}"
    return text
