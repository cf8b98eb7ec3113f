"""What a project's payments page reads: the totals and budget in one query, the page of fees
as plain rows, and the queries compiled once per process that read them. Each is checked
against the ORM or a recount of every row."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coprod.core.compiled import CompiledQuery
from projects.models import (
    ClaimStatus,
    ExpenseClaim,
    FeeChoice,
    Payment,
    PaymentKind,
    PaymentPolicy,
    PaymentStatus,
)
from projects.selectors.payments import (
    PAYMENTS_PER_PAGE,
    LedgerFee,
    _fees_newest_first,
    project_budget,
    project_fees_page,
    project_payment_totals,
)
from projects.services.payments import (
    claim_decide,
    claim_mark_paid,
    payment_approve,
    payment_choose,
    payment_decline,
    payment_mark_paid,
    payment_policy_update,
    payment_reverse,
    payment_run_undo,
    payments_mark_paid_in_bulk,
)
from stakeholders.models import PaymentMethod, Person
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def _fee(project, person, amount: str, **fields) -> Payment:
    fields.setdefault("method", PaymentMethod.BANK_TRANSFER)
    return Payment.objects.create(
        person=person,
        project=project,
        activity="Planning session",
        amount=Decimal(amount),
        **fields,
    )


def _claim(project, person, amount: str) -> ExpenseClaim:
    return ExpenseClaim.objects.create(
        person=person,
        project=project,
        spent_on=timezone.localdate(),
        category="travel",
        amount=Decimal(amount),
    )


def _recount(project) -> dict:
    """The totals worked out again from every row, in Python."""
    fees, claims = defaultdict(Decimal), defaultdict(Decimal)
    fee_counts, claim_counts = defaultdict(int), defaultdict(int)
    for fee in Payment.objects.filter(project=project):
        fees[fee.status] += fee.signed_amount
        fee_counts[fee.status] += 1
    for claim in ExpenseClaim.objects.filter(project=project):
        claims[claim.status] += claim.amount
        claim_counts[claim.status] += 1
    policy = PaymentPolicy.objects.filter(project=project).first()
    return {
        "fees": {status: fees[status] for status in PaymentStatus.values},
        "claims": {status: claims[status] for status in ClaimStatus.values},
        "fee_counts": {status: fee_counts[status] for status in PaymentStatus.values},
        "claim_counts": {status: claim_counts[status] for status in ClaimStatus.values},
        "budget": (policy.budget if policy and policy.budget else Decimal("0.00")),
    }


def _read(project) -> dict:
    totals = project_payment_totals(project)
    return {
        "fees": totals.fees,
        "claims": totals.claims,
        "fee_counts": totals.fee_counts,
        "claim_counts": totals.claim_counts,
        "budget": totals.budget,
    }


def test_the_totals_and_budget_match_a_recount_after_each_kind_of_write(personas):
    project, staff = personas.project, personas.staff
    person, other = personas.participant.person, personas.other_participant.person
    # Another project's money never counts here.
    _fee(personas.other_project, person, "99.99")
    _claim(personas.other_project, person, "88.88")
    checks = 0

    def check() -> None:
        nonlocal checks
        assert _read(project) == _recount(project)
        checks += 1

    check()  # nothing yet, and no payment policy
    payment_policy_update(project=project, budget=Decimal("0.00"))
    check()  # a policy with no budget set
    payment_policy_update(project=project, budget=Decimal("1000.10"))
    check()
    owed = _fee(project, person, "10.10")
    check()
    lower = _fee(project, other, "25.55")
    payment_choose(payment=lower, choice=FeeChoice.LOWER, made_by=staff, amount=Decimal("7.77"))
    check()
    approved = payment_approve(payment=_fee(project, person, "20.20"), approved_by=staff)
    check()
    paid = payment_approve(payment=_fee(project, other, "30.30"), approved_by=staff)
    paid = payment_mark_paid(payment=paid, paid_on=timezone.localdate(), reference="R1")
    check()
    payment_reverse(payment=paid, reason="Paid twice.", reversed_by=staff)
    check()
    payment_decline(payment=owed, reason="They said no.")
    check()
    payment_decline(payment=lower, reason="Not due.", new_status=PaymentStatus.CANCELLED)
    check()
    waiting = _claim(project, person, "3.33")
    check()
    rejected = _claim(project, other, "4.44")
    claim_decide(claim=rejected, decided_by=staff, approve=False, reason="No receipt.")
    claim_decide(claim=waiting, decided_by=staff, approve=True)
    check()
    claim = _claim(project, person, "5.55")
    claim_decide(claim=claim, decided_by=staff, approve=True)
    claim_mark_paid(claim=claim, paid_on=timezone.localdate(), reference="E1")
    check()
    run = payments_mark_paid_in_bulk(
        items=[(approved, "RUN-1"), (ExpenseClaim.objects.get(pk=waiting.pk), "RUN-1")],
        paid_on=timezone.localdate(),
        made_by=staff,
    )
    check()
    payment_run_undo(run=run, undone_by=staff)
    check()

    assert checks == 15
    totals = project_payment_totals(project)
    assert totals.fees[PaymentStatus.PAID] == Decimal("0.00")  # paid, then reversed
    assert totals.claims[ClaimStatus.PAID] == Decimal("5.55")
    assert all(total.as_tuple().exponent == -2 for total in totals.fees.values())
    assert project_budget(project, totals=totals)["budget"] == Decimal("1000.10")


def test_the_totals_budget_and_counts_are_one_query(personas, django_assert_num_queries):
    payment_policy_update(project=personas.project, budget=Decimal("50.00"))
    _fee(personas.project, personas.participant.person, "12.00")
    _claim(personas.project, personas.participant.person, "2.00")

    with django_assert_num_queries(1):
        totals = project_payment_totals(personas.project)
        budget = project_budget(personas.project, totals=totals)

    assert (budget["budget"], budget["committed"]) == (Decimal("50.00"), Decimal("14.00"))


def test_a_page_of_fees_holds_what_the_payments_and_their_people_hold(personas):
    project, staff = personas.project, personas.staff
    banked = PersonFactory(full_name="Bea <Banked>", receives_benefits=True)
    banked.bank_sort_code, banked.bank_account_number = "112233", "44556677"
    banked.save()
    voucher = PersonFactory(payment_method=PaymentMethod.VOUCHER)
    approved = payment_approve(
        payment=_fee(project, banked, "10.00", method=PaymentMethod.BANK_TRANSFER),
        approved_by=staff,
        benefits_checked=True,
    )
    paid = payment_approve(
        payment=_fee(project, banked, "11.00", method=PaymentMethod.BANK_TRANSFER),
        approved_by=staff,
        benefits_checked=True,
    )
    paid = payment_mark_paid(payment=paid, paid_on=timezone.localdate(), reference="P1")
    reversal = payment_reverse(payment=paid, reason="Twice.", reversed_by=staff)
    owed = _fee(
        project, voucher, "12.00", method=PaymentMethod.VOUCHER, offered_on=date(2026, 5, 1)
    )

    rows = project_fees_page(project, status=None, page_number=None).object_list

    payments = {
        payment.pk: payment
        for payment in Payment.objects.select_related("person").filter(project=project)
    }
    assert {row.pk for row in rows} == set(payments) == {approved.pk, paid.pk, reversal.pk, owed.pk}
    for row in rows:
        payment = payments[row.pk]
        for name in (
            "public_id",
            "kind",
            "person_id",
            "activity",
            "amount",
            "method",
            "status",
            "reason",
            "owed_since",
            "meeting_starts_at",
            "offered_on",
            "paid_on",
            "reference",
            "choice",
            "signed_amount",
        ):
            assert getattr(row, name) == getattr(payment, name), name
        assert row.person_public_id == payment.person.public_id
        assert row.person_name == payment.person.full_name
        assert row.receives_benefits == payment.person.receives_benefits
        assert row.is_reversed == hasattr(payment, "reversed_by")
    by_pk = {row.pk: row for row in rows}
    # The account is read only where the page shows it: a fee approved for bank transfer.
    assert by_pk[approved.pk].bank_account_number_masked == "••••6677"
    assert by_pk[approved.pk].has_bank_details
    for pk in (paid.pk, reversal.pk, owed.pk):
        assert (by_pk[pk].bank_sort_code, by_pk[pk].bank_account_number) == (None, None)
    assert by_pk[paid.pk].is_reversed and not by_pk[reversal.pk].is_reversed


def test_pages_of_fees_are_newest_first_and_filtered_by_status(personas):
    person = personas.participant.person
    start = timezone.now() - timedelta(days=100)
    Payment.objects.bulk_create(
        Payment(
            person=person,
            project=personas.project,
            activity=f"Session {index}",
            amount=Decimal("1.00") + index,
            status=PaymentStatus.APPROVED if index % 3 == 0 else PaymentStatus.OWED,
            created_at=start + timedelta(hours=index),
        )
        for index in range(60)
    )
    newest_first = list(
        Payment.objects.filter(project=personas.project).order_by("-created_at", "-pk")
    )
    approved = [fee for fee in newest_first if fee.status == PaymentStatus.APPROVED]

    for number in (1, 2, 3):
        page = project_fees_page(personas.project, status=None, page_number=number, count=60)
        start_at = (number - 1) * PAYMENTS_PER_PAGE
        wanted = newest_first[start_at : start_at + PAYMENTS_PER_PAGE]
        assert [row.pk for row in page.object_list] == [fee.pk for fee in wanted]
    page = project_fees_page(personas.project, status=PaymentStatus.APPROVED, page_number=1)
    assert page.paginator.count == 20
    assert [row.pk for row in page.object_list] == [fee.pk for fee in approved]


def _many_fees(personas) -> None:
    """Eighty fees of every status, some made at the same moment (so only the pk orders
    them), three of them reversed, some for bank transfer to a person with an account,
    and fees of another project that no page of this one may show."""
    start = timezone.now() - timedelta(days=100)
    banked = PersonFactory(receives_benefits=True)
    banked.bank_sort_code, banked.bank_account_number = "112233", "44556677"
    banked.save()
    people = [personas.participant.person, banked]
    statuses = PaymentStatus.values
    for project in (personas.project, personas.other_project):
        Payment.objects.bulk_create(
            Payment(
                person=people[index % 2],
                project=project,
                activity=f"Session {index}",
                amount=Decimal("1.00") + index,
                method=PaymentMethod.BANK_TRANSFER if index % 4 else PaymentMethod.VOUCHER,
                status=statuses[index % len(statuses)],
                paid_on=timezone.localdate() if statuses[index % len(statuses)] == "paid" else None,
                created_at=start + timedelta(hours=index // 3),
            )
            for index in range(80)
        )
    paid = Payment.objects.filter(project=personas.project, status=PaymentStatus.PAID)
    for fee in paid.order_by("created_at", "pk")[:3]:
        payment_reverse(payment=fee, reason="Paid twice.", reversed_by=personas.staff)


def test_every_page_of_fees_is_what_the_orm_queryset_gives(personas):
    _many_fees(personas)
    project = personas.project

    shown = []
    for status in (None, *PaymentStatus.values):
        fees = _fees_newest_first(project.pk, status)
        count = fees.count()
        last_page = -(-count // PAYMENTS_PER_PAGE)
        for number in range(1, last_page + 1):
            page = project_fees_page(project, status=status, page_number=number, count=count)
            start_at = (number - 1) * PAYMENTS_PER_PAGE
            wanted = fees[start_at : start_at + PAYMENTS_PER_PAGE]
            assert page.object_list == [LedgerFee(*row) for row in wanted], (status, number)
            shown += page.object_list if status is None else []
    assert len(shown) == Payment.objects.filter(project=project).count() == 83
    assert sum(row.kind == PaymentKind.REVERSAL for row in shown) == 3
    assert sum(row.is_reversed for row in shown) == 3
    # Fewer counted than there are: the first page holds only as many as were counted.
    page = project_fees_page(project, status=None, page_number=1, count=3)
    assert page.object_list == [LedgerFee(*row) for row in _fees_newest_first(project.pk)[:3]]


def test_the_first_page_of_all_fees_has_its_limit_written_in_the_sql(personas):
    # PostgreSQL keeps one plan for a prepared statement only if it costs no more than a
    # fresh one; with LIMIT and OFFSET parameters it never did for the first page.
    _many_fees(personas)

    with CaptureQueriesContext(connection) as first:
        project_fees_page(personas.project, status=None, page_number=1, count=83)
    with CaptureQueriesContext(connection) as second:
        project_fees_page(personas.project, status=None, page_number=2, count=83)

    assert len(first) == len(second) == 1
    # The query log shows the values put in: a written LIMIT has no OFFSET beside it.
    assert f"LIMIT {PAYMENTS_PER_PAGE}" in first[0]["sql"]
    assert "OFFSET" not in first[0]["sql"]
    assert "OFFSET" in second[0]["sql"]


def _by_people(person_ids: list, first: date, last: date, status: str):
    return (
        Payment.objects.filter(
            person_id__in=person_ids, offered_on__range=(first, last), status=status
        )
        .order_by("offered_on", "pk")
        .values_list("pk", "person__full_name", "offered_on", "amount", "public_id")
    )


def test_a_compiled_query_gives_what_its_queryset_gives_for_any_values(personas):
    people = [PersonFactory() for _ in range(6)]
    for index, person in enumerate(people):
        for day in range(1, 6):
            _fee(
                personas.project,
                person,
                f"{index + 1}.{day}5",
                offered_on=date(2026, 3, day),
                status=PaymentStatus.OWED if day % 2 else PaymentStatus.APPROVED,
            )
    compiled = CompiledQuery(_by_people, person_ids=list, first=date, last=date, status=str)
    ids = [person.pk for person in people]

    # Lists of every size up to 6 (padded to 1, 2, 4 and 8 items), several days and statuses.
    for size in range(1, 7):
        for first, last in (
            (date(2026, 3, 1), date(2026, 3, 5)),
            (date(2026, 3, 2), date(2026, 3, 3)),
        ):
            for status in (PaymentStatus.OWED, PaymentStatus.APPROVED):
                values = {"person_ids": ids[:size], "first": first, "last": last, "status": status}
                assert compiled.rows(**values) == list(_by_people(**values))
    values = {"person_ids": ids, "first": date(2026, 3, 1), "last": date(2026, 3, 5)}
    everything = list(_by_people(**values, status=PaymentStatus.OWED))
    assert len(everything) == 18
    assert (
        compiled.rows(**values, status=PaymentStatus.OWED, limit=5, offset=10) == everything[10:15]
    )
    assert compiled.rows(**values | {"person_ids": []}, status=PaymentStatus.OWED) == []
    # Compiled once for each size of list met: 1, 2, 4 and 8 items.
    assert sorted(key[2] for key in compiled.compiled) == [(1,), (2,), (4,), (8,)]


def test_a_compiled_query_runs_one_query_and_no_more_once_compiled(personas):
    compiled = CompiledQuery(
        lambda person_ids, first, last, status: _by_people(person_ids, first, last, status),
        person_ids=list,
        first=date,
        last=date,
        status=str,
    )
    values = {
        "person_ids": [personas.participant.person.pk],
        "first": date(2026, 1, 1),
        "last": date(2026, 12, 31),
        "status": PaymentStatus.OWED,
    }
    compiled.rows(**values)

    with CaptureQueriesContext(connection) as queries:
        compiled.rows(**values)

    assert len(queries) == 1


def test_a_compiled_query_refuses_a_value_it_cannot_stand_in_for():
    compiled = CompiledQuery(lambda amount: Person.objects.values_list("pk"), amount=Decimal)

    with pytest.raises(TypeError, match="cannot stand in"):
        compiled.rows(amount=Decimal("1.00"))


def test_a_compiled_query_refuses_a_value_the_query_does_not_use(personas):
    compiled = CompiledQuery(lambda person_id: Person.objects.values_list("pk"), person_id=int)

    with pytest.raises(ValueError, match="does not use person_id"):
        compiled.rows(person_id=personas.participant.person.pk)


def test_a_reversal_shows_as_money_taken_off(personas):
    fee = payment_approve(
        payment=_fee(personas.project, personas.participant.person, "9.99"),
        approved_by=personas.staff,
    )
    fee = payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="X")
    payment_reverse(payment=fee, reason="Wrong person.", reversed_by=personas.staff)

    rows = project_fees_page(personas.project, status=None, page_number=None).object_list

    assert sorted(row.signed_amount for row in rows) == [Decimal("-9.99"), Decimal("9.99")]
    assert {row.kind for row in rows} == {PaymentKind.FEE, PaymentKind.REVERSAL}
