"""Cells for CSV files that people open in a spreadsheet."""

from datetime import date
from decimal import Decimal

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A cell a spreadsheet shows as it is and never runs as a formula.

    Anything written as text that starts like a formula gets a leading apostrophe. Numbers,
    a negative one included, and dates are written as they are: the code makes them, so they
    cannot carry a formula. None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal | date):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
