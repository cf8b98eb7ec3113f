"""The written offer for each fee and the person's choice about it: the full amount, a
lower amount, paid to a charity, or not paid; made online by them on /me/payments/ or
recorded by staff on their behalf from the fee's page."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.models import FeeBasis, FeeChoice, Payment, PaymentStatus
from projects.services.meetings import attendance_record
from projects.services.payments import (
    ChoiceError,
    payment_approve,
    payment_choose,
    payment_policy_for,
)
from stakeholders.models import PaymentMethod
from tests.factories.meetings import MeetingFactory

pytestmark = pytest.mark.django_db


def _fee_from_attendance(personas, *, hours="2", rate="15.00") -> Payment:
    policy = payment_policy_for(personas.project)
    policy.fee_rate = Decimal(rate)
    policy.fee_basis = FeeBasis.PER_HOUR
    policy.save()
    person = personas.participant.person
    person.payment_method = PaymentMethod.BANK_TRANSFER
    person.save(update_fields=["payment_method"])
    meeting = MeetingFactory(
        project=personas.project,
        title="Menu tasting",
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    attendance_record(
        meeting=meeting,
        person=person,
        status="attended",
        hours=Decimal(hours),
        recorded_by=personas.staff,
    )
    return Payment.objects.get(attendance__meeting=meeting)


def _choose_url(payment: Payment) -> str:
    return reverse("projects:payment_choose_mine", args=[payment.public_id])


def _staff_choose_url(payment: Payment) -> str:
    return reverse("projects:payment_choose", args=[payment.project.slug, payment.public_id])


def _text(html: str) -> str:
    """The page's words, without tags or runs of spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_fee_from_attendance_keeps_the_written_offer(personas):
    payment = _fee_from_attendance(personas, hours="2", rate="15.00")

    assert payment.activity.startswith("Menu tasting, ")
    assert payment.offer_basis == FeeBasis.PER_HOUR
    assert payment.offer_amount == Decimal("30.00") == payment.amount
    assert payment.offered_on == timezone.localdate()
    assert payment.choice == ""


def test_the_person_chooses_a_lower_amount_online_and_it_is_what_is_paid(
    participant_client, personas
):
    payment = _fee_from_attendance(personas)

    response = participant_client.post(
        _choose_url(payment), {"choice": "lower", "amount": "£12.50"}, follow=True
    )

    payment.refresh_from_db()
    assert payment.choice == FeeChoice.LOWER
    assert payment.amount == Decimal("12.50")
    assert payment.offer_amount == Decimal("30.00")
    assert payment.choice_made_by == personas.participant
    assert not payment.choice_made_for_them
    assert payment.choice_made_at is not None
    assert payment.status == PaymentStatus.OWED
    assert "You will be paid £12.50 for Menu tasting" in response.content.decode()


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({}, "choice", "Choose what you would like to happen to this payment."),
        ({"choice": "maybe"}, "choice", "Choose what you would like to happen to this payment."),
        ({"choice": "lower", "amount": ""}, "amount", "Enter the amount you would like"),
        ({"choice": "lower", "amount": "lots"}, "amount", "Enter an amount in pounds"),
        ({"choice": "lower", "amount": "0"}, "amount", "Enter an amount from £0.01"),
        ({"choice": "lower", "amount": "-5"}, "amount", "Enter an amount from £0.01"),
        ({"choice": "lower", "amount": "3.333"}, "amount", "Enter pounds and pence only"),
        ({"choice": "lower", "amount": "30.00"}, "amount", "less than the £30.00 offered"),
        ({"choice": "lower", "amount": "30.01"}, "amount", "less than the £30.00 offered"),
        ({"choice": "charity", "charity_name": "  "}, "charity_name", "Enter the name of"),
    ],
)
def test_a_bad_choice_gets_a_clear_message_beside_its_question_and_changes_nothing(
    participant_client, personas, posted, field, message
):
    payment = _fee_from_attendance(personas)

    response = participant_client.post(_choose_url(payment), posted)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}-error"' in html or f'id="id_{field}_0"' in html
    # What was typed is still there to correct.
    if posted.get("amount"):
        assert f'value="{posted["amount"]}"' in html
    payment.refresh_from_db()
    assert (payment.choice, payment.amount, payment.status) == ("", Decimal("30.00"), "owed")


def test_one_penny_under_the_offer_is_a_lower_amount(personas):
    payment = _fee_from_attendance(personas)

    payment_choose(
        payment=payment, choice=FeeChoice.LOWER, amount=Decimal("29.99"), made_by=personas.staff
    )

    payment.refresh_from_db()
    assert payment.amount == Decimal("29.99")


def test_a_box_left_filled_from_another_answer_is_ignored(participant_client, personas):
    payment = _fee_from_attendance(personas)

    participant_client.post(
        _choose_url(payment), {"choice": "full", "amount": "nonsense", "charity_name": "Mind"}
    )

    payment.refresh_from_db()
    assert (payment.choice, payment.amount, payment.charity_name) == ("full", Decimal("30"), "")


def test_paid_to_a_charity_makes_the_charity_the_payee(participant_client, personas):
    payment = _fee_from_attendance(personas)

    participant_client.post(_choose_url(payment), {"choice": "charity", "charity_name": " Mind "})

    payment.refresh_from_db()
    assert payment.choice == FeeChoice.CHARITY
    assert payment.charity_name == "Mind"
    assert payment.amount == Decimal("30.00")
    assert payment.payee == "Mind"


def test_declining_declines_the_fee_with_the_reason(participant_client, personas):
    payment = _fee_from_attendance(personas)

    participant_client.post(_choose_url(payment), {"choice": "decline"})

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.DECLINED
    assert payment.reason == "Declined by the person."
    assert payment.choice == FeeChoice.DECLINE


def test_staff_record_the_choice_on_the_persons_behalf(staff_client, personas):
    payment = _fee_from_attendance(personas)

    response = staff_client.post(
        _staff_choose_url(payment), {"choice": "lower", "amount": "10"}, follow=True
    )

    payment.refresh_from_db()
    assert payment.amount == Decimal("10.00")
    assert payment.choice_made_by == personas.staff
    assert payment.choice_made_for_them
    assert "Pat Participant will be paid £10.00" in response.content.decode()


def test_no_choice_can_be_changed_once_the_fee_is_approved(participant_client, personas):
    payment = _fee_from_attendance(personas)
    payment_approve(payment=payment, approved_by=personas.staff)

    response = participant_client.post(
        _choose_url(payment), {"choice": "lower", "amount": "5"}, follow=True
    )

    assert "This payment is approved, so the choice can no longer be changed" in (
        response.content.decode()
    )
    with pytest.raises(ChoiceError):
        payment_choose(
            payment=payment, choice=FeeChoice.LOWER, amount=Decimal("5"), made_by=personas.staff
        )
    payment.refresh_from_db()
    assert (payment.choice, payment.amount, payment.status) == ("", Decimal("30"), "approved")


def test_attendance_corrected_after_the_choice_leaves_the_choice_standing(personas):
    payment = _fee_from_attendance(personas, hours="2")
    payment_choose(
        payment=payment, choice=FeeChoice.LOWER, amount=Decimal("10"), made_by=personas.staff
    )

    attendance_record(
        meeting=payment.attendance.meeting,
        person=payment.person,
        status="attended",
        hours=Decimal("3"),
        recorded_by=personas.staff,
    )

    payment.refresh_from_db()
    assert (payment.amount, payment.offer_amount) == (Decimal("10.00"), Decimal("30.00"))


def test_the_persons_page_and_staffs_page_agree_on_the_offer_choice_and_amount(personas):
    payment = _fee_from_attendance(personas)
    payment_choose(
        payment=payment, choice=FeeChoice.LOWER, amount=Decimal("12.50"), made_by=personas.staff
    )
    when = f"{timezone.localdate():%-d %B %Y}"

    participant_client, staff_client = Client(), Client()
    participant_client.force_login(personas.participant)
    staff_client.force_login(personas.staff)

    mine = _text(participant_client.get(reverse("projects:my_payments")).content.decode())
    staffs = _text(
        staff_client.get(
            reverse("projects:payment", args=[payment.project.slug, payment.public_id])
        ).content.decode()
    )

    offer = f"Offered £30.00 (per hour) on {when}."
    choice = f"Choice: A lower amount (£12.50), recorded by {personas.staff} on"
    for page in (mine, staffs):
        assert offer in page
        assert choice in page
        assert "£12.50" in page
    assert "on your behalf" in mine
    assert "on their behalf" in staffs
