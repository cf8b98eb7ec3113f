"""Being paid: the person's own choice of how (none is assumed), and the bank details for a
bank transfer, encrypted at rest, masked on every page, in full only in the finance
download of approved payments and in the person's own data export."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from projects.models import AttendanceStatus, Payment, PaymentStatus
from projects.selectors.payments import FinanceRow, finance_add_bank_details
from projects.services.meetings import attendance_record
from projects.services.payments import (
    BankDetailsError,
    PaymentError,
    bank_details_save,
    payment_approve,
    payment_choices_save,
    payment_mark_paid,
    payment_policy_update,
)
from stakeholders.models import PaymentMethod, Person
from stakeholders.privacy import person_data_export, person_erase
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db

NAME = "Pat Q Participant"
SORT_CODE = "112233"
ACCOUNT = "73344512"
CLEAR_TEXTS = [SORT_CODE, ACCOUNT, NAME, "11-22-33"]


def _give_bank_details(person: Person, recorded_by) -> Person:
    return bank_details_save(
        person=person,
        account_name=NAME,
        sort_code=SORT_CODE,
        account_number=ACCOUNT,
        recorded_by=recorded_by,
    )


def _fee(personas, person: Person, *, approve: bool = True) -> Payment:
    """A fee owed the real way, by attending a meeting; approved unless told otherwise."""
    payment_policy_update(project=personas.project, fee_rate=Decimal("20.00"))
    meeting = MeetingFactory(project=personas.project, past=True)
    attendance = attendance_record(
        meeting=meeting,
        person=person,
        status=AttendanceStatus.ATTENDED,
        hours=Decimal("2"),
        recorded_by=personas.staff,
    )
    fee = Payment.objects.get(attendance=attendance)
    if approve:
        fee = payment_approve(payment=fee, approved_by=personas.staff)
    return fee


def _raw(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# No way of being paid is assumed --------------------------------------------------------


def test_a_new_person_has_not_chosen_how_to_be_paid():
    person = Person.objects.create(full_name="Newly Added")

    assert person.payment_method == ""
    assert person.payment_method_label == "Not chosen yet"


def test_a_fee_for_someone_who_has_not_chosen_has_no_method_and_cannot_be_marked_paid(
    personas,
):
    person = PersonFactory(payment_method="")
    fee = _fee(personas, person)

    assert fee.method == ""
    with pytest.raises(PaymentError, match="has not chosen how to be paid yet"):
        payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="BACS-1")
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED


def test_staff_are_told_why_the_fee_cannot_be_paid_with_a_link_to_record_the_choice(
    staff_client, personas
):
    person = PersonFactory(payment_method="")
    fee = _fee(personas, person)
    page_url = reverse("projects:payment", args=[personas.project.slug, fee.public_id])

    refused = staff_client.post(
        reverse("projects:payment_paid", args=[personas.project.slug, fee.public_id]),
        {"paid_on": timezone.localdate().isoformat(), "reference": "BACS-1"},
        follow=True,
    )
    ledger = staff_client.get(reverse("projects:payments", args=[personas.project.slug]))

    assert any("has not chosen how to be paid yet" in text for text in _messages(refused))
    choices_url = reverse("projects:person_payment_choices", args=[person.public_id])
    assert refused.redirect_chain[-1][0] == page_url
    assert choices_url in refused.content.decode()
    assert "Not chosen yet" in refused.content.decode()
    assert choices_url in ledger.content.decode()
    fee.refresh_from_db()
    assert fee.status == PaymentStatus.APPROVED


def test_once_they_choose_their_unpaid_fees_take_that_method_and_can_be_paid(
    participant_client, personas
):
    person = personas.participant.person
    Person.objects.filter(pk=person.pk).update(payment_method="")
    person.refresh_from_db()
    fee = _fee(personas, person)
    assert fee.method == ""

    participant_client.post(
        reverse("projects:payment_choices"), {"payment_method": PaymentMethod.VOUCHER}
    )

    fee.refresh_from_db()
    assert fee.method == PaymentMethod.VOUCHER
    paid = payment_mark_paid(payment=fee, paid_on=timezone.localdate(), reference="V-1")
    assert paid.status == PaymentStatus.PAID


def test_my_payments_page_says_no_choice_is_made_yet(participant_client, personas):
    Person.objects.filter(pk=personas.participant.person.pk).update(payment_method="")

    html = participant_client.get(reverse("projects:my_payments")).content.decode()

    assert "You have not told us how you would like to be paid yet" in html


def test_the_finance_page_shows_not_chosen_yet_with_a_link_to_record_it(staff_client, personas):
    person = PersonFactory(payment_method="")
    _fee(personas, person)

    html = staff_client.get(reverse("projects:finance")).content.decode()

    assert "Not chosen yet" in html
    assert reverse("projects:person_payment_choices", args=[person.public_id]) in html


# Entering bank details --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort_code", "account_number", "saved_sort_code", "saved_account"),
    [
        ("30-94-57", "73344512", "309457", "73344512"),
        ("30 94 57", "7334 4512", "309457", "73344512"),
        (" 309457 ", "7334-4512", "309457", "73344512"),
        ("30–94–57", "3344512", "309457", "03344512"),
    ],
)
def test_bank_details_are_accepted_as_people_write_them(
    participant_client, personas, sort_code, account_number, saved_sort_code, saved_account
):
    response = participant_client.post(
        reverse("projects:bank_details"),
        {"account_name": NAME, "sort_code": sort_code, "account_number": account_number},
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=personas.participant.person.pk)
    assert (person.bank_account_name, person.bank_sort_code, person.bank_account_number) == (
        NAME,
        saved_sort_code,
        saved_account,
    )
    assert person.bank_details_recorded_by == personas.participant


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("account_name", "", "Enter the name on the account."),
        ("account_name", "x" * 101, "The name on the account must be 100 characters or fewer."),
        ("sort_code", "", "Enter your sort code, for example 30-94-57."),
        ("sort_code", "30-94-5", "A sort code is 6 digits, for example 30-94-57. This has 5."),
        ("sort_code", "30945712", "A sort code is 6 digits, for example 30-94-57. This has 8."),
        ("sort_code", "3O-94-57", "A sort code is numbers only, for example 30-94-57."),
        ("sort_code", "1" * 21, "A sort code is 6 digits, for example 30-94-57."),
        ("account_number", "", "Enter your account number, for example 00733445."),
        ("account_number", "123456", "An account number is 8 digits, for example 00733445. "),
        ("account_number", "123456789", "An account number is 8 digits, for example 00733445."),
        ("account_number", "7334451a", "An account number is numbers only, for example 00733445."),
        ("account_number", "١٢٣٤٥٦٧٨", "An account number is numbers only"),
    ],
)
def test_each_wrong_answer_gets_its_own_message_and_nothing_is_saved(
    participant_client, personas, field, value, message
):
    answers = {"account_name": NAME, "sort_code": "30-94-57", "account_number": ACCOUNT}

    response = participant_client.post(reverse("projects:bank_details"), {**answers, field: value})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0].startswith(message)
    assert Person.objects.get(pk=personas.participant.person.pk).bank_sort_code is None


def test_after_an_error_the_name_and_sort_code_stay_and_the_account_number_too_if_it_was_right(
    participant_client, personas
):
    url = reverse("projects:bank_details")

    wrong_sort_code = participant_client.post(
        url, {"account_name": NAME, "sort_code": "30-94", "account_number": ACCOUNT}
    )
    wrong_account = participant_client.post(
        url, {"account_name": NAME, "sort_code": "30-94-57", "account_number": "1234"}
    )

    kept = wrong_sort_code.content.decode()
    assert f'value="{NAME}"' in kept and 'value="30-94"' in kept and f'value="{ACCOUNT}"' in kept
    asked_again = wrong_account.content.decode()
    assert f'value="{NAME}"' in asked_again and 'value="30-94-57"' in asked_again
    assert 'value="1234"' not in asked_again
    field = wrong_account.context["form"]["account_number"]
    assert field.value() == ""


def test_the_form_asks_for_numbers_the_gov_uk_way(participant_client):
    html = participant_client.get(reverse("projects:bank_details")).content.decode()

    assert "6 digits, for example 30-94-57" in html
    assert html.count('inputmode="numeric"') == 2
    assert html.count('spellcheck="false"') == 3
    assert 'autocomplete="name"' in html


def test_bank_details_are_asked_for_only_from_someone_paid_by_bank_transfer(
    participant_client, personas
):
    Person.objects.filter(pk=personas.participant.person.pk).update(
        payment_method=PaymentMethod.VOUCHER
    )

    response = participant_client.post(
        reverse("projects:bank_details"),
        {"account_name": NAME, "sort_code": SORT_CODE, "account_number": ACCOUNT},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("projects:payment_choices")
    assert Person.objects.get(pk=personas.participant.person.pk).bank_sort_code is None
    with pytest.raises(BankDetailsError):
        _give_bank_details(Person.objects.get(pk=personas.participant.person.pk), None)


def test_choosing_bank_transfer_leads_on_to_the_bank_details(participant_client, personas):
    Person.objects.filter(pk=personas.participant.person.pk).update(payment_method="")

    response = participant_client.post(
        reverse("projects:payment_choices"), {"payment_method": PaymentMethod.BANK_TRANSFER}
    )

    assert response["Location"] == reverse("projects:bank_details")


def test_choosing_a_voucher_instead_deletes_the_bank_details(personas):
    person = _give_bank_details(personas.participant.person, personas.participant)

    payment_choices_save(
        person=person,
        payment_method=PaymentMethod.VOUCHER,
        declines_payment=False,
        recorded_by=personas.participant,
    )

    person.refresh_from_db()
    assert (person.bank_account_name, person.bank_sort_code, person.bank_account_number) == (
        None,
        None,
        None,
    )


# Encrypted at rest --------------------------------------------------------------------------


def test_the_database_holds_no_bank_details_in_clear_nor_their_history(personas):
    person = _give_bank_details(personas.participant.person, personas.staff)
    columns = "SELECT bank_account_name, bank_sort_code, bank_account_number FROM "

    current = _raw(columns + "stakeholders_person WHERE id = %s", [person.pk])
    history = _raw(columns + "stakeholders_historicalperson WHERE id = %s", [person.pk])

    stored = [value for row in current + history for value in row if value]
    assert len(current) == 1 and len(stored) >= 3
    for value in stored:
        assert value.startswith("gAAAAA")  # a Fernet token
        for clear in CLEAR_TEXTS:
            assert clear not in value
    assert Person.objects.get(pk=person.pk).bank_account_number == ACCOUNT
    assert person.history.first().bank_account_number == ACCOUNT


def test_bank_details_stored_under_another_key_are_refused_never_shown_scrambled(
    personas, settings
):
    from cryptography.fernet import Fernet
    from django.core.exceptions import ImproperlyConfigured

    person = _give_bank_details(personas.participant.person, personas.staff)
    rotated = Fernet.generate_key().decode()
    # The new key first, the old one after it: what was stored still reads.
    settings.COPROD_FIELD_ENCRYPTION_KEYS = [rotated, *settings.COPROD_FIELD_ENCRYPTION_KEYS]
    _forget_cached_keys()
    assert Person.objects.get(pk=person.pk).bank_account_number == ACCOUNT

    settings.COPROD_FIELD_ENCRYPTION_KEYS = [rotated]
    _forget_cached_keys()
    with pytest.raises(ImproperlyConfigured, match="COPROD_FIELD_ENCRYPTION_KEYS"):
        Person.objects.get(pk=person.pk)
    _forget_cached_keys()


def _forget_cached_keys() -> None:
    for name in ("bank_account_name", "bank_sort_code", "bank_account_number"):
        field = Person._meta.get_field(name)
        for cached in ("keys", "f"):
            field.__dict__.pop(cached, None)


# Masked on every page ----------------------------------------------------------------------


def _assert_masked(html: str) -> None:
    assert "••••4512" in html and "••-••-33" in html
    for clear in (SORT_CODE, ACCOUNT, "11-22-33"):
        assert clear not in html


def test_the_person_sees_their_bank_details_masked_and_never_prefilled(
    participant_client, personas
):
    _give_bank_details(personas.participant.person, personas.participant)

    _assert_masked(participant_client.get(reverse("projects:my_payments")).content.decode())
    _assert_masked(participant_client.get(reverse("projects:bank_details")).content.decode())
    form = participant_client.get(reverse("projects:bank_details")).context["form"]
    assert all(form[name].value() is None for name in form.fields)


def test_staff_see_bank_details_masked_on_the_person_payment_ledger_and_finance_pages(
    staff_client, personas
):
    person = _give_bank_details(personas.participant.person, personas.participant)
    fee = _fee(personas, person)
    slug = personas.project.slug

    for url in [
        reverse("projects:person", args=[person.public_id]),
        reverse("projects:payment", args=[slug, fee.public_id]),
        reverse("projects:finance"),
    ]:
        _assert_masked(staff_client.get(url).content.decode())
    ledger = staff_client.get(reverse("projects:payments", args=[slug])).content.decode()
    assert "••••4512" in ledger and ACCOUNT not in ledger


def test_changes_to_bank_details_show_masked_in_the_persons_history(staff_client, personas):
    person = _give_bank_details(personas.participant.person, personas.participant)
    bank_details_save(
        person=person,
        account_name=NAME,
        sort_code="401276",
        account_number="11112222",
        recorded_by=personas.staff,
    )

    html = staff_client.get(reverse("projects:person", args=[person.public_id])).content.decode()

    assert "••••4512 → ••••2222" in html
    assert "••-••-33 → ••-••-76" in html
    for clear in (SORT_CODE, ACCOUNT, "401276", "11112222"):
        assert clear not in html


def test_staff_recording_bank_details_are_marked_as_on_their_behalf(staff_client, personas):
    person = personas.participant.person

    staff_client.post(
        reverse("projects:person_bank_details", args=[person.public_id]),
        {"account_name": NAME, "sort_code": SORT_CODE, "account_number": ACCOUNT},
    )

    person.refresh_from_db()
    assert person.bank_details_recorded_by == personas.staff
    staff_page = staff_client.get(reverse("projects:person", args=[person.public_id]))
    assert escape(f"Recorded by {personas.staff} on behalf of {person.full_name}") in (
        staff_page.content.decode()
    )
    staff_client.force_login(personas.participant)
    mine = staff_client.get(reverse("projects:my_payments")).content.decode()
    assert escape(f"recorded by {personas.staff} on your behalf") in mine


def test_the_admin_never_shows_bank_details(admin_client, personas):
    person = _give_bank_details(personas.participant.person, personas.participant)

    html = admin_client.get(
        reverse("admin:stakeholders_person_change", args=[person.pk])
    ).content.decode()

    assert "bank_account_number" not in html
    for clear in (SORT_CODE, ACCOUNT):
        assert clear not in html


# The finance download ------------------------------------------------------------------------


def _finance_csv(staff_client) -> list[dict]:
    today = timezone.localdate()
    response = staff_client.get(
        reverse("projects:finance"),
        {
            "date_from": (today - timedelta(days=10)).isoformat(),
            "date_to": today.isoformat(),
            "format": "csv",
        },
    )
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_finance_download_has_bank_details_in_full_for_approved_fees_only(
    staff_client, personas
):
    approved = _give_bank_details(personas.participant.person, personas.participant)
    _fee(personas, approved)
    not_approved = _give_bank_details(personas.other_participant.person, personas.staff)
    _fee(personas, not_approved, approve=False)
    paid = _fee(personas, not_approved)
    payment_mark_paid(payment=paid, paid_on=timezone.localdate(), reference="BACS-9")

    rows = _finance_csv(staff_client)

    assert [
        (row["name"], row["account name"], row["sort code"], row["account number"]) for row in rows
    ] == [(approved.full_name, NAME, SORT_CODE, ACCOUNT)]
    assert not_approved.full_name not in str(rows)


def test_the_finance_download_has_no_bank_details_for_someone_paid_by_voucher(
    staff_client, personas
):
    person = _give_bank_details(personas.participant.person, personas.participant)
    fee = _fee(personas, person)
    Payment.objects.filter(pk=fee.pk).update(method=PaymentMethod.VOUCHER)

    rows = _finance_csv(staff_client)

    assert [(row["method"], row["sort code"], row["account number"]) for row in rows] == [
        ("Voucher", "", "")
    ]


@pytest.mark.parametrize("status", ["owed", "paid", "declined", "cancelled", "submitted"])
def test_bank_details_are_never_read_for_a_row_that_is_not_approved(personas, status):
    person = _give_bank_details(personas.participant.person, personas.participant)
    row = FinanceRow(
        type="fee",
        public_id=None,
        name=person.full_name,
        method="Bank transfer",
        amount=Decimal("20.00"),
        project="Crisis support",
        activity="Planning",
        owed_on=timezone.localdate(),
        person_id=person.pk,
        person_public_id=person.public_id,
        status=status,
        method_value=PaymentMethod.BANK_TRANSFER,
    )
    approved = FinanceRow(**{**row.__dict__, "status": PaymentStatus.APPROVED})

    finance_add_bank_details([row, approved])

    assert row.bank is None
    assert approved.bank is not None and approved.bank.account_number == ACCOUNT


# Erasure and exports -------------------------------------------------------------------------


def test_bank_details_are_erased_with_the_person(personas):
    person = _give_bank_details(personas.participant.person, personas.participant)

    person_erase(person=person, erased_by=personas.staff)

    person.refresh_from_db()
    assert person.bank_account_name is None
    assert person.bank_sort_code is None and person.bank_account_number is None
    raw = _raw(
        "SELECT bank_account_name, bank_sort_code, bank_account_number "
        "FROM stakeholders_historicalperson WHERE id = %s",
        [person.pk],
    )
    assert all(value is None for row in raw for value in row)


def test_my_own_data_export_has_my_bank_details_in_full(participant_client, personas):
    _give_bank_details(personas.participant.person, personas.participant)

    export = json.loads(participant_client.get(reverse("stakeholders:my_data_json")).content)

    assert export["person"]["bank_sort_code"] == SORT_CODE
    assert export["person"]["bank_account_number"] == ACCOUNT
    assert export["person"]["bank_account_name"] == NAME


def test_a_subject_access_export_taken_by_staff_has_them_masked_and_says_so(staff_client, personas):
    person = _give_bank_details(personas.participant.person, personas.participant)

    response = staff_client.post(
        reverse("stakeholders:sar", args=[person.public_id]),
        {"note": "Letter of 3 March", "format": "json"},
    )

    text = response.content.decode()
    export = json.loads(text)
    assert export["person"]["bank_sort_code"] == "••-••-33"
    assert export["person"]["bank_account_number"] == "••••4512"
    assert SORT_CODE not in text and ACCOUNT not in text
    assert any("bank details are shown with all but" in line for line in export["not_included"])


def test_the_staff_export_function_masks_and_the_own_one_does_not(personas):
    person = _give_bank_details(personas.participant.person, personas.participant)

    assert person_data_export(person)["person"]["bank_account_number"] == ACCOUNT
    assert person_data_export(person, for_staff=True)["person"]["bank_account_number"] == (
        "••••4512"
    )
