"""The fees ledger's rows as projects/views/ledger_rows.py puts them together: every value
people typed is escaped in every part of the row that shows it, whatever state the fee is
in, and each link carries the row's id."""

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from projects.models import PaymentKind, PaymentStatus, Project
from projects.selectors.payments import LedgerFee
from projects.views.ledger_rows import fee_rows
from stakeholders.models import PaymentMethod

NAME = '<b>Bea</b> & "Bo" O\'Brien'
ACTIVITY = "<i>Group</i> & co's session"
REASON = "<script>alert('no')</script>"
REFERENCE = '<ref> & "more"'


def _row(**fields) -> LedgerFee:
    values = {
        "pk": 1,
        "public_id": uuid.uuid4(),
        "kind": PaymentKind.FEE,
        "person_id": 1,
        "activity": ACTIVITY,
        "amount": Decimal("20.00"),
        "method": PaymentMethod.BANK_TRANSFER,
        "status": PaymentStatus.OWED,
        "reason": "",
        "owed_since": datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
        "meeting_starts_at": None,
        "offered_on": None,
        "paid_on": None,
        "reference": "",
        "choice": "",
        "reversal_id": None,
        "person_public_id": uuid.uuid4(),
        "person_name": NAME,
        "receives_benefits": False,
        "bank_sort_code": None,
        "bank_account_number": None,
        "benefits": None,
        "most_earned_in_a_tax_year": None,
        "lowest_trading_allowance": None,
    }
    return LedgerFee(**{**values, **fields})


# Each state of a fee, and how many parts of its row name the person: the row's heading and
# the hidden words of its History link, and the hidden words of each action.
STATES = {
    "owed": ({}, 4),
    "owed, reason given": ({"reason": REASON}, 4),
    "approved, bank details": (
        {
            "status": PaymentStatus.APPROVED,
            "bank_sort_code": "112233",
            "bank_account_number": "44556677",
        },
        4,
    ),
    "approved, voucher": (
        {"status": PaymentStatus.APPROVED, "method": PaymentMethod.VOUCHER},
        4,
    ),
    "approved, no way to pay chosen": ({"status": PaymentStatus.APPROVED, "method": ""}, 4),
    "paid": (
        {"status": PaymentStatus.PAID, "paid_on": date(2026, 7, 3), "reference": REFERENCE},
        3,
    ),
    "paid, reversed": (
        {
            "status": PaymentStatus.PAID,
            "paid_on": date(2026, 7, 3),
            "reference": REFERENCE,
            "reversal_id": 2,
        },
        2,
    ),
    "reversal": (
        {
            "kind": PaymentKind.REVERSAL,
            "status": PaymentStatus.PAID,
            "paid_on": date(2026, 7, 4),
            "reason": REASON,
        },
        2,
    ),
    "declined": ({"status": PaymentStatus.DECLINED, "reason": REASON}, 2),
    "cancelled": ({"status": PaymentStatus.CANCELLED, "reason": REASON}, 2),
}


@pytest.mark.parametrize("state", STATES)
def test_a_fee_row_escapes_what_people_typed_in_every_part_that_shows_it(state):
    fields, names_shown = STATES[state]
    fee = _row(**fields)
    project = Project(slug="crisis-support")

    (row,) = fee_rows(
        project, [fee], effects={}, post_fields="<post & fields>", today_iso="2026-07-05"
    )

    for typed in ("<b>", "<i>", "<script>", "<ref>", "<post"):
        assert typed not in row
    assert row.count(escape(NAME)) == names_shown
    assert f"{escape(ACTIVITY)}</a>" in row
    if fee.reason:
        assert escape(REASON) in row
    if fee.reference:
        assert f"reference {escape(REFERENCE)}" in row
    # Every form posts the hidden fields, escaped as given.
    assert row.count("&lt;post &amp; fields&gt;") == row.count("<form")
    detail = reverse("projects:payment", args=[project.slug, fee.public_id])
    assert row.count(f'href="{detail}"') == 2
    actions = {
        reverse(f"projects:{name}", args=[project.slug, fee.public_id])
        for name in ("payment_approve", "payment_paid", "payment_decline", "payment_reverse")
    }
    assert set(re.findall(r'action="([^"]+)"', row)) <= actions


def test_a_fee_row_shows_its_day_owed_in_uk_time():
    # 23:30 UTC on 30 June is half past midnight on 1 July in London (summer time).
    (row,) = fee_rows(
        Project(slug="crisis-support"), [_row()], effects={}, post_fields="", today_iso=""
    )

    assert "<td>1 Jul 2026</td>" in row


def test_a_fee_approved_for_bank_transfer_shows_only_the_end_of_the_account():
    fee = _row(
        status=PaymentStatus.APPROVED, bank_sort_code="112233", bank_account_number="44556677"
    )

    (row,) = fee_rows(
        Project(slug="crisis-support"), [fee], effects={}, post_fields="", today_iso=""
    )

    assert "account ••••6677" in row and "44556677" not in row and "112233" not in row
