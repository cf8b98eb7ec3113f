"""The staff side of involvement payments: policy, ledger, decisions, budget, overdue panel."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import (
    AttendanceStatus,
    ClaimStatus,
    ExpenseClaim,
    FeeBasis,
    PaidPaymentLocked,
    Payment,
    PaymentKind,
    PaymentPolicy,
    PaymentStatus,
)
from projects.selectors.payments import (
    overdue_payments_panel,
    project_budget,
    project_payment_totals,
)
from projects.services.earnings import earnings_recount_all
from projects.services.meetings import attendance_record
from projects.services.payments import (
    PaymentError,
    claim_decide,
    payment_approve,
    payment_mark_paid,
    payment_policy_update,
)
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


def _fee(personas, *, hours="2", rate="20.00", basis=FeeBasis.PER_HOUR, person=None) -> Payment:
    """A fee owed the real way: a policy, then someone marked as having come."""
    payment_policy_update(project=personas.project, fee_rate=Decimal(rate), fee_basis=basis)
    attendance = attendance_record(
        meeting=MeetingFactory(project=personas.project, past=True),
        person=person or personas.participant.person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal(hours),
        recorded_by=personas.staff,
    )
    return Payment.objects.get(attendance=attendance)


def _claim(personas, *, amount="12.40", status=ClaimStatus.SUBMITTED, **fields) -> ExpenseClaim:
    return ExpenseClaim.objects.create(
        person=fields.pop("person", personas.participant.person),
        project=fields.pop("project", personas.project),
        spent_on=timezone.localdate(),
        category="travel",
        amount=Decimal(amount),
        status=status,
        **fields,
    )


def _url(name: str, payment: Payment) -> str:
    return reverse(name, kwargs={"slug": payment.project.slug, "payment_id": payment.public_id})


def _claim_url(name: str, claim: ExpenseClaim) -> str:
    return reverse(name, kwargs={"slug": claim.project.slug, "claim_id": claim.public_id})


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_payment_for_hours_is_hours_times_rate_rounded_half_up_to_the_penny(personas):
    fee = _fee(personas, hours="2.5", rate="18.33")

    assert Decimal("2.5") * Decimal("18.33") == Decimal("45.825")
    assert fee.amount == Decimal("45.83")
    assert fee.status == PaymentStatus.OWED


def test_a_per_session_payment_is_the_session_rate_whatever_the_hours(personas):
    fee = _fee(personas, hours="3.75", rate="25.50", basis=FeeBasis.PER_SESSION)

    assert fee.amount == Decimal("25.50")


def test_a_payment_goes_owed_approved_paid_and_its_history_shows_who_and_when(
    staff_client, personas
):
    fee = _fee(personas)
    ledger = reverse("projects:payments", kwargs={"slug": personas.project.slug})

    response = staff_client.post(_url("projects:payment_approve", fee), {"next": ledger})
    assert response.status_code == 302
    assert response["Location"] == ledger
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED
    assert fee.approved_by == personas.staff

    response = staff_client.post(
        _url("projects:payment_paid", fee),
        {"paid_on": timezone.localdate().isoformat(), "reference": "BACS-0042"},
    )
    assert response.status_code == 302
    fee.refresh_from_db()
    assert (fee.status, fee.reference, fee.paid_on) == (
        PaymentStatus.PAID,
        "BACS-0042",
        timezone.localdate(),
    )

    records = list(fee.history.order_by("history_date", "history_id"))
    assert [record.status for record in records] == ["owed", "approved", "paid"]
    assert [record.history_user for record in records[1:]] == [personas.staff] * 2
    assert all(record.history_date <= timezone.now() for record in records)

    page = staff_client.get(_url("projects:payment", fee)).content.decode()
    assert page.count(escape(str(personas.staff))) >= 2
    assert (
        records[-1]
        .history_date.astimezone(timezone.get_current_timezone())
        .strftime("%d %b %Y, %H:%M")
        .lstrip("0")
        in page
    )


def test_a_paid_payment_cannot_be_edited_and_its_reversal_nets_the_totals_to_zero(
    staff_client, personas
):
    fee = _fee(personas, rate="17.50")
    payment_approve(payment=fee, approved_by=personas.staff)
    fee = payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")

    fee.amount = Decimal("1.00")
    with pytest.raises(PaidPaymentLocked):
        fee.save()

    response = staff_client.post(
        _url("projects:payment_reverse", fee), {"reason": "Paid twice by mistake."}
    )

    assert response.status_code == 302
    reversal = Payment.objects.get(reverses=fee)
    assert reversal.kind == PaymentKind.REVERSAL
    assert reversal.signed_amount == Decimal("-35.00")
    fee.refresh_from_db()
    assert fee.amount == Decimal("35.00")
    totals = project_payment_totals(personas.project)
    assert totals.fees[PaymentStatus.PAID] == Decimal("0.00")
    assert project_budget(personas.project)["spent"] == Decimal("0.00")
    ledger = staff_client.get(reverse("projects:payments", kwargs={"slug": personas.project.slug}))
    assert "−£35.00" in ledger.content.decode()


def test_reversing_a_payment_twice_is_refused_with_a_message_not_an_error(staff_client, personas):
    fee = _fee(personas)
    payment_approve(payment=fee, approved_by=personas.staff)
    payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")
    staff_client.post(_url("projects:payment_reverse", fee), {"reason": "Wrong person."})

    response = staff_client.post(
        _url("projects:payment_reverse", fee), {"reason": "Again."}, follow=True
    )

    assert response.status_code == 200
    assert "already been reversed" in " ".join(_messages(response))
    assert Payment.objects.filter(reverses=fee).count() == 1


@pytest.mark.parametrize("outcome", [PaymentStatus.DECLINED, PaymentStatus.CANCELLED])
def test_declining_or_cancelling_a_payment_needs_a_reason(staff_client, personas, outcome):
    fee = _fee(personas)

    response = staff_client.post(
        _url("projects:payment_decline", fee), {"new_status": outcome, "reason": "  "}
    )

    assert response.status_code == 200
    assert "Give a reason, so that everyone knows why." in response.content.decode()
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.OWED

    response = staff_client.post(
        _url("projects:payment_decline", fee),
        {"new_status": outcome, "reason": "They asked not to be paid this time."},
    )

    assert response.status_code == 302
    fee.refresh_from_db()
    assert fee.status == outcome
    assert fee.reason == "They asked not to be paid this time."


def test_a_paid_payment_cannot_be_declined_and_staff_are_told_why(staff_client, personas):
    fee = _fee(personas)
    payment_approve(payment=fee, approved_by=personas.staff)
    payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")

    response = staff_client.post(
        _url("projects:payment_decline", fee),
        {"new_status": PaymentStatus.CANCELLED, "reason": "Oops"},
        follow=True,
    )

    assert response.status_code == 200
    assert "A fee that is paid cannot be declined or cancelled." in _messages(response)


def test_the_benefits_warning_blocks_payment_approval_until_staff_confirm(staff_client, personas):
    person = personas.participant.person
    person.receives_benefits = True
    person.save()
    fee = _fee(personas)

    response = staff_client.post(_url("projects:payment_approve", fee))

    page = response.content.decode()
    assert response.status_code == 200
    assert "receives benefits and has no permitted work form in place" in page
    assert "I have checked this with them" in page
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.OWED

    response = staff_client.post(_url("projects:payment_approve", fee), {"confirming": "1"})

    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.OWED

    response = staff_client.post(
        _url("projects:payment_approve", fee), {"confirming": "1", "benefits_checked": "on"}
    )

    assert response.status_code == 302
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED


def test_the_payment_ledger_warns_about_benefits_before_approval(staff_client, personas):
    person = personas.participant.person
    person.receives_benefits = True
    person.permitted_work_form = True
    person.save()
    fee = _fee(personas)

    ledger = staff_client.get(reverse("projects:payments", kwargs={"slug": personas.project.slug}))
    detail = staff_client.get(_url("projects:payment", fee))

    assert "receives benefits" in ledger.content.decode()
    assert "has a permitted work form" in detail.content.decode()


def test_the_payment_ledger_escapes_what_people_typed_in_every_row(staff_client, personas):
    """The ledger's rows are put together in Python (projects/views/ledger_rows.py), not by
    the template engine: a name, an activity and a reason are escaped there all the same."""
    person = PersonFactory(full_name="<b>Bold</b> O'Brien")
    owed = _fee(personas, person=person)
    Payment.objects.filter(pk=owed.pk).update(activity="<i>Group</i> & co")
    paid = _fee(personas, person=person)
    Payment.objects.filter(pk=paid.pk).update(
        status=PaymentStatus.PAID, paid_on=timezone.localdate(), reference="<ref>"
    )

    page = staff_client.get(
        reverse("projects:payments", kwargs={"slug": personas.project.slug})
    ).content.decode()

    assert "<b>Bold</b>" not in page and "<i>Group</i>" not in page and "<ref>" not in page
    assert page.count(f'<th scope="row">{escape(person.full_name)}</th>') == 2
    assert f"{escape('<i>Group</i> & co')}</a>" in page
    assert f"reference {escape('<ref>')}" in page
    assert f'Approve<span class="visually-hidden"> {escape(person.full_name)}\'s fee' in page


amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("50.00"), places=2, allow_nan=False
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    owed=st.lists(amounts, max_size=40),
    paid=st.lists(amounts, max_size=40),
    reversed_count=st.integers(min_value=0, max_value=40),
)
def test_payment_totals_add_up_to_the_penny_for_many_small_amounts(
    personas, owed, paid, reversed_count
):
    Payment.objects.filter(project=personas.project, kind=PaymentKind.REVERSAL).delete()
    Payment.objects.filter(project=personas.project).delete()
    person = personas.participant.person

    def fee(amount, status, **fields):
        return Payment(
            person=person,
            project=personas.project,
            activity="Session",
            amount=amount,
            status=status,
            **fields,
        )

    Payment.objects.bulk_create([fee(amount, PaymentStatus.OWED) for amount in owed])
    paid_fees = Payment.objects.bulk_create([fee(amount, PaymentStatus.PAID) for amount in paid])
    reversed_fees = paid_fees[:reversed_count]
    Payment.objects.bulk_create(
        [
            fee(original.amount, PaymentStatus.PAID, kind=PaymentKind.REVERSAL, reverses=original)
            for original in reversed_fees
        ]
    )

    totals = project_payment_totals(personas.project)

    assert totals.fees[PaymentStatus.OWED] == sum(owed, Decimal("0.00"))
    expected_paid = sum(paid, Decimal("0.00")) - sum(
        (original.amount for original in reversed_fees), Decimal("0.00")
    )
    assert totals.fees[PaymentStatus.PAID] == expected_paid
    assert totals.fees[PaymentStatus.PAID].as_tuple().exponent == -2


def test_a_payment_budget_warns_at_80_percent_and_again_at_100(staff_client, personas):
    payment_policy_update(project=personas.project, budget=Decimal("100.00"))
    ledger_url = reverse("projects:payments", kwargs={"slug": personas.project.slug})
    project_url = reverse("projects:detail", kwargs={"slug": personas.project.slug})

    _claim(personas, amount="79.99")
    budget = project_budget(personas.project)
    assert (budget["level"], budget["share_used"]) == ("ok", 79)
    assert "Warning:" not in staff_client.get(ledger_url).content.decode()

    _claim(personas, amount="0.01", status=ClaimStatus.PAID)
    budget = project_budget(personas.project)
    assert (budget["level"], budget["share_used"]) == ("warning", 80)
    assert (budget["spent"], budget["committed"]) == (Decimal("0.01"), Decimal("79.99"))
    for url in (ledger_url, project_url):
        page = staff_client.get(url).content.decode()
        assert "Warning:</strong> 80% of the budget is spent or committed" in page

    _fee(personas, hours="1", rate="20.00")
    budget = project_budget(personas.project)
    assert (budget["level"], budget["remaining"]) == ("over", Decimal("0.00"))
    for url in (ledger_url, project_url):
        page = staff_client.get(url).content.decode()
        assert "Over budget:</strong> 100% of the budget is spent or committed" in page


def test_a_payment_budget_that_is_not_set_says_so_rather_than_warning(staff_client, personas):
    _claim(personas, amount="10.00")

    budget = project_budget(personas.project)
    page = staff_client.get(reverse("projects:detail", kwargs={"slug": personas.project.slug}))

    assert (budget["share_used"], budget["level"]) == (None, "ok")
    assert "No involvement budget has been set" in page.content.decode()


def test_the_payment_ledger_filters_by_status_and_shows_25_a_page(staff_client, personas):
    person = personas.participant.person
    Payment.objects.bulk_create(
        Payment(
            person=person,
            project=personas.project,
            activity=f"Session {index}",
            amount=Decimal("10.00"),
            status=PaymentStatus.APPROVED if index % 3 == 0 else PaymentStatus.OWED,
        )
        for index in range(60)
    )
    url = reverse("projects:payments", kwargs={"slug": personas.project.slug})

    everything = staff_client.get(url)
    approved = staff_client.get(url, {"status": "approved"})
    nonsense = staff_client.get(url, {"status": "nonsense"})

    assert len(everything.context["page"].object_list) == 25
    assert everything.context["page"].paginator.count == 60
    assert approved.context["page"].paginator.count == 20
    assert nonsense.context["page"].paginator.count == 60
    assert "£600.00" in everything.content.decode()
    assert "£200.00" in approved.content.decode()


def _ledger_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("tab", ["fees", "claims"])
def test_the_payment_ledger_runs_the_same_queries_for_10_and_1000_payments(
    staff_client, personas, tab
):
    people = [PersonFactory() for _ in range(5)]
    url = reverse("projects:payments", kwargs={"slug": personas.project.slug})
    if tab == "claims":
        url += "?show=claims"

    def add(count: int) -> None:
        Payment.objects.bulk_create(
            Payment(
                person=people[index % 5],
                project=personas.project,
                activity=f"Session {index}",
                amount=Decimal("12.34"),
                status=list(PaymentStatus)[index % 5],
            )
            for index in range(count)
        )
        ExpenseClaim.objects.bulk_create(
            ExpenseClaim(
                person=people[index % 5],
                project=personas.project,
                spent_on=date(2026, 1, 1),
                category="travel",
                amount=Decimal("3.20"),
                status=list(ClaimStatus)[index % 4],
            )
            for index in range(count)
        )
        # Rows made in bulk send no signals: their people's kept earnings are counted here.
        earnings_recount_all()

    add(10)
    with_10 = _ledger_queries(staff_client, url)
    add(990)
    with_1000 = _ledger_queries(staff_client, url)

    # With 1000 fees everyone is over the trading allowance, so the fees tab reads their
    # effects on benefits; with 10 nobody is near it, and it does not.
    assert with_1000 == LEDGER_QUERIES[tab]
    assert with_10 == LEDGER_QUERIES[tab] - (2 if tab == "fees" else 0)


# The signed-in user; the project; the fee and claim totals by status (which also count the
# rows for the pages) with the budget, in one query; one page of rows; for fees where someone
# on the page is on benefits or has come near the trading allowance, the benefit rules and
# the fees of the page's people in the periods concerned, with their benefits answers.
LEDGER_QUERIES = {"fees": 6, "claims": 4}


def test_an_expense_claim_is_approved_or_rejected_with_a_reason_the_person_sees(
    staff_client, personas
):
    to_approve, to_reject = _claim(personas), _claim(personas, amount="30.00")

    response = staff_client.post(
        _claim_url("projects:claim_decide", to_reject), {"decision": "reject", "reason": ""}
    )
    assert response.status_code == 200
    assert "Give a reason for not approving the claim" in response.content.decode()
    to_reject.refresh_from_db()
    assert to_reject.status == ClaimStatus.SUBMITTED

    staff_client.post(
        _claim_url("projects:claim_decide", to_reject),
        {"decision": "reject", "reason": "Taxis are covered only with a note from us."},
    )
    staff_client.post(_claim_url("projects:claim_decide", to_approve), {"decision": "approve"})

    to_reject.refresh_from_db()
    to_approve.refresh_from_db()
    assert to_reject.status == ClaimStatus.REJECTED
    assert to_reject.reason == "Taxis are covered only with a note from us."
    assert (to_reject.decided_by, to_approve.decided_by) == (personas.staff, personas.staff)
    assert to_approve.status == ClaimStatus.APPROVED
    assert to_approve.history.latest().history_user == personas.staff


def test_deciding_an_expense_claim_twice_is_refused_with_a_message(staff_client, personas):
    claim = _claim(personas)
    claim_decide(claim=claim, decided_by=personas.staff, approve=True)

    with pytest.raises(PaymentError, match="already been decided"):
        claim_decide(claim=claim, decided_by=personas.staff, approve=False, reason="No")
    response = staff_client.post(
        _claim_url("projects:claim_decide", claim),
        {"decision": "reject", "reason": "Changed my mind"},
        follow=True,
    )

    assert response.status_code == 200
    assert "This claim has already been decided: it is approved." in _messages(response)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_an_approved_expense_claim_is_marked_paid_with_a_reference(staff_client, personas):
    claim = _claim(personas, status=ClaimStatus.APPROVED)

    refused = staff_client.post(
        _claim_url("projects:claim_paid", claim),
        {"paid_on": (timezone.localdate() + timedelta(days=1)).isoformat(), "reference": "X"},
    )
    assert "Enter today&#x27;s date or an earlier one." in refused.content.decode()

    staff_client.post(
        _claim_url("projects:claim_paid", claim),
        {"paid_on": timezone.localdate().isoformat(), "reference": "EXP-7"},
    )

    claim.refresh_from_db()
    assert (claim.status, claim.reference) == (ClaimStatus.PAID, "EXP-7")


def test_the_expense_claim_ledger_links_to_the_receipt(staff_client, personas, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    claim = _claim(personas, receipt=ContentFile(b"%PDF-1.4 ticket", name="ticket.pdf"))
    url = reverse("projects:payments", kwargs={"slug": personas.project.slug})

    page = staff_client.get(url, {"show": "claims"}).content.decode()

    receipt_url = reverse("projects:claim_receipt", kwargs={"claim_id": claim.public_id})
    assert f'href="{receipt_url}"' in page
    assert staff_client.get(receipt_url).status_code == 200


def test_the_payment_policy_form_checks_rates_budget_and_a_payment_method(staff_client, personas):
    url = reverse("projects:payment_policy", kwargs={"slug": personas.project.slug})
    good = {
        "fee_basis": FeeBasis.PER_HOUR,
        "fee_rate": "18.33",
        "covers_travel": "on",
        "covers_mileage": "on",
        "mileage_rate": "0.45",
        "offers_voucher": "on",
        "budget": "2500.00",
    }

    bad = staff_client.post(
        url,
        {
            **good,
            "fee_rate": "500.01",
            "mileage_rate": "5.50",
            "budget": "-1",
            "offers_voucher": "",
        },
    )

    page = bad.content.decode()
    assert bad.status_code == 200
    assert "Enter an amount from £0 to £500, like 18.50." in page
    assert "Enter an amount from £0 to £5, like 18.50." in page
    assert "Enter an amount from £0 to £99,999,999.99, like 18.50." in page
    assert "Offer at least one way to pay" in page
    assert not PaymentPolicy.objects.filter(project=personas.project).exists()

    response = staff_client.post(url, good)

    assert response.status_code == 302
    policy = PaymentPolicy.objects.get(project=personas.project)
    assert (policy.fee_rate, policy.budget) == (Decimal("18.33"), Decimal("2500.00"))
    assert (policy.offers_bank_transfer, policy.offers_voucher) == (False, True)
    assert policy.covers_food is False


def test_the_overdue_payments_panel_lists_the_oldest_fees_and_claims_first(
    staff_client, personas, settings
):
    settings.COPROD_PAYMENT_OVERDUE_DAYS = 14
    now = timezone.now()
    fee = _fee(personas)
    Payment.objects.filter(pk=fee.pk).update(owed_since=now - timedelta(days=20))
    old_claim = _claim(personas, status=ClaimStatus.APPROVED)
    ExpenseClaim.objects.filter(pk=old_claim.pk).update(submitted_at=now - timedelta(days=30))
    recent_claim = _claim(personas)
    ExpenseClaim.objects.filter(pk=recent_claim.pk).update(submitted_at=now - timedelta(days=13))
    paid_claim = _claim(personas, status=ClaimStatus.PAID)
    ExpenseClaim.objects.filter(pk=paid_claim.pk).update(submitted_at=now - timedelta(days=40))

    with CaptureQueriesContext(connection) as queries:
        panel = overdue_payments_panel()

    assert len(queries) == 4
    assert (panel["fee_count"], panel["claim_count"]) == (1, 1)
    assert [item.public_id for item in panel["items"]] == [old_claim.public_id, fee.public_id]
    page = staff_client.get(reverse("pages:dashboard")).content.decode()
    assert "Overdue payments" in page
    assert "Waiting more than 14 days: 1 fee and 1 expense claim" in page
    assert page.index(str(old_claim.public_id)) < page.index(str(fee.public_id))


def test_the_overdue_payments_panel_runs_the_same_queries_however_many_are_waiting(personas):
    old = timezone.now() - timedelta(days=60)

    def add(count: int) -> None:
        Payment.objects.bulk_create(
            Payment(
                person=personas.participant.person,
                project=personas.project,
                activity="Session",
                amount=Decimal("5.00"),
                owed_since=old,
            )
            for _ in range(count)
        )

    add(2)
    with CaptureQueriesContext(connection) as few:
        overdue_payments_panel()
    add(300)
    with CaptureQueriesContext(connection) as many:
        panel = overdue_payments_panel()

    assert len(few) == len(many)
    assert panel["fee_count"] == 302
    assert len(panel["items"]) == 8


def test_staff_payment_pages_refuse_participants_and_commissioners(client, personas):
    fee = _fee(personas)
    claim = _claim(personas)
    gets = [
        reverse("projects:payments", kwargs={"slug": personas.project.slug}),
        reverse("projects:payment_policy", kwargs={"slug": personas.project.slug}),
        _url("projects:payment", fee),
        _claim_url("projects:claim", claim),
        reverse("projects:finance"),
    ]
    posts = [
        _url("projects:payment_approve", fee),
        _url("projects:payment_decline", fee),
        _url("projects:payment_paid", fee),
        _url("projects:payment_reverse", fee),
        _claim_url("projects:claim_decide", claim),
        _claim_url("projects:claim_paid", claim),
    ]
    for user in (personas.participant, personas.commissioner, personas.ungranted_commissioner):
        client.force_login(user)
        for url in gets:
            assert client.get(url).status_code == 403, url
        for url in posts:
            response = client.post(
                url, {"decision": "approve", "reason": "x", "new_status": "cancelled"}
            )
            assert response.status_code == 403, url
    fee.refresh_from_db()
    claim.refresh_from_db()
    assert (fee.status, claim.status) == (PaymentStatus.OWED, ClaimStatus.SUBMITTED)


def test_a_payment_of_another_project_is_not_found_under_this_one(staff_client, personas):
    fee = _fee(personas)
    url = reverse(
        "projects:payment",
        kwargs={"slug": personas.other_project.slug, "payment_id": fee.public_id},
    )

    assert staff_client.get(url).status_code == 404


def test_a_paid_payment_is_read_only_in_the_admin(staff_client, personas):
    fee = _fee(personas)
    owed_page = staff_client.get(reverse("admin:projects_payment_change", args=[fee.pk]))
    payment_approve(payment=fee, approved_by=personas.staff)
    payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="R1")

    paid_page = staff_client.get(reverse("admin:projects_payment_change", args=[fee.pk]))
    post = staff_client.post(
        reverse("admin:projects_payment_change", args=[fee.pk]), {"amount": "1.00"}
    )

    assert 'name="amount"' in owed_page.content.decode()
    assert paid_page.status_code == 200
    assert 'name="amount"' not in paid_page.content.decode()
    assert post.status_code == 403
    fee.refresh_from_db()
    assert fee.amount == Decimal("40.00")
    changelist = staff_client.get(reverse("admin:projects_payment_changelist"))
    assert changelist.status_code == 200
    assert staff_client.get(reverse("admin:projects_expenseclaim_changelist")).status_code == 200
    project_admin = staff_client.get(
        reverse("admin:projects_project_change", args=[personas.project.pk])
    )
    assert "payment_policy-0-fee_rate" in project_admin.content.decode()


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234.5"), "£1,234.50"),
        (Decimal("0.005"), "£0.01"),
        (Decimal("-35"), "−£35.00"),
        ("45.825", "£45.83"),
    ],
)
def test_the_money_filter_shows_payment_amounts_in_pounds_and_pence(amount, shown):
    rendered = Template("{% load coprod_tags %}{{ amount|money }}").render(
        Context({"amount": amount})
    )

    assert rendered == shown
    assert Decimal(str(amount)).quantize(Decimal("0.01"), ROUND_HALF_UP) == Decimal(
        shown.replace("£", "").replace(",", "").replace("−", "-")
    )


def test_the_status_filter_shows_the_status_asked_for_and_each_tabs_own_statuses(
    staff_client, personas
):
    url = reverse("projects:payments", kwargs={"slug": personas.project.slug})

    asked = staff_client.get(url, {"status": "approved"}).content.decode()
    assert '<option value="approved" selected>' in asked

    fees = staff_client.get(url).content.decode()
    assert '<option value="approved" selected>' not in fees
    assert '<option value="owed">Owed</option>' in fees

    claims = staff_client.get(url, {"show": "claims"}).content.decode()
    assert '<option value="submitted">Waiting for a decision</option>' in claims
    assert '<option value="owed">' not in claims


def test_the_overdue_payments_panel_reads_only_what_it_shows_of_people(personas):
    """Bank details, addresses and the rest of a person's row are no business of the
    dashboard, and reading whole rows made the panel slow."""
    fee = _fee(personas)
    Payment.objects.filter(pk=fee.pk).update(owed_since=timezone.now() - timedelta(days=60))

    with CaptureQueriesContext(connection) as queries:
        panel = overdue_payments_panel()

    assert [item.person_name for item in panel["items"]] == [fee.person.full_name]
    read = " ".join(query["sql"] for query in queries)
    assert "bank_account_number" not in read
    assert "address" not in read


@pytest.mark.parametrize("show", ["", "claims"])
def test_the_totals_table_rows_are_what_the_template_loop_showed(staff_client, personas, show):
    """The totals rows are put together in the view (_totals_rows): they must read as the
    template's loop over (label, total) wrote them, each label and amount escaped."""
    _fee(personas, hours="1.5", rate="13.33")
    _claim(personas, amount="1234.56")
    _claim(personas, amount="0.07", status=ClaimStatus.PAID)
    url = reverse("projects:payments", kwargs={"slug": personas.project.slug})

    page = staff_client.get(url, {"show": show} if show else {}).content.decode()

    totals = project_payment_totals(personas.project)
    by_status, choices = (
        (totals.claims, ClaimStatus.choices) if show else (totals.fees, PaymentStatus.choices)
    )
    expected = Template(
        '{% load coprod_tags %}{% for label, total in rows %}<tr><th scope="row">{{ label }}'
        '</th><td class="text-end">{{ total|money }}</td></tr>{% endfor %}'
    ).render(Context({"rows": [(label, by_status[value]) for value, label in choices]}))
    assert expected in page
    assert ("£1,234.56" if show else "£20.00") in expected
