"""The most each person's fees came to in a tax year (PersonEarnings), kept for the payments
page: it always equals what working it out from the fees gives, after every kind of write
to a fee; and the page, which leaves out the benefit effects this figure shows cannot
matter, shows exactly what working out every effect shows."""

import importlib
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import (
    AttendanceStatus,
    BenefitRule,
    BenefitRuleKind,
    FeeChoice,
    PaidPaymentLocked,
    Payment,
    PaymentStatus,
    PersonEarnings,
)
from projects.selectors.fee_benefits import (
    fee_benefit_effects,
    ledger_benefit_effects,
    most_earned_in_a_tax_year,
)
from projects.selectors.payments import UNPAID_FEES, project_fees_page
from projects.services.earnings import earnings_recount_all
from projects.services.meetings import attendance_record, meeting_update
from projects.services.payments import (
    payment_approve,
    payment_choose,
    payment_decline,
    payment_mark_paid,
    payment_policy_update,
    payment_reverse,
    payment_run_undo,
    payments_mark_paid_in_bulk,
)
from projects.views.ledger_rows import fee_rows
from stakeholders.models import Benefits, ConsentMethod, PaymentMethod, Person
from stakeholders.privacy import person_erase
from stakeholders.services import benefits_answers_save
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def kept() -> dict:
    """As most_earned_in_a_tax_year gives it: people whose fees count for nothing left out."""
    earned = PersonEarnings.objects.filter(most_in_a_tax_year__gt=0)
    return dict(earned.values_list("person_id", "most_in_a_tax_year"))


def _fee(personas, amount: str, on: date, person=None, **fields) -> Payment:
    """A fee whose activity was on `on` (one without a meeting counts from its offer)."""
    fields.setdefault("method", PaymentMethod.BANK_TRANSFER)
    return Payment.objects.create(
        person=person or personas.participant.person,
        project=personas.project,
        activity=f"Meeting on {on}",
        amount=Decimal(amount),
        offer_amount=Decimal(amount),
        offered_on=on,
        **fields,
    )


def _attended(personas, starts_at: datetime, person=None):
    """A £40 fee for attending a meeting (two hours at £20)."""
    payment_policy_update(project=personas.project, fee_rate=Decimal("20.00"))
    meeting = MeetingFactory(project=personas.project, starts_at=starts_at)
    return attendance_record(
        meeting=meeting,
        person=person or personas.participant.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )


# Each write leaves the person's fees in two tax years, so which year is the most changes.


def _made_from_attendance(personas):
    _fee(personas, "30.00", date(2026, 5, 1))
    _attended(personas, datetime(2025, 11, 3, 10, tzinfo=UTC))


def _attendance_undone(personas):
    _fee(personas, "30.00", date(2026, 5, 1))
    attendance = _attended(personas, datetime(2026, 11, 3, 10, tzinfo=UTC))
    assert kept() == {personas.participant.person.pk: Decimal("70.00")}
    attendance_record(
        meeting=attendance.meeting,
        person=attendance.person,
        status=AttendanceStatus.NO_SHOW,
        hours=Decimal("0"),
        recorded_by=personas.staff,
    )


def _lower_amount_chosen(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1))
    payment_choose(
        payment=fee, choice=FeeChoice.LOWER, amount=Decimal("10.00"), made_by=personas.staff
    )


def _given_to_a_charity(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1))
    payment_choose(
        payment=fee, choice=FeeChoice.CHARITY, charity_name="Mind", made_by=personas.staff
    )


def _declined_by_them(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1))
    payment_choose(payment=fee, choice=FeeChoice.DECLINE, made_by=personas.staff)


def _cancelled_by_staff(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1))
    payment_decline(payment=fee, reason="Entered twice", new_status=PaymentStatus.CANCELLED)


def _paid_and_reversed(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1), choice=FeeChoice.FULL)
    fee = payment_approve(payment=fee, approved_by=personas.staff)
    fee = payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")
    assert kept() == {personas.participant.person.pk: Decimal("50.00")}
    payment_reverse(payment=fee, reason="Paid twice", reversed_by=personas.staff)


def _paid_in_a_run_and_undone(personas):
    fees = [
        payment_approve(
            payment=_fee(personas, amount, on, choice=FeeChoice.FULL), approved_by=personas.staff
        )
        for amount, on in (("30.00", date(2025, 5, 1)), ("50.00", date(2026, 5, 1)))
    ]
    run = payments_mark_paid_in_bulk(
        items=[(fee, f"RUN-{fee.pk}") for fee in fees],
        paid_on=timezone.localdate(),
        made_by=personas.staff,
    )
    payment_run_undo(run=run, undone_by=personas.staff)


def _meeting_moved_into_another_tax_year(personas):
    _fee(personas, "30.00", date(2026, 5, 1))
    attendance = _attended(personas, datetime(2026, 4, 10, 10, tzinfo=UTC))
    assert kept() == {personas.participant.person.pk: Decimal("70.00")}
    meeting_update(meeting=attendance.meeting, starts_at=datetime(2026, 4, 1, 10, tzinfo=UTC))


def _changed_in_the_admin(personas):
    # The admin saves every field, with no update_fields.
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1))
    fee.offered_on = date(2025, 6, 1)
    fee.save()


def _moved_to_someone_else_in_the_admin(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1))
    fee.person = personas.other_participant.person
    fee.save()


def _deleted(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    fee = _fee(personas, "50.00", date(2026, 5, 1))
    fee.delete()


def _person_erased(personas):
    _fee(personas, "30.00", date(2025, 5, 1))
    _fee(personas, "50.00", date(2026, 5, 1))
    person_erase(person=personas.participant.person, erased_by=personas.staff)


FEE_WRITES = {
    "made from attendance": _made_from_attendance,
    "attendance undone": _attendance_undone,
    "lower amount chosen": _lower_amount_chosen,
    "given to a charity": _given_to_a_charity,
    "declined by them": _declined_by_them,
    "cancelled by staff": _cancelled_by_staff,
    "paid and reversed": _paid_and_reversed,
    "paid in a run and undone": _paid_in_a_run_and_undone,
    "meeting moved into another tax year": _meeting_moved_into_another_tax_year,
    "changed in the admin": _changed_in_the_admin,
    "moved to someone else in the admin": _moved_to_someone_else_in_the_admin,
    "deleted": _deleted,
    "person erased": _person_erased,
}


@pytest.mark.parametrize("write", FEE_WRITES.values(), ids=FEE_WRITES.keys())
def test_the_kept_earnings_equal_the_fees_after_each_kind_of_write(personas, write):
    write(personas)

    assert kept() == most_earned_in_a_tax_year()
    assert kept()


def test_the_most_in_a_tax_year_counts_what_the_benefit_checks_count(personas):
    person = personas.participant.person
    _fee(personas, "30.00", date(2026, 4, 5))  # the tax year 2025 to 2026
    _fee(personas, "20.00", date(2026, 4, 6))
    _fee(personas, "25.00", date(2027, 4, 5))
    _fee(personas, "500.00", date(2026, 5, 1), choice=FeeChoice.CHARITY, charity_name="Mind")
    _fee(personas, "400.00", date(2026, 5, 1), status=PaymentStatus.CANCELLED)

    assert most_earned_in_a_tax_year() == {person.pk: Decimal("45.00")}
    assert kept() == {person.pk: Decimal("45.00")}


def test_saving_a_fee_reads_its_stored_row_once(personas):
    """The paid-fee lock and the earnings receivers share one read of the stored fee."""
    fee = _fee(personas, "30.00", date(2026, 5, 1))
    fee.activity = "Renamed"

    with CaptureQueriesContext(connection) as queries:
        fee.save()

    # The stored row read by its id (the earnings recount then reads the person's fees).
    column = f'"{Payment._meta.db_table}"."id"'
    by_id = re.compile(rf"{re.escape(column)} = {fee.pk}\b")
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and by_id.search(q["sql"])]
    assert len(reads) == 1, reads


def test_a_paid_fee_still_cannot_be_changed(personas):
    fee = _fee(personas, "30.00", date(2026, 5, 1))
    Payment.objects.filter(pk=fee.pk).update(status=PaymentStatus.PAID)
    fee.activity = "Changed after it was paid"

    with pytest.raises(PaidPaymentLocked):
        fee.save()

    assert Payment.objects.get(pk=fee.pk).activity != "Changed after it was paid"


def test_recounting_everything_puts_right_fees_made_in_bulk(personas):
    _fee(personas, "30.00", date(2026, 5, 1))
    Payment.objects.bulk_create(
        [
            Payment(
                person=personas.other_participant.person,
                project=personas.project,
                activity="Made in bulk",
                amount=Decimal("60.00"),
                offered_on=date(2026, 5, 1),
            )
        ]
    )
    assert kept() != most_earned_in_a_tax_year()

    earnings_recount_all()

    assert kept() == most_earned_in_a_tax_year()


def test_the_migration_counts_what_the_selector_counts(personas):
    _fee(personas, "30.00", date(2026, 4, 5))
    _fee(personas, "20.00", date(2026, 4, 6))
    _attended(personas, datetime(2026, 4, 5, 23, 30, tzinfo=UTC))  # 6 April in London
    fee = _fee(personas, "50.00", date(2026, 5, 1), person=personas.other_participant.person)
    payment_choose(payment=fee, choice=FeeChoice.DECLINE, made_by=personas.staff)
    PersonEarnings.objects.all().delete()
    migration = importlib.import_module("projects.migrations.0020_pay_person_earnings")

    migration.count_earnings(apps, None)

    assert kept() == most_earned_in_a_tax_year()
    assert kept() == {personas.participant.person.pk: Decimal("60.00")}


# The payments page


def _on_benefits(person, staff):
    benefits_answers_save(
        person=person,
        benefits=Benefits.UC_HOUSING,
        uc_period_starts_on=13,
        permitted_work_form=False,
        method=ConsentMethod.PHONE,
        recorded_by=staff,
    )


@pytest.fixture
def ledger(personas):
    """Unpaid fees of someone under every limit, someone over the trading allowance,
    someone near it whose fee this year keeps them under, someone on benefits, and
    someone who said they get none."""
    under, over, near, on_benefits, none = (PersonFactory() for _ in range(5))
    _fee(personas, "40.00", date(2026, 11, 3), person=under)
    _fee(personas, "990.00", date(2026, 5, 1), person=over, status=PaymentStatus.PAID)
    _fee(personas, "25.00", date(2026, 11, 3), person=over)
    _fee(personas, "990.00", date(2025, 5, 1), person=near, status=PaymentStatus.PAID)
    _fee(personas, "25.00", date(2026, 11, 3), person=near)
    _on_benefits(on_benefits, personas.staff)
    _fee(personas, "25.00", date(2026, 11, 3), person=on_benefits)
    benefits_answers_save(
        person=none,
        benefits=Benefits.NONE,
        uc_period_starts_on=None,
        permitted_work_form=False,
        method=ConsentMethod.PHONE,
        recorded_by=personas.staff,
    )
    _fee(personas, "25.00", date(2026, 11, 3), person=none)
    # Their answers are what counts, should the flag kept beside them ever differ.
    Person.objects.filter(pk=on_benefits.pk).update(receives_benefits=False)
    Person.objects.filter(pk=none.pk).update(receives_benefits=True)
    return {"over": over, "near": near, "on benefits": on_benefits, "under": under}


def _unpaid_rows(personas) -> list:
    page = project_fees_page(personas.project, status=None, page_number=1)
    return [fee for fee in page.object_list if fee.status in UNPAID_FEES]


def test_the_ledger_leaves_out_only_effects_that_would_not_show(personas, ledger):
    rows = _unpaid_rows(personas)
    every = fee_benefit_effects(rows)

    shown = ledger_benefit_effects(rows)

    fee_of = {row.person_id: row.pk for row in rows}
    assert set(shown) == {fee_of[ledger["over"].pk], fee_of[ledger["on benefits"].pk]}
    assert shown[fee_of[ledger["over"].pk]].is_over
    for pk, effect in every.items():
        if pk not in shown:
            assert not effect.worth_showing
            assert not effect.is_over


def test_the_ledgers_rows_are_those_every_effect_gives(personas, ledger):
    rows = _unpaid_rows(personas)

    def html(effects) -> list:
        return fee_rows(
            personas.project, rows, effects=effects, post_fields="", today_iso="2026-12-04"
        )

    assert html(ledger_benefit_effects(rows)) == html(fee_benefit_effects(rows))
    assert "receives benefits" in "".join(html(fee_benefit_effects(rows)))
    assert "trading allowance" in "".join(html(fee_benefit_effects(rows)))


def test_without_a_trading_allowance_nobody_off_benefits_is_checked(personas, ledger):
    BenefitRule.objects.filter(kind=BenefitRuleKind.TRADING_ALLOWANCE).delete()
    rows = _unpaid_rows(personas)

    shown = ledger_benefit_effects(rows)

    assert set(shown) == {row.pk for row in rows if row.person_id == ledger["on benefits"].pk}
    assert all(not effect.is_over for effect in fee_benefit_effects(rows).values())


def test_a_page_of_people_under_every_limit_reads_nothing_more(personas, django_assert_num_queries):
    for _ in range(3):
        _fee(personas, "40.00", date(2026, 11, 3), person=PersonFactory())
    rows = _unpaid_rows(personas)

    with django_assert_num_queries(0):
        assert ledger_benefit_effects(rows) == {}


def test_a_page_with_someone_on_benefits_reads_their_fees(
    personas, ledger, django_assert_num_queries
):
    rows = _unpaid_rows(personas)

    with django_assert_num_queries(2):
        ledger_benefit_effects(rows)


def test_the_page_reads_everybodys_fees_only_when_someone_on_it_could_be_affected(
    staff_client, personas
):
    url = f"/projects/{personas.project.slug}/payments/"
    _fee(personas, "40.00", date(2026, 11, 3), person=PersonFactory())
    with CaptureQueriesContext(connection) as nobody_near:
        assert staff_client.get(url).status_code == 200
    someone = PersonFactory()
    _on_benefits(someone, personas.staff)
    _fee(personas, "25.00", date(2026, 11, 3), person=someone)

    with CaptureQueriesContext(connection) as someone_on_benefits:
        html = staff_client.get(url).content.decode()

    assert "work allowance used this assessment period" in html
    # The benefit rules and the people's fees in the periods concerned.
    assert len(someone_on_benefits) == len(nobody_near) + 2
