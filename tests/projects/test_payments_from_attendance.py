"""Involvement fees follow attendance: one per person per meeting, never twice."""

from decimal import Decimal

import pytest

from projects.models import FeeBasis, PaidPaymentLocked, Payment, PaymentStatus
from projects.services.meetings import attendance_record
from projects.services.payments import (
    PaymentError,
    payment_approve,
    payment_mark_paid,
    payment_policy_for,
    payment_reverse,
)
from stakeholders.models import PaymentMethod
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(personas):
    policy = payment_policy_for(personas.project)
    policy.fee_rate = Decimal("18.33")
    policy.save()
    return MeetingFactory(project=personas.project, past=True)


def _mark(meeting, person, staff, status="attended", hours="2.5"):
    return attendance_record(
        meeting=meeting, person=person, status=status, hours=Decimal(hours), recorded_by=staff
    )


def test_marking_attended_creates_the_payment_owed_to_the_penny(meeting, personas):
    person = PersonFactory()
    _mark(meeting, person, personas.staff)
    payment = Payment.objects.get(person=person)
    assert payment.amount == Decimal("45.83")  # 2.5 h × £18.33 = £45.825, rounded half up
    assert payment.status == PaymentStatus.OWED
    assert payment.project == personas.project
    assert meeting.title in payment.activity


def test_attendance_changed_back_and_forth_keeps_one_payment(meeting, personas):
    person = PersonFactory()
    _mark(meeting, person, personas.staff)
    _mark(meeting, person, personas.staff, status="no_show")
    assert Payment.objects.get(person=person).status == PaymentStatus.CANCELLED
    _mark(meeting, person, personas.staff, hours="3")
    _mark(meeting, person, personas.staff, hours="3")

    payment = Payment.objects.get(person=person)
    assert Payment.objects.filter(person=person).count() == 1
    assert payment.status == PaymentStatus.OWED
    assert payment.amount == Decimal("54.99")


def test_a_per_session_payment_ignores_hours(meeting, personas):
    policy = payment_policy_for(personas.project)
    policy.fee_basis = FeeBasis.PER_SESSION
    policy.fee_rate = Decimal("40")
    policy.save()
    person = PersonFactory()
    _mark(meeting, person, personas.staff, hours="1.25")
    assert Payment.objects.get(person=person).amount == Decimal("40.00")


def test_no_payment_for_someone_who_declines_payment_always(meeting, personas):
    person = PersonFactory(declines_payment=True)
    _mark(meeting, person, personas.staff)
    assert not Payment.objects.filter(person=person).exists()


def test_no_payment_when_the_project_pays_no_fee(personas):
    meeting = MeetingFactory(project=personas.other_project, past=True)
    person = PersonFactory()
    _mark(meeting, person, personas.staff)
    assert not Payment.objects.filter(person=person).exists()


def test_the_payment_method_is_their_choice_when_offered(meeting, personas):
    policy = payment_policy_for(personas.project)
    policy.offers_bank_transfer = False
    policy.save()
    person = PersonFactory(payment_method=PaymentMethod.BANK_TRANSFER)
    _mark(meeting, person, personas.staff)
    assert Payment.objects.get(person=person).method == PaymentMethod.VOUCHER


def test_a_paid_payment_is_not_changed_by_attendance_or_edits(meeting, personas):
    person = PersonFactory()
    _mark(meeting, person, personas.staff)
    payment = Payment.objects.get(person=person)
    payment_approve(payment=payment, approved_by=personas.staff)
    payment_mark_paid(payment=payment, paid_on="2026-11-20", reference="BACS-1")

    _mark(meeting, person, personas.staff, status="no_show")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    payment.amount = Decimal("1")
    with pytest.raises(PaidPaymentLocked):
        payment.save()


def test_a_reversed_payment_nets_to_zero_and_cannot_be_reversed_twice(meeting, personas):
    person = PersonFactory()
    _mark(meeting, person, personas.staff)
    payment = Payment.objects.get(person=person)
    payment_approve(payment=payment, approved_by=personas.staff)
    payment_mark_paid(payment=payment, paid_on="2026-11-20", reference="BACS-1")

    reversal = payment_reverse(
        payment=payment, reason="Paid twice by the bank", reversed_by=personas.staff
    )

    assert sum(p.signed_amount for p in Payment.objects.filter(person=person)) == Decimal("0.00")
    assert reversal.reverses == payment
    with pytest.raises(PaymentError, match="already been reversed"):
        payment_reverse(payment=payment, reason="again", reversed_by=personas.staff)


def test_payment_moves_only_along_its_flow(meeting, personas):
    person = PersonFactory()
    _mark(meeting, person, personas.staff)
    payment = Payment.objects.get(person=person)
    with pytest.raises(PaymentError, match="Only an approved fee can be paid"):
        payment_mark_paid(payment=payment, paid_on="2026-11-20", reference="X")
    payment_approve(payment=payment, approved_by=personas.staff)
    with pytest.raises(PaymentError, match="Only an owed fee can be approved"):
        payment_approve(payment=payment, approved_by=personas.staff)
    with pytest.raises(PaymentError, match="Give the payment reference"):
        payment_mark_paid(payment=payment, paid_on="2026-11-20", reference="  ")
