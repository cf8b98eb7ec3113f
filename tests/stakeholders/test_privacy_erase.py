"""Erasure: a participant asks, staff confirm, and what identifies them is gone everywhere
while counts, votes and money stay right."""

import re
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client
from django.urls import reverse

from decisions.models import Action, Vote
from decisions.services import voting_close
from evidence.selectors import report_for_project
from projects.models import ExpenseClaim, Payment
from stakeholders.models import EqualityMonitoring, ErasureRequest, Person, User
from stakeholders.privacy import (
    ERASED_NAME,
    ErasureError,
    data_export_record,
    erasure_confirm,
    erasure_request_make,
    person_erase,
)
from tests.factories.privacy import CLAIM_NOTE, SUPPORT_NOTE, give_everything
from tests.factories.roster import PersonFactory

PHONE = "+447700900123"
PREFERRED = "Pattiekins"


@pytest.fixture
def busy(personas):
    """Both participants share a meeting, a secret ballot and paid fees; staff wrote the
    participant's name, email and phone into minutes, an action and the admin's log."""
    person = personas.participant.person
    person.phone = PHONE
    person.preferred_name = PREFERRED
    person.address = "1 Acacia Avenue"
    person.save()
    ballot = give_everything(person, project=personas.project, staff=personas.staff)
    give_everything(
        personas.other_participant.person,
        project=personas.project,
        staff=personas.staff,
        secret_ballot=ballot,
    )
    meeting = personas.meeting
    meeting.minutes = "Pat Participant (participant@example.org, +447700900123) spoke first."
    meeting.save()
    Action.objects.create(
        decision=ballot,
        description="Ask the caretaker",
        owner="Pat Participant",
        due_on="2027-01-01",
    )
    LogEntry.objects.create(
        user=personas.staff,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message="[]",
    )
    data_export_record(
        person=person,
        exported_by=personas.staff,
        kind="subject_access",
        note="Pat Participant rang",
    )
    personas.ballot = ballot
    return personas


def _text_columns():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                yield model, field


def _where_found(text: str) -> list[str]:
    """Every table and column, in the whole database, that still holds `text` on its own
    ("participant@example.org", but not inside "other.participant@example.org")."""
    alone = re.compile(rf"(?<![\w.+-]){re.escape(text)}(?![\w-])", re.IGNORECASE)
    return [
        f"{model._meta.db_table}.{field.column}"
        for model, field in _text_columns()
        for value in model._base_manager.filter(**{f"{field.name}__icontains": text}).values_list(
            field.name, flat=True
        )
        if alone.search(str(value))
    ]


def _confirm(client, staff, person) -> None:
    erasure = erasure_request_make(person=person)
    client.force_login(staff)
    response = client.post(reverse("stakeholders:erasure_confirm", args=[erasure.public_id]))
    assert response.status_code == 302


def test_a_participant_asks_for_erasure_from_their_page(client, personas):
    client.force_login(personas.participant)

    page = client.get(reverse("stakeholders:erasure_request"))
    response = client.post(reverse("stakeholders:erasure_request"))

    assert b"Yes, erase my details" in page.content
    assert response["Location"] == reverse("pages:me")
    erasure = ErasureRequest.objects.get()
    assert erasure.person == personas.participant.person and erasure.confirmed_at is None


def test_asking_twice_makes_one_request(client, personas):
    client.force_login(personas.participant)

    client.post(reverse("stakeholders:erasure_request"))
    client.post(reverse("stakeholders:erasure_request"))

    assert ErasureRequest.objects.count() == 1


def test_asking_does_not_erase_anything_until_staff_confirm(client, personas):
    client.force_login(personas.participant)

    client.post(reverse("stakeholders:erasure_request"))

    personas.participant.person.refresh_from_db()
    assert personas.participant.person.full_name == "Pat Participant"
    assert personas.participant.person.erased_at is None


def test_staff_see_waiting_requests_with_the_persons_name(client, personas):
    erasure_request_make(person=personas.participant.person)
    client.force_login(personas.staff)

    response = client.get(reverse("stakeholders:erasure_requests"))

    assert b"Pat Participant" in response.content
    assert b"Erase now" in response.content


def test_after_erasure_the_old_name_email_and_phone_appear_nowhere_in_the_database(client, busy):
    _confirm(client, busy.staff, busy.participant.person)

    for old in ["Pat Participant", "participant@example.org", PHONE, "07700 900123", PREFERRED]:
        assert _where_found(old) == [], f"{old!r} is still stored"
    assert _where_found("1 Acacia Avenue") == []
    assert _where_found(SUPPORT_NOTE.split()[0] + " space") != []  # the other participant's
    assert _where_found("Olu Other") != []
    assert _where_found("other.participant@example.org") != []


def test_staff_free_text_keeps_its_sense_with_the_name_replaced(client, busy):
    _confirm(client, busy.staff, busy.participant.person)

    busy.meeting.refresh_from_db()
    assert busy.meeting.minutes.startswith(f"{ERASED_NAME} ([email removed], [phone removed])")
    assert Action.objects.get().owner == ERASED_NAME


def test_report_totals_and_vote_counts_are_unchanged_by_erasure(client, busy):
    def totals() -> dict:
        report = report_for_project(busy.project)
        engagement = {
            key: value
            for key, value in report["engagement"].items()
            if key not in ("groups", "chart")
        }
        return {
            "engagement": engagement,
            "payments": report["payments"],
            "power_sharing": report["power_sharing"],
            "cost_benefit": report["cost_benefit"],
            "votes": Counter(busy.ballot.votes.values_list("choice", "stakeholder_group")),
            "payment_total": sum(Payment.objects.values_list("amount", flat=True)),
            "claim_total": sum(ExpenseClaim.objects.values_list("amount", flat=True)),
        }

    before = totals()

    _confirm(client, busy.staff, busy.participant.person)

    assert totals() == before
    assert before["payment_total"] > 0
    assert sum(before["votes"].values()) == 2
    closed = voting_close(decision=busy.ballot)
    assert closed.vote_result.startswith("2 for, 0 against")


def test_payments_and_claims_keep_amount_date_and_reference_under_the_name_erased_person(
    client, busy
):
    person = busy.participant.person
    payment_before = Payment.objects.get(person=person)

    _confirm(client, busy.staff, person)

    payment = Payment.objects.get(pk=payment_before.pk)
    assert (payment.amount, payment.paid_on, payment.reference, payment.project) == (
        payment_before.amount,
        payment_before.paid_on,
        payment_before.reference,
        payment_before.project,
    )
    assert str(payment.person) == ERASED_NAME
    claim = ExpenseClaim.objects.get(person=person)
    assert (claim.note, claim.receipt.name) == ("", "")
    assert str(claim.person) == ERASED_NAME
    assert CLAIM_NOTE not in ExpenseClaim.history.filter(person=person).values_list(
        "note", flat=True
    )


def test_receipt_files_are_deleted_once_the_erasure_is_saved(
    client, busy, django_capture_on_commit_callbacks
):
    receipt = ExpenseClaim.objects.get(person=busy.participant.person).receipt.name
    assert default_storage.exists(receipt)

    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, busy.staff, busy.participant.person)

    assert not default_storage.exists(receipt)
    other = ExpenseClaim.objects.get(person=busy.other_participant.person).receipt.name
    assert default_storage.exists(other)


def test_votes_and_decision_participation_lose_their_link_but_keep_their_group(client, busy):
    _confirm(client, busy.staff, busy.participant.person)

    assert not Vote.objects.filter(person=busy.participant.person).exists()
    assert Vote.objects.filter(person=None, stakeholder_group="lived_experience").count() == 1
    assert busy.ballot.participants.filter(person=None).count() == 1


def test_the_person_keeps_no_identifying_field_and_leaves_every_project(client, busy):
    person = busy.participant.person

    _confirm(client, busy.staff, person)

    person.refresh_from_db()
    assert (person.full_name, person.preferred_name, person.email, str(person.phone)) == (
        ERASED_NAME,
        "",
        "",
        "",
    )
    assert (person.address, person.other_access_needs, person.in_pool) == ("", "", False)
    assert person.erased_at is not None
    assert not person.skills.exists()
    assert not EqualityMonitoring.objects.filter(person=person).exists()
    assert set(person.memberships.values_list("status", flat=True)) == {"left"}


def test_the_erased_login_is_deactivated_unusable_and_signed_out(client, busy):
    user = busy.participant
    participant_browser = Client()
    participant_browser.force_login(user)
    assert _sessions_of(user) == 1

    _confirm(client, busy.staff, user.person)

    user.refresh_from_db()
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.email.endswith("@erased.invalid") and user.name == ""
    assert not EmailAddress.objects.filter(user=user).exists()
    assert _sessions_of(user) == 0
    assert participant_browser.get(reverse("pages:me")).status_code == 302


def _sessions_of(user) -> int:
    return sum(
        session.get_decoded().get("_auth_user_id") == str(user.pk)
        for session in Session.objects.all()
    )


def test_confirming_twice_says_it_was_already_done(client, busy):
    erasure = erasure_request_make(person=busy.participant.person)
    erasure_confirm(request=erasure, confirmed_by=busy.staff)

    with pytest.raises(ErasureError):
        erasure_confirm(request=erasure, confirmed_by=busy.staff)


def test_the_done_list_shows_no_name_after_erasure(client, busy):
    _confirm(client, busy.staff, busy.participant.person)

    response = client.get(reverse("stakeholders:erasure_requests"))

    assert b"Pat Participant" not in response.content
    assert b"No requests are waiting." in response.content


def test_someone_without_a_login_can_be_erased(personas):
    person = PersonFactory(full_name="Paper Only", email="paper@example.org")

    person_erase(person=person, erased_by=personas.staff)

    person.refresh_from_db()
    assert person.full_name == ERASED_NAME and person.email == ""
    assert User.objects.count() == 5


def test_an_erased_person_cannot_ask_again(personas):
    person = personas.participant.person
    person_erase(person=person, erased_by=personas.staff)

    with pytest.raises(ErasureError):
        erasure_request_make(person=person)


def test_participants_cannot_confirm_an_erasure(client, personas):
    erasure = erasure_request_make(person=personas.other_participant.person)
    client.force_login(personas.participant)

    response = client.post(reverse("stakeholders:erasure_confirm", args=[erasure.public_id]))

    assert response.status_code == 403
    erasure.refresh_from_db()
    assert erasure.confirmed_at is None


# The apps whose tables hold what people and staff write (the admin's log included).
WRITTEN_IN = {"stakeholders", "projects", "decisions", "evidence", "admin"}


def _unique(model) -> set[str]:
    together = {name for names in model._meta.unique_together for name in names}
    constrained = {
        name
        for constraint in model._meta.constraints
        for name in getattr(constraint, "fields", ())
        if isinstance(constraint, models.UniqueConstraint)
    }
    return together | constrained


def _free_text_fields():
    """Every column people or staff write into, in every table (past versions included),
    except the person's and the login's own, which erasure resets field by field."""
    for model, field in _text_columns():
        if model._meta.app_label not in WRITTEN_IN or model in (Person, User):
            continue
        if field.primary_key or field.unique or field.choices or field.name in _unique(model):
            continue
        if isinstance(field, models.JSONField) or not field.editable and not field.blank:
            continue
        yield model, field


def test_every_identifier_copied_into_any_free_text_is_gone_after_erasure(client, busy):
    person = busy.participant.person
    identifiers = [
        "Pat Participant",
        PREFERRED,
        "participant@example.org",
        PHONE,
        "07700 900123",
        "+44 7700 900123",
    ]
    seeded = []
    for model, field in _free_text_fields():
        fitting = [text for text in identifiers if len(text) <= (field.max_length or 10_000)]
        text = ""
        for identifier in fitting:
            if len(f"{text} {identifier}.") <= (field.max_length or 10_000):
                text = f"{text} {identifier}."
        if text and model._base_manager.exists():
            model._base_manager.update(**{field.name: text.strip()})
            seeded.append(f"{model._meta.db_table}.{field.column}")
    assert len(seeded) > 30
    for identifier in identifiers:
        assert _where_found(identifier), identifier

    _confirm(client, busy.staff, person)

    for identifier in identifiers:
        assert _where_found(identifier) == [], f"{identifier!r} is still stored"
