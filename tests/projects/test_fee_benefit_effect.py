"""What each fee does to someone's benefits and tax, with worked examples at the limits;
the guard that approving a fee over a limit needs the person's recorded choice; and staff
and the person seeing the same figures for the same fee."""

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Attendance, BenefitRule, FeeChoice, Payment, PaymentKind, PaymentStatus
from projects.selectors.fee_benefits import (
    _activity_day,
    activity_on,
    esa_week,
    fee_benefit_effect,
    fee_benefit_effects,
    tax_year,
    uc_assessment_period,
)
from projects.services.payments import BenefitsWarning, ChoiceNeeded, payment_approve
from stakeholders.models import Benefits, ConsentMethod
from stakeholders.services import benefits_answers_save
from tests.factories.meetings import MeetingFactory

pytestmark = pytest.mark.django_db


def _on_benefits(person, staff, benefits=Benefits.UC_HOUSING, start_day=13, pw1=False):
    benefits_answers_save(
        person=person,
        benefits=benefits,
        uc_period_starts_on=start_day,
        permitted_work_form=pw1,
        method=ConsentMethod.PHONE,
        recorded_by=staff,
    )
    person.refresh_from_db()
    return person


def _fee(personas, amount, on: date, person=None, **fields) -> Payment:
    """A fee whose activity was on `on` (a fee without a meeting counts from its offer)."""
    return Payment.objects.create(
        person=person or personas.participant.person,
        project=personas.project,
        activity=f"Meeting on {on}",
        amount=Decimal(amount),
        offer_amount=Decimal(amount),
        offered_on=on,
        **fields,
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# Periods


def test_an_assessment_period_runs_from_the_start_day_to_the_day_before_it_next_month():
    assert uc_assessment_period(date(2026, 11, 20), 13) == (date(2026, 11, 13), date(2026, 12, 12))
    assert uc_assessment_period(date(2026, 11, 12), 13) == (date(2026, 10, 13), date(2026, 11, 12))
    assert uc_assessment_period(date(2026, 12, 31), 13) == (date(2026, 12, 13), date(2027, 1, 12))


def test_start_day_31_in_february_means_the_last_day_of_february():
    assert uc_assessment_period(date(2027, 2, 27), 31) == (date(2027, 1, 31), date(2027, 2, 27))
    assert uc_assessment_period(date(2027, 2, 28), 31) == (date(2027, 2, 28), date(2027, 3, 30))
    assert uc_assessment_period(date(2027, 3, 31), 31) == (date(2027, 3, 31), date(2027, 4, 29))
    # A leap year's February has a 29th.
    assert uc_assessment_period(date(2028, 2, 29), 31) == (date(2028, 2, 29), date(2028, 3, 30))


def test_the_esa_week_is_monday_to_sunday_and_the_tax_year_6_april_to_5_april():
    assert esa_week(date(2026, 12, 3)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert esa_week(date(2026, 11, 30)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert tax_year(date(2027, 4, 5)) == (date(2026, 4, 6), date(2027, 4, 5))
    assert tax_year(date(2027, 4, 6)) == (date(2027, 4, 6), date(2028, 4, 5))


# Universal Credit, with the £411 work allowance (with housing) in force from 13 April 2026


def test_exactly_at_the_work_allowance_is_not_over(personas):
    person = _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "386.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    effect = fee_benefit_effect(fee)

    assert not effect.is_over
    assert person.receives_benefits
    assert (
        "£386 of the £411 work allowance used this assessment period (13 November to "
        "12 December 2026); this £25 takes them exactly to the limit, not over."
    ) in effect.staff_lines
    assert effect.staff_options == []


def test_one_penny_over_the_work_allowance_is_over(personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "386.00", date(2026, 11, 14))
    fee = _fee(personas, "25.01", date(2026, 11, 20))

    effect = fee_benefit_effect(fee)

    assert effect.is_over
    check = effect.checks[0]
    assert check.over_by == Decimal("0.01")
    assert "would take them £0.01 over" in effect.staff_lines[0]
    assert effect.lower_amount == Decimal("25.00")


def test_over_the_allowance_it_says_how_much_universal_credit_could_go_down(personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "400.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    effect = fee_benefit_effect(fee)

    assert effect.staff_lines[0] == (
        "£400 of the £411 work allowance used this assessment period (13 November to "
        "12 December 2026); this £25 would take them £14 over: their Universal Credit "
        "could go down by about £7.70."
    )
    assert effect.person_lines[0].endswith(
        "this £25 would take you £14 over: your Universal Credit could go down by about £7.70."
    )
    assert effect.staff_options[0] == "Pay less: £11 is the most that keeps them under."
    assert any("charity of their choice" in option for option in effect.staff_options)
    assert any("decline" in option for option in effect.staff_options)
    assert not any("date" in option for option in effect.staff_options)
    # UC counts a payment when it is received: staff are told to pay within the period.
    assert "pay it by 12 December 2026" in effect.staff_lines[-1]


def test_two_activities_in_one_period_both_count_and_the_next_period_does_not(personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "12.00", date(2026, 11, 13))
    _fee(personas, "24.00", date(2026, 12, 12))
    _fee(personas, "300.00", date(2026, 12, 13))  # the next assessment period
    _fee(personas, "300.00", date(2026, 11, 12))  # the one before
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    effect = fee_benefit_effect(fee)

    assert effect.staff_lines[0].startswith("£36 of the £411 work allowance used")
    assert effect.staff_lines[0].endswith("this £25 keeps them under.")
    assert effect.person_lines[0].endswith("this £25 keeps you under.")


def test_a_period_spanning_april_uses_each_fees_own_rule(personas):
    BenefitRule.objects.create(
        kind="uc_work_allowance_housing",
        amount=Decimal("500.00"),
        period="month",
        effective_from=date(2027, 4, 6),
        source_url="https://www.gov.uk/",
        source_title="Test figures",
    )
    _on_benefits(personas.participant.person, personas.staff, start_day=1)
    before = _fee(personas, "300.00", date(2027, 4, 2))
    after = _fee(personas, "150.00", date(2027, 4, 20))

    effects = fee_benefit_effects([before, after])

    # Both fall in 1 to 30 April and count for each other: £450 in all.
    assert effects[before.pk].checks[0].limit == Decimal("411.00")
    assert effects[before.pk].is_over
    assert effects[after.pk].checks[0].limit == Decimal("500.00")
    assert not effects[after.pk].is_over


def test_start_day_31_counts_fees_in_the_short_february_period_together(personas):
    _on_benefits(personas.participant.person, personas.staff, start_day=31)
    _fee(personas, "400.00", date(2027, 1, 31))
    _fee(personas, "400.00", date(2027, 2, 28))  # the next period starts on 28 February
    fee = _fee(personas, "20.00", date(2027, 2, 27))

    effect = fee_benefit_effect(fee)

    assert effect.checks[0].starts == date(2027, 1, 31)
    assert effect.checks[0].ends == date(2027, 2, 27)
    assert effect.checks[0].others == Decimal("400.00")
    assert effect.is_over


def test_charity_declined_cancelled_and_reversed_fees_count_zero_and_a_lower_amount_counts_as_paid(
    personas,
):
    _on_benefits(personas.participant.person, personas.staff)
    on = date(2026, 11, 14)
    _fee(personas, "400.00", on, choice=FeeChoice.CHARITY, charity_name="Shelter")
    _fee(personas, "400.00", on, choice=FeeChoice.DECLINE, status=PaymentStatus.DECLINED)
    _fee(personas, "400.00", on, status=PaymentStatus.CANCELLED)
    reversed_fee = _fee(personas, "400.00", on, status=PaymentStatus.APPROVED)
    _fee(personas, "400.00", on, kind=PaymentKind.REVERSAL, reverses=reversed_fee)
    _fee(personas, "10.00", on, choice=FeeChoice.LOWER)
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    effect = fee_benefit_effect(fee)

    assert effect.checks[0].others == Decimal("10.00")
    assert not effect.is_over


def test_a_fee_they_chose_to_give_to_a_charity_is_not_counted_for_itself(personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "400.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20), choice=FeeChoice.CHARITY, charity_name="Mind")

    effect = fee_benefit_effect(fee)

    assert not effect.is_over
    assert "this fee is not paid to them, so it does not count" in effect.staff_lines[0]


def test_the_meeting_date_is_the_activity_date(personas):
    _on_benefits(personas.participant.person, personas.staff)
    meeting = MeetingFactory(
        project=personas.project,
        starts_at=timezone.make_aware(datetime.combine(date(2026, 11, 20), time(10))),
    )
    attendance = Attendance.objects.create(
        meeting=meeting, person=personas.participant.person, status="attended"
    )
    _fee(personas, "400.00", date(2026, 11, 14))
    # Offered a month later than the meeting: the meeting's date still counts.
    fee = _fee(personas, "25.00", date(2026, 12, 20), attendance=attendance)

    effect = fee_benefit_effect(fee)

    assert effect.activity_on == date(2026, 11, 20)
    assert effect.checks[0].others == Decimal("400.00")


# New Style ESA: permitted work higher limit £195.50 a week


def test_esa_without_a_permitted_work_form_any_fee_is_a_problem(personas):
    _on_benefits(
        personas.participant.person, personas.staff, benefits=Benefits.NEW_STYLE_ESA, pw1=False
    )
    fee = _fee(personas, "5.00", date(2026, 12, 3))

    effect = fee_benefit_effect(fee)

    assert effect.is_over
    assert "no permitted work form (PW1) in place" in effect.staff_lines[0]
    # Paying less does not help without a PW1; a charity, declining or a PW1 does.
    assert effect.lower_amount is None
    assert not any(option.startswith("Pay less") for option in effect.staff_options)
    assert any("PW1" in option for option in effect.staff_options)


def test_esa_with_a_permitted_work_form_is_checked_against_the_weekly_limit(personas):
    _on_benefits(
        personas.participant.person, personas.staff, benefits=Benefits.NEW_STYLE_ESA, pw1=True
    )
    _fee(personas, "170.50", date(2026, 11, 30))  # Monday of the same week
    _fee(personas, "100.00", date(2026, 11, 29))  # Sunday of the week before
    at_limit = _fee(personas, "25.00", date(2026, 12, 6))
    effect = fee_benefit_effect(at_limit)

    assert effect.checks[0].name == "permitted work limit"
    assert effect.checks[0].total == Decimal("195.50")
    assert not effect.is_over

    at_limit.amount = Decimal("25.01")
    at_limit.save(update_fields=["amount"])
    effect = fee_benefit_effect(at_limit)
    assert effect.is_over
    assert "could stop their ESA" in effect.staff_lines[0]


# The trading allowance, for everyone


def test_someone_not_on_benefits_is_checked_against_the_trading_allowance(personas):
    _fee(personas, "990.00", date(2026, 5, 1))
    fee = _fee(personas, "10.00", date(2027, 4, 5))
    next_year = _fee(personas, "10.00", date(2027, 4, 6))

    effects = fee_benefit_effects([fee, next_year])

    assert not effects[fee.pk].is_over
    assert not effects[fee.pk].worth_showing
    assert effects[fee.pk].checks[0].total == Decimal("1000.00")
    assert effects[next_year.pk].checks[0].others == Decimal("0.00")


def test_the_batch_runs_a_fixed_number_of_queries(personas, django_assert_num_queries):
    _on_benefits(personas.participant.person, personas.staff)
    one = [_fee(personas, "10.00", date(2026, 11, 14))]
    many = one + [_fee(personas, "10.00", date(2026, 11, d)) for d in range(15, 25)]
    many.append(
        _fee(personas, "10.00", date(2026, 11, 14), person=personas.other_participant.person)
    )

    with django_assert_num_queries(2):
        fee_benefit_effects(one)
    with django_assert_num_queries(2):
        fee_benefit_effects(many)


# Approving over a limit needs the person's recorded choice


def test_approving_a_fee_over_a_limit_without_their_choice_is_refused(personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "400.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    with pytest.raises(ChoiceNeeded):
        payment_approve(payment=fee, approved_by=personas.staff, benefits_checked=True)

    fee.refresh_from_db()
    assert fee.status == PaymentStatus.OWED


def test_once_their_choice_is_recorded_the_fee_can_be_approved(personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "400.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20), choice=FeeChoice.FULL)

    # They chose the full amount knowing; the benefits check box still applies.
    with pytest.raises(BenefitsWarning):
        payment_approve(payment=fee, approved_by=personas.staff)
    payment_approve(payment=fee, approved_by=personas.staff, benefits_checked=True)

    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED


def test_a_fee_under_every_limit_needs_no_choice(personas):
    _on_benefits(personas.participant.person, personas.staff)
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    payment_approve(payment=fee, approved_by=personas.staff, benefits_checked=True)

    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED


def test_the_approve_button_over_a_limit_explains_and_links_to_recording_the_choice(
    staff_client, personas
):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "400.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20))
    url = reverse("projects:payment_approve", args=[personas.project.slug, fee.public_id])

    response = staff_client.post(url, {"confirming": "1", "benefits_checked": "on"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "This fee has not been approved." in html
    assert reverse("projects:payment_choose", args=[personas.project.slug, fee.public_id]) in html
    assert "could go down by about £7.70" in html
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.OWED


def test_the_ledger_asks_for_their_choice_instead_of_offering_approve(staff_client, personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "400.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    html = _text(
        staff_client.get(
            reverse("projects:payments", args=[personas.project.slug])
        ).content.decode()
    )

    assert "Needs their choice before it can be approved" in html
    assert "this £25 would take them £14 over" in html
    assert (
        reverse("projects:payment_approve", args=[personas.project.slug, fee.public_id]) not in html
    )


# The person and staff see the same figures


def test_the_person_and_staff_see_the_same_figures_for_the_same_fee(client, personas):
    _on_benefits(personas.participant.person, personas.staff)
    _fee(personas, "400.00", date(2026, 11, 14))
    fee = _fee(personas, "25.00", date(2026, 11, 20))

    client.force_login(personas.staff)
    staff_page = _text(
        client.get(
            reverse("projects:payment", args=[personas.project.slug, fee.public_id])
        ).content.decode()
    )
    client.force_login(personas.participant)
    my_page = _text(client.get(reverse("projects:my_payments")).content.decode())

    shared = (
        "£400 of the £411 work allowance used this assessment period (13 November to "
        "12 December 2026); this £25 would take {them} £14 over: {their} Universal Credit "
        "could go down by about £7.70."
    )
    assert shared.format(them="them", their="their") in staff_page
    assert shared.format(them="you", their="your") in my_page
    assert "£11 is the most that keeps them under" in staff_page
    assert "£11 is the most that keeps you under" in my_page
    # The person is not told to pay it in time: that is for staff.
    assert "pay it by" not in my_page


@pytest.mark.parametrize(
    ("benefits", "general_warning"),
    [(Benefits.UC_HOUSING, False), (Benefits.NEW_STYLE_ESA, False), (Benefits.OTHER, True)],
)
def test_the_general_warning_shows_only_where_coprod_cannot_work_out_the_figures(
    staff_client, personas, benefits, general_warning
):
    _on_benefits(personas.participant.person, personas.staff, benefits=benefits)
    fee = _fee(personas, "25.00", date(2026, 11, 20))
    url = reverse("projects:payment", args=[personas.project.slug, fee.public_id])

    html = _text(staff_client.get(url).content.decode())

    assert "What this fee does to their benefits and tax" in html
    assert ("Before you approve:" in html) is general_warning


def test_a_fee_counts_from_its_meetings_local_day_as_the_database_works_it_out(personas):
    """activity_on works out a fee's day from the fee in hand, and the period sums from the
    database: both must put a meeting starting just after midnight, British Summer Time
    (23:30 the day before in UTC), on the same day."""
    starts = datetime(2026, 7, 9, 23, 30, tzinfo=UTC)
    meeting = MeetingFactory(project=personas.project, starts_at=starts)
    attendance = Attendance.objects.create(
        meeting=meeting, person=personas.participant.person, status="attended"
    )
    fee = _fee(personas, "10.00", date(2026, 7, 1), attendance=attendance)
    in_database = (
        Payment.objects.filter(pk=fee.pk)
        .annotate(day=_activity_day())
        .values_list("day", flat=True)
        .get()
    )

    assert fee.meeting_starts_at == starts
    assert activity_on(fee) == in_database == date(2026, 7, 10)
    assert fee_benefit_effect(fee).activity_on == date(2026, 7, 10)
