"""Finance: approved payments and expense claims for a period, as CSV, then paid in bulk."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import AttendanceStatus, ClaimStatus, ExpenseClaim, Payment, PaymentStatus
from projects.selectors.payments import payment_reference, tax_year_of
from projects.services.meetings import attendance_record
from projects.services.payments import payment_approve, payment_policy_update
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db

FINANCE = "projects:finance"


def _approved_fee(personas, *, person=None, hours="2", days_ago=3) -> Payment:
    """A fee owed the real way and approved, owed `days_ago` days ago."""
    payment_policy_update(project=personas.project, fee_rate=Decimal("18.33"))
    meeting = MeetingFactory(project=personas.project, title="Planning the crisis line", past=True)
    attendance = attendance_record(
        meeting=meeting,
        person=person or personas.participant.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal(hours),
        recorded_by=personas.staff,
    )
    fee = Payment.objects.get(attendance=attendance)
    Payment.objects.filter(pk=fee.pk).update(owed_since=timezone.now() - timedelta(days=days_ago))
    return payment_approve(payment=fee, approved_by=personas.staff)


def _claim(personas, *, amount="6.80", status=ClaimStatus.APPROVED, days_ago=2, **fields):
    claim = ExpenseClaim.objects.create(
        person=fields.pop("person", personas.other_participant.person),
        project=personas.project,
        spent_on=timezone.localdate() - timedelta(days=days_ago),
        category="travel",
        amount=Decimal(amount),
        status=status,
        **fields,
    )
    ExpenseClaim.objects.filter(pk=claim.pk).update(
        submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return claim


def _period(days_back: int = 10) -> dict:
    today = timezone.localdate()
    return {
        "date_from": (today - timedelta(days=days_back)).isoformat(),
        "date_to": today.isoformat(),
    }


def _csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_finance_csv_lists_approved_payments_and_claims_with_the_columns_finance_needs(
    staff_client, personas
):
    fee = _approved_fee(personas, hours="2.5", days_ago=3)
    claim = _claim(personas, amount="6.80", days_ago=2)
    _claim(personas, status=ClaimStatus.SUBMITTED)
    _approved_fee(personas, person=PersonFactory(), days_ago=40)
    personas.other_participant.person.payment_method = "voucher"
    personas.other_participant.person.save()

    response = staff_client.get(reverse(FINANCE), {**_period(), "format": "csv"})

    assert "attachment;" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert list(rows[0].keys()) == [
        "name",
        "payee",
        "method",
        "amount",
        "project",
        "cost centre",
        "activity",
        "reference",
        "type",
        "date owed",
        "tax year",
        "account name",
        "sort code",
        "account number",
    ]
    no_bank_details = {"account name": "", "sort code": "", "account number": ""}
    assert rows == [
        {
            "name": personas.participant.person.full_name,
            "payee": personas.participant.person.full_name,
            "method": "Bank transfer",
            "amount": "45.83",
            "project": "Crisis support",
            "cost centre": "",
            "activity": fee.activity,
            "reference": payment_reference("fee", fee.public_id),
            "type": "fee",
            "date owed": timezone.localdate(fee.owed_since).isoformat(),
            "tax year": tax_year_of(timezone.localdate()),
            **no_bank_details,
        },
        {
            "name": personas.other_participant.person.full_name,
            "payee": personas.other_participant.person.full_name,
            "method": "Voucher",
            "amount": "6.80",
            "project": "Crisis support",
            "cost centre": "",
            "activity": f"Expenses: Travel (fares) ({claim.spent_on:%d %b %Y})",
            "reference": payment_reference("expense", claim.public_id),
            "type": "expense",
            "date owed": (timezone.localdate() - timedelta(days=2)).isoformat(),
            "tax year": tax_year_of(timezone.localdate()),
            **no_bank_details,
        },
    ]


def test_finance_csv_escapes_payment_values_a_spreadsheet_would_run(staff_client, personas):
    for name in ['=HYPERLINK("http://evil.example","x")', "+1 cmd", "-2+3", "@SUM(A1)"]:
        _claim(personas, person=PersonFactory(full_name=name))
    fee = _approved_fee(personas)
    Payment.objects.filter(pk=fee.pk).update(activity="=cmd|' /C calc'!A0")

    rows = _csv_rows(staff_client.get(reverse(FINANCE), {**_period(), "format": "csv"}))

    names = sorted(row["name"] for row in rows)
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert {"'+1 cmd", "'-2+3", "'@SUM(A1)"} <= set(names)
    assert "'=cmd|' /C calc'!A0" in [row["activity"] for row in rows]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@"))


def test_finance_page_shows_only_approved_payments_in_the_chosen_period(staff_client, personas):
    in_period = _approved_fee(personas, days_ago=3)
    too_old = _approved_fee(personas, person=PersonFactory(), days_ago=40)
    _claim(personas, status=ClaimStatus.PAID)

    response = staff_client.get(reverse(FINANCE), _period(10))

    shown = [row.public_id for row in response.context["rows"]]
    assert shown == [in_period.public_id]
    assert too_old.public_id not in shown
    assert response.context["summary"] == {"fees": 1, "claims": 0, "total": Decimal("36.66")}
    assert "£36.66" in response.content.decode()


def test_finance_page_for_payments_refuses_a_period_that_ends_before_it_starts(
    staff_client, personas
):
    today = timezone.localdate()
    response = staff_client.get(
        reverse(FINANCE),
        {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 200
    assert "Enter a date on or after the start of the period." in response.content.decode()


def test_the_finance_payment_list_runs_the_same_queries_for_few_and_many(staff_client, personas):
    def add(count: int) -> None:
        ExpenseClaim.objects.bulk_create(
            ExpenseClaim(
                person=personas.participant.person,
                project=personas.project,
                spent_on=timezone.localdate(),
                category="food",
                amount=Decimal("4.25"),
                status=ClaimStatus.APPROVED,
            )
            for _ in range(count)
        )

    add(3)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse(FINANCE), _period())
    add(400)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(reverse(FINANCE), _period())

    assert len(few) == len(many)
    assert len(response.context["rows"]) == 100
    assert response.context["summary"]["total"] == Decimal("1712.75")


def _bulk_post(rows, **fields) -> dict:
    return {
        **_period(),
        "paid_on": timezone.localdate().isoformat(),
        "reference": "",
        "item": [f"{kind}:{item.public_id}" for kind, item in rows],
        **fields,
    }


def test_bulk_marking_payments_paid_changes_only_approved_items_and_counts_them(
    staff_client, personas
):
    fee = _approved_fee(personas)
    claim = _claim(personas)
    owed = Payment.objects.create(
        person=personas.other_participant.person,
        project=personas.project,
        activity="Owed only",
        amount=Decimal("9.99"),
    )
    shown = staff_client.get(reverse(FINANCE), _period())
    assert [row.public_id for row in shown.context["rows"]] == [fee.public_id, claim.public_id]

    response = staff_client.post(
        reverse(FINANCE),
        _bulk_post(
            [("fee", fee), ("expense", claim)],
            reference="RUN-2026-03",
            **{f"reference-{claim.public_id}": "VOUCHER-77"},
        ),
        follow=True,
    )

    assert any(message.startswith("Marked 2 payments as paid.") for message in _messages(response))
    fee.refresh_from_db()
    claim.refresh_from_db()
    owed.refresh_from_db()
    assert (fee.status, fee.reference, fee.paid_on) == (
        PaymentStatus.PAID,
        "RUN-2026-03",
        timezone.localdate(),
    )
    assert (claim.status, claim.reference) == (ClaimStatus.PAID, "VOUCHER-77")
    assert owed.status == PaymentStatus.OWED
    assert fee.history.latest().history_user == personas.staff
    assert response.context["rows"] == []


def test_bulk_marking_payments_paid_is_all_or_nothing(staff_client, personas):
    first = _approved_fee(personas)
    second = _approved_fee(personas, person=PersonFactory())
    claim = _claim(personas)

    response = staff_client.post(
        reverse(FINANCE),
        _bulk_post(
            [("fee", first), ("fee", second), ("expense", claim)],
            **{
                f"reference-{first.public_id}": "A-1",
                f"reference-{claim.public_id}": "C-1",
            },
        ),
        follow=True,
    )

    assert any(
        message.startswith("Nothing was marked as paid.") and "payment reference" in message
        for message in _messages(response)
    )
    for item in (first, second, claim):
        item.refresh_from_db()
    assert (first.status, second.status) == (PaymentStatus.APPROVED, PaymentStatus.APPROVED)
    assert first.reference == ""
    assert claim.status == ClaimStatus.APPROVED


def test_bulk_marking_payments_paid_refuses_a_list_with_an_item_no_longer_approved(
    staff_client, personas
):
    fee = _approved_fee(personas)
    claim = _claim(personas)
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PAID, reference="EARLY")

    response = staff_client.post(
        reverse(FINANCE),
        _bulk_post([("fee", fee), ("expense", claim)], reference="RUN-1"),
        follow=True,
    )

    assert any("no longer approved" in message for message in _messages(response))
    fee.refresh_from_db()
    claim.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED
    assert claim.reference == "EARLY"


def test_bulk_marking_payments_paid_refuses_a_date_in_the_future(staff_client, personas):
    fee = _approved_fee(personas)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = staff_client.post(
        reverse(FINANCE), _bulk_post([("fee", fee)], reference="R", paid_on=tomorrow)
    )

    assert response.status_code == 200
    assert "Enter today&#x27;s date or an earlier one." in response.content.decode()
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED


def test_finance_payment_page_is_for_staff_only(client, personas):
    fee = _approved_fee(personas)
    for user in (personas.participant, personas.commissioner):
        client.force_login(user)
        assert client.get(reverse(FINANCE), {"format": "csv"}).status_code == 403
        assert (
            client.post(reverse(FINANCE), _bulk_post([("fee", fee)], reference="R")).status_code
            == 403
        )
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED
