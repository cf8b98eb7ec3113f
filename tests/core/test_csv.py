from datetime import date
from decimal import Decimal

import pytest

from coprod.core.csv import csv_safe


@pytest.mark.parametrize("text", ["=1+1", "+44 call us", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised(text):
    assert csv_safe(text) == f"'{text}"


def test_anything_written_as_text_is_checked_not_only_strings():
    class Name:
        def __str__(self) -> str:
            return '=HYPERLINK("http://evil.example")'

    assert csv_safe(Name()) == '\'=HYPERLINK("http://evil.example")'


def test_ordinary_text_is_left_alone():
    assert csv_safe("Pat Smith") == "Pat Smith"
    assert csv_safe("a-b = c") == "a-b = c"


@pytest.mark.parametrize("value", [-10, Decimal("-10.00"), 2.5, date(2026, 4, 1)])
def test_numbers_and_dates_are_written_as_they_are(value):
    assert csv_safe(value) == value


def test_none_is_an_empty_cell():
    assert csv_safe(None) == ""
