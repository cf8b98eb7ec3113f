"""A participant's own payments and claims in /me/payments/, their payment choices, and
saying no to being paid."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import ClaimStatus, ExpenseClaim, Payment, PaymentStatus
from projects.services.meetings import attendance_record
from projects.services.payments import (
    expense_claim_submit,
    payment_approve,
    payment_mark_paid,
    payment_policy_for,
)
from stakeholders.models import PaymentMethod
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import MembershipFactory

pytestmark = pytest.mark.django_db


def fee(person, project, *, activity="Planning session", amount="20.00", **fields) -> Payment:
    fields.setdefault("method", PaymentMethod.BANK_TRANSFER)
    return Payment.objects.create(
        person=person, project=project, activity=activity, amount=Decimal(amount), **fields
    )


def claim(person, project, *, amount="4.50", **fields) -> ExpenseClaim:
    fields.setdefault("category", "mileage")
    fields.setdefault("miles", Decimal("10"))
    fields.setdefault("spent_on", timezone.localdate())
    return ExpenseClaim.objects.create(
        person=person, project=project, amount=Decimal(amount), **fields
    )


def paid_meeting(personas, *, rate="15.00"):
    policy = payment_policy_for(personas.project)
    policy.fee_rate = Decimal(rate)
    policy.save()
    return MeetingFactory(
        project=personas.project,
        title="Menu tasting",
        starts_at=timezone.now() - datetime.timedelta(days=1),
    )


def attend(meeting, person, staff, hours="2"):
    return attendance_record(
        meeting=meeting, person=person, status="attended", hours=Decimal(hours), recorded_by=staff
    )


# /me/payments/ ------------------------------------------------------------------------


def test_my_payments_shows_only_my_own_fees_and_claims(participant_client, personas):
    mine, theirs = personas.participant.person, personas.other_participant.person
    fee(mine, personas.project, activity="My workshop", amount="12.50")
    fee(theirs, personas.project, activity="Their workshop", amount="99.00")
    claim(mine, personas.project, amount="3.20")
    claim(theirs, personas.project, amount="77.70")

    html = participant_client.get(reverse("projects:my_payments")).content.decode()

    assert "My workshop" in html and "£12.50" in html and "£3.20" in html
    assert "Their workshop" not in html
    assert "£99.00" not in html and "£77.70" not in html


def test_my_payments_shows_status_in_words_with_paid_date_and_reference(
    participant_client, personas
):
    person = personas.participant.person
    owed = fee(person, personas.project, activity="Owed session")
    paid = fee(person, personas.project, activity="Paid session", amount="30.00")
    payment_approve(payment=paid, approved_by=personas.staff)
    payment_mark_paid(payment=paid, paid_on=datetime.date(2026, 3, 4), reference="BACS-778")
    claim(
        person,
        personas.project,
        amount="8.00",
        status=ClaimStatus.PAID,
        paid_on=datetime.date(2026, 3, 5),
        reference="EXP-12",
    )

    html = participant_client.get(reverse("projects:my_payments")).content.decode()

    assert "Waiting to be approved" in html
    assert "<strong>Paid</strong> on 4 March 2026" in html and "Reference: BACS-778" in html
    assert "on 5 March 2026" in html and "Reference: EXP-12" in html
    assert reverse("projects:payment_choose_mine", args=[owed.public_id]) in html
    assert reverse("projects:payment_choose_mine", args=[paid.public_id]) not in html
    assert reverse("projects:payment_decline_mine", args=[paid.public_id]) not in html


def test_my_payments_shows_why_a_claim_was_not_approved(participant_client, personas):
    claim(
        personas.participant.person,
        personas.project,
        status=ClaimStatus.REJECTED,
        reason="The bus ticket is for a different day.",
    )

    html = participant_client.get(reverse("projects:my_payments")).content.decode()

    assert "Not approved" in html
    assert "The bus ticket is for a different day." in html


def _queries_for_my_payments(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("projects:my_payments")).status_code == 200
    return len(queries)


def test_my_payments_page_runs_the_same_queries_for_one_or_many_payments(
    participant_client, personas
):
    person = personas.participant.person
    fee(person, personas.project)
    claim(person, personas.project, meeting=personas.meeting)
    few = _queries_for_my_payments(participant_client)
    for number in range(30):
        project = personas.project if number % 2 else personas.other_project
        fee(person, project, activity=f"Session {number}")
        claim(person, project, meeting=MeetingFactory(project=project))

    many = _queries_for_my_payments(participant_client)

    assert many == few
    html = participant_client.get(reverse("projects:my_payments")).content.decode()
    assert "Page 1 of 2" in html


# Payment choices ----------------------------------------------------------------------


def test_payment_choices_offer_only_the_methods_my_projects_offer(participant_client, personas):
    policy = payment_policy_for(personas.project)
    policy.offers_bank_transfer = False
    policy.save()

    response = participant_client.get(reverse("projects:payment_choices"))

    html = response.content.decode()
    assert 'value="voucher"' in html
    assert 'value="bank_transfer"' not in html
    refused = participant_client.post(
        reverse("projects:payment_choices"), {"payment_method": "bank_transfer"}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["payment_method"]
    personas.participant.person.refresh_from_db()
    assert personas.participant.person.payment_method == PaymentMethod.BANK_TRANSFER


def test_payment_choices_offer_both_methods_when_no_project_offers_any(
    participant_client, personas
):
    policy = payment_policy_for(personas.project)
    policy.offers_bank_transfer = policy.offers_voucher = False
    policy.save()

    html = participant_client.get(reverse("projects:payment_choices")).content.decode()

    assert 'value="voucher"' in html and 'value="bank_transfer"' in html


def test_payment_choices_are_saved_and_explain_why_we_ask(participant_client, personas):
    html = participant_client.get(reverse("projects:payment_choices")).content.decode()
    assert "Why we ask about benefits" in html
    assert "nobody ends up worse off" in html
    assert "you can still <strong>claim back your expenses</strong>" in html

    response = participant_client.post(
        reverse("projects:payment_choices"),
        {"payment_method": "voucher"},
    )

    assert response.status_code == 302
    person = personas.participant.person
    person.refresh_from_db()
    assert person.payment_method == PaymentMethod.VOUCHER
    assert not person.declines_payment


def test_payment_choices_need_a_method_unless_payment_is_declined(participant_client, personas):
    url = reverse("projects:payment_choices")
    refused = participant_client.post(url, {"payment_method": ""})
    assert refused.context["form"].errors["payment_method"] == [
        "Choose how you would like to be paid, or tick “I do not want to be paid for taking part”."
    ]

    accepted = participant_client.post(url, {"declines_payment": "on"})

    assert accepted.status_code == 302
    personas.participant.person.refresh_from_db()
    assert personas.participant.person.declines_payment


# Declining payment --------------------------------------------------------------------


def test_declining_payment_always_means_no_fee_on_attendance_but_expenses_still_claimable(
    participant_client, personas
):
    meeting = paid_meeting(personas)
    participant_client.post(reverse("projects:payment_choices"), {"declines_payment": "on"})
    person = personas.participant.person
    person.refresh_from_db()

    attend(meeting, person, personas.staff)

    assert not Payment.objects.filter(person=person).exists()
    other = personas.other_participant.person
    attend(meeting, other, personas.staff)
    assert Payment.objects.get(person=other).amount == Decimal("30.00")
    claimed = expense_claim_submit(
        person=person,
        project=personas.project,
        meeting=meeting,
        category="mileage",
        miles=Decimal("4"),
        spent_on=timezone.localdate(),
    )
    assert claimed.amount == Decimal("1.80")
    assert claimed.person == person


def test_declining_payment_for_one_activity_declines_only_that_fee(participant_client, personas):
    meeting = paid_meeting(personas)
    person = personas.participant.person
    attend(meeting, person, personas.staff)
    declined = Payment.objects.get(person=person)
    kept = fee(person, personas.project, activity="Another session")

    response = participant_client.post(
        reverse("projects:payment_decline_mine", args=[declined.public_id])
    )

    assert response.status_code == 302
    declined.refresh_from_db()
    kept.refresh_from_db()
    assert declined.status == PaymentStatus.DECLINED
    assert declined.reason == "Declined by the person."
    assert declined.choice == "decline"
    assert declined.choice_made_by == personas.participant
    assert kept.status == PaymentStatus.OWED
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        f"You will not be paid for {declined.activity}. You can still claim expenses for it."
    ]
    # Attendance recorded again does not bring the declined fee back.
    attend(meeting, person, personas.staff, hours="3")
    declined.refresh_from_db()
    assert declined.status == PaymentStatus.DECLINED


def test_declining_a_paid_payment_is_refused_with_a_message(participant_client, personas):
    payment = fee(personas.participant.person, personas.project)
    payment_approve(payment=payment, approved_by=personas.staff)
    payment_mark_paid(payment=payment, paid_on=timezone.localdate(), reference="BACS-9")

    response = participant_client.post(
        reverse("projects:payment_decline_mine", args=[payment.public_id]), follow=True
    )

    assert "This payment can no longer be changed" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID


def test_declining_another_participants_payment_is_a_404(participant_client, personas):
    theirs = fee(personas.other_participant.person, personas.project)

    response = participant_client.post(
        reverse("projects:payment_decline_mine", args=[theirs.public_id])
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == PaymentStatus.OWED


def test_a_claim_of_another_participant_is_a_404(participant_client, personas):
    theirs = claim(personas.other_participant.person, personas.project)

    response = participant_client.get(reverse("projects:claim_receipt", args=[theirs.public_id]))

    assert response.status_code == 404


def test_me_links_to_my_payments_and_expenses(participant_client, personas):
    html = participant_client.get(reverse("pages:me")).content.decode()

    assert "My payments and expenses" in html
    assert reverse("projects:my_payments") in html


def test_payment_choices_list_methods_of_every_project_i_joined(participant_client, personas):
    only_voucher = payment_policy_for(personas.project)
    only_voucher.offers_bank_transfer = False
    only_voucher.save()
    MembershipFactory(project=personas.other_project, person=personas.participant.person)
    only_bank = payment_policy_for(personas.other_project)
    only_bank.offers_voucher = False
    only_bank.save()

    html = participant_client.get(reverse("projects:payment_choices")).content.decode()

    assert 'value="voucher"' in html and 'value="bank_transfer"' in html
