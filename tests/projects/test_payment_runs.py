"""The finance export's payee, reference, cost centre and tax year, and payment runs:
approved fees and claims marked paid in one step, one file per run, undone in one step."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    AttendanceStatus,
    ClaimStatus,
    ExpenseClaim,
    FeeChoice,
    Payment,
    PaymentRun,
    PaymentStatus,
)
from projects.selectors.payments import payment_reference, tax_year_of
from projects.services.meetings import attendance_record
from projects.services.payments import (
    PaymentError,
    bank_details_save,
    payment_approve,
    payment_choose,
    payment_policy_update,
    payment_reverse,
    payment_run_undo,
    payments_mark_paid_in_bulk,
)
from tests.factories.meetings import MeetingFactory

pytestmark = pytest.mark.django_db

FINANCE = "projects:finance"


def _approved_fee(personas, *, charity: str = "") -> Payment:
    payment_policy_update(project=personas.project, fee_rate=Decimal("20.00"))
    meeting = MeetingFactory(project=personas.project, title="Planning the crisis line", past=True)
    attendance = attendance_record(
        meeting=meeting,
        person=personas.participant.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )
    fee = Payment.objects.get(attendance=attendance)
    if charity:
        payment_choose(
            payment=fee, choice=FeeChoice.CHARITY, charity_name=charity, made_by=personas.staff
        )
    return payment_approve(payment=fee, approved_by=personas.staff)


def _approved_claim(personas) -> ExpenseClaim:
    return ExpenseClaim.objects.create(
        person=personas.other_participant.person,
        project=personas.project,
        spent_on=timezone.localdate(),
        category="travel",
        amount=Decimal("6.80"),
        status=ClaimStatus.APPROVED,
    )


def _with_bank_details(personas) -> None:
    bank_details_save(
        person=personas.participant.person,
        account_name="P Participant",
        sort_code="112233",
        account_number="12345678",
        recorded_by=personas.staff,
    )


def _csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _period() -> dict:
    today = timezone.localdate()
    return {"date_from": (today - timedelta(days=10)).isoformat(), "date_to": today.isoformat()}


@pytest.mark.parametrize(
    ("day", "tax_year"),
    [
        (date(2026, 4, 5), "2025-26"),
        (date(2026, 4, 6), "2026-27"),
        (date(2027, 1, 1), "2026-27"),
        (date(2099, 12, 31), "2099-00"),
    ],
)
def test_the_uk_tax_year_runs_from_6_april_to_5_april(day, tax_year):
    assert tax_year_of(day) == tax_year


def test_a_fee_given_to_a_charity_is_paid_to_the_charity_never_to_the_persons_account(
    staff_client, personas
):
    _with_bank_details(personas)
    personas.project.cost_centre = "CC-1042"
    personas.project.save(update_fields=["cost_centre"])
    own = _approved_fee(personas)
    given = _approved_fee(personas, charity="Mind")

    rows = _csv_rows(staff_client.get(reverse(FINANCE), {**_period(), "format": "csv"}))

    by_reference = {row["reference"]: row for row in rows}
    mine = by_reference[payment_reference("fee", own.public_id)]
    theirs = by_reference[payment_reference("fee", given.public_id)]
    assert (mine["payee"], mine["account number"]) == ("Pat Participant", "12345678")
    assert (theirs["payee"], theirs["name"]) == ("Mind", "Pat Participant")
    assert (theirs["account name"], theirs["sort code"], theirs["account number"]) == ("", "", "")
    assert {row["cost centre"] for row in rows} == {"CC-1042"}


def test_marking_paid_makes_one_payment_run_with_who_when_and_which(staff_client, personas):
    _with_bank_details(personas)
    fee = _approved_fee(personas)
    claim = _approved_claim(personas)

    response = staff_client.post(
        reverse(FINANCE),
        {
            **_period(),
            "paid_on": timezone.localdate().isoformat(),
            "reference": "RUN-7",
            "item": [f"fee:{fee.public_id}", f"expense:{claim.public_id}"],
        },
        follow=True,
    )

    run = PaymentRun.objects.get()
    assert (run.made_by, run.item_count, run.total) == (personas.staff, 2, Decimal("46.80"))
    assert set(run.fees.all()) == {fee} and set(run.claims.all()) == {claim}
    assert reverse("projects:payment_run", args=[run.public_id]) in response.content.decode()

    rows = _csv_rows(
        staff_client.get(reverse("projects:payment_run", args=[run.public_id]), {"format": "csv"})
    )
    assert [row["reference"] for row in rows] == [
        payment_reference("fee", fee.public_id),
        payment_reference("expense", claim.public_id),
    ]
    assert rows[0]["account number"] == "12345678"
    assert rows[0]["tax year"] == tax_year_of(timezone.localdate())


def test_undoing_a_run_puts_every_item_back_to_approved_in_one_step(staff_client, personas):
    fee = _approved_fee(personas)
    claim = _approved_claim(personas)
    run = payments_mark_paid_in_bulk(
        items=[(fee, "RUN-7"), (claim, "RUN-7")],
        paid_on=timezone.localdate(),
        made_by=personas.staff,
    )

    response = staff_client.post(
        reverse("projects:payment_run_undo", args=[run.public_id]), follow=True
    )

    assert "The payment run is undone: its 2 items are approved again" in (
        response.content.decode()
    )
    fee.refresh_from_db()
    claim.refresh_from_db()
    run.refresh_from_db()
    assert (fee.status, fee.paid_on, fee.reference, fee.payment_run) == ("approved", None, "", None)
    assert (claim.status, claim.paid_on, claim.reference) == ("approved", None, "")
    assert run.undone_by == personas.staff and run.undone_at is not None
    assert fee.history.latest().history_user == personas.staff
    # Approved again, so they can be paid in a new run.
    again = payments_mark_paid_in_bulk(
        items=[(fee, "RUN-8")], paid_on=timezone.localdate(), made_by=personas.staff
    )
    assert again.item_count == 1


def test_a_run_is_undone_once_only(personas):
    run = payments_mark_paid_in_bulk(
        items=[(_approved_fee(personas), "R")], paid_on=timezone.localdate(), made_by=personas.staff
    )
    payment_run_undo(run=run, undone_by=personas.staff)

    with pytest.raises(PaymentError, match="already been undone"):
        payment_run_undo(run=run, undone_by=personas.staff)


def test_a_run_with_a_reversed_fee_cannot_be_undone_and_nothing_changes(staff_client, personas):
    fee = _approved_fee(personas)
    other = _approved_claim(personas)
    run = payments_mark_paid_in_bulk(
        items=[(fee, "R"), (other, "R")], paid_on=timezone.localdate(), made_by=personas.staff
    )
    payment_reverse(payment=fee, reason="Paid twice", reversed_by=personas.staff)

    response = staff_client.post(
        reverse("projects:payment_run_undo", args=[run.public_id]), follow=True
    )

    assert "cannot be undone: a fee in it has been reversed" in response.content.decode()
    fee.refresh_from_db()
    other.refresh_from_db()
    run.refresh_from_db()
    assert fee.status == PaymentStatus.PAID and other.status == ClaimStatus.PAID
    assert run.undone_at is None
