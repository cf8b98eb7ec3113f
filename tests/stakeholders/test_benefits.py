"""What a participant may tell us about their benefits: on their own page or through staff,
only with consent, deleted when that consent is withdrawn or they are erased, and in their
data export. And the advice coprod gives about benefits is what the rules allow."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from projects.services.payments import benefits_warning
from stakeholders.models import (
    Benefits,
    BenefitsAnswers,
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    Person,
)
from stakeholders.privacy import person_data_export, person_erase
from stakeholders.services import benefits_answers_save, consent_withdraw

pytestmark = pytest.mark.django_db

ME = reverse("stakeholders:benefits")


def _person_url(person) -> str:
    return reverse("stakeholders:person_benefits", kwargs={"person_id": person.public_id})


def _standing(person) -> ConsentRecord | None:
    return ConsentRecord.objects.filter(
        person=person, kind=ConsentKind.BENEFITS, withdrawn_at=None
    ).first()


def _save(person, recorded_by, **answers) -> BenefitsAnswers:
    return benefits_answers_save(
        person=person,
        benefits=answers.get("benefits", Benefits.UC_HOUSING),
        uc_period_starts_on=answers.get("uc_period_starts_on", 14),
        permitted_work_form=answers.get("permitted_work_form", False),
        method=answers.get("method", ConsentMethod.ONLINE),
        recorded_by=recorded_by,
    )


def test_the_page_says_why_we_ask_and_that_it_is_optional(participant_client):
    html = participant_client.get(ME).content.decode()

    assert "so we can warn you before a payment could affect your benefits" in html
    assert "You do not have to tell us" in html
    assert "I agree, save my answers" in html
    assert escape("I would rather not say") in html


def test_my_payments_links_to_the_benefits_page(participant_client):
    html = participant_client.get(reverse("projects:my_payments")).content.decode()
    assert f'href="{ME}"' in html


def test_saving_answers_records_consent_and_sets_the_payment_warning(participant_client, personas):
    response = participant_client.post(
        ME, {"benefits": "uc_housing", "uc_period_starts_on": "14", "permitted_work_form": "on"}
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=personas.participant.person.pk)
    answers = person.benefits
    assert (answers.benefits, answers.uc_period_starts_on, answers.permitted_work_form) == (
        Benefits.UC_HOUSING,
        14,
        True,
    )
    consent = _standing(person)
    assert consent.method == ConsentMethod.ONLINE and "my benefits" in consent.wording.text
    assert person.receives_benefits and person.permitted_work_form
    assert not answers.recorded_for_them


@pytest.mark.parametrize("day", ["0", "32", "fourteenth", "1.5"])
def test_a_wrong_day_is_refused_clearly_and_nothing_is_saved(participant_client, personas, day):
    response = participant_client.post(ME, {"benefits": "uc_housing", "uc_period_starts_on": day})

    assert response.status_code == 200
    assert response.context["form"].errors["uc_period_starts_on"] == [
        "Enter a day of the month from 1 to 31, like 14, or leave it blank."
    ]
    assert f'value="{day}"' in response.content.decode()
    assert not BenefitsAnswers.objects.exists()
    assert _standing(personas.participant.person) is None


def test_nothing_chosen_is_refused_with_a_message(participant_client, personas):
    response = participant_client.post(ME, {})

    assert response.context["form"].errors["benefits"] == [
        "Choose which benefits you get, or “I would rather not say”."
    ]
    assert _standing(personas.participant.person) is None


def test_the_assessment_day_is_kept_only_for_universal_credit(personas):
    person = personas.participant.person
    answers = _save(person, personas.participant, benefits=Benefits.NEW_STYLE_ESA)
    assert answers.uc_period_starts_on is None
    person.refresh_from_db()
    assert person.receives_benefits


@pytest.mark.parametrize("benefits", [Benefits.NONE, Benefits.PREFER_NOT])
def test_no_benefits_or_rather_not_say_gives_no_payment_warning(personas, benefits):
    person = personas.participant.person
    _save(person, personas.participant, benefits=benefits)
    person.refresh_from_db()
    assert not person.receives_benefits


def test_staff_record_answers_on_behalf_with_how_the_person_agreed(client, staff_client, personas):
    person = personas.participant.person

    response = staff_client.post(
        _person_url(person),
        {
            "benefits": "new_style_esa",
            "permitted_work_form": "on",
            "consent_method": "phone",
            "agreed": "on",
        },
    )

    assert response.status_code == 302
    answers = BenefitsAnswers.objects.get(person=person)
    assert answers.recorded_by == personas.staff and answers.recorded_for_them
    consent = _standing(person)
    assert consent.method == ConsentMethod.PHONE and consent.recorded_by == personas.staff
    staff_page = staff_client.get(
        reverse("projects:person", kwargs={"person_id": person.public_id})
    ).content.decode()
    staff_name = escape(str(personas.staff))
    assert f"Recorded by {staff_name} on behalf of Pat Participant" in staff_page
    assert "New Style Employment and Support Allowance" in staff_page
    client.force_login(personas.participant)
    assert f"recorded by {staff_name} on your behalf" in client.get(ME).content.decode()


def test_staff_cannot_record_answers_without_saying_the_person_agreed(staff_client, personas):
    person = personas.participant.person

    response = staff_client.post(_person_url(person), {"benefits": "uc_housing"})

    errors = response.context["form"].errors
    assert errors["consent_method"] == ["Choose how they agreed: on paper, by phone or in person."]
    assert errors["agreed"] == [
        "Tick to confirm they agree. If they do not, do not record their answers."
    ]
    assert not BenefitsAnswers.objects.exists() and _standing(person) is None


def test_withdrawing_the_consent_deletes_the_answers_and_the_warning(participant_client, personas):
    person = personas.participant.person
    _save(person, personas.participant, permitted_work_form=True)

    response = participant_client.post(
        reverse("stakeholders:consent_withdraw", kwargs={"kind": "benefits"})
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert not BenefitsAnswers.objects.filter(person=person).exists()
    assert not person.receives_benefits and not person.permitted_work_form
    assert _standing(person) is None


def test_withdrawing_another_consent_keeps_the_answers(personas):
    person = personas.participant.person
    _save(person, personas.participant)

    consent_withdraw(person=person, kind=ConsentKind.EQUALITY, withdrawn_by=None)

    assert BenefitsAnswers.objects.filter(person=person).exists()


def test_erasing_the_person_deletes_the_answers(personas):
    person = personas.participant.person
    _save(person, personas.participant)

    person_erase(person=person, erased_by=personas.staff)

    person.refresh_from_db()
    assert not BenefitsAnswers.objects.filter(person=person).exists()
    assert not person.receives_benefits and not person.permitted_work_form


def test_nothing_can_be_recorded_for_an_erased_person(staff_client, personas):
    person = personas.participant.person
    person_erase(person=person, erased_by=personas.staff)

    response = staff_client.post(
        _person_url(person),
        {"benefits": "uc_housing", "consent_method": "phone", "agreed": "on"},
    )

    assert response.status_code == 302
    assert not BenefitsAnswers.objects.exists()


def test_the_answers_are_in_the_persons_data_export(participant_client, personas):
    person = personas.participant.person
    _save(person, personas.participant, uc_period_starts_on=3)

    export = json.loads(participant_client.get(reverse("stakeholders:my_data_json")).content)

    section = next(
        s for s in export["records"] if s["key"] == "stakeholders.BenefitsAnswers.person"
    )
    assert section["rows"][0]["benefits"] == Benefits.UC_HOUSING.label
    assert section["rows"][0]["uc_period_starts_on"] == 3
    assert section["rows"][0]["recorded_by"] == "you"
    staff_export = person_data_export(person, for_staff=True)
    assert any(s["key"] == "stakeholders.BenefitsAnswers.person" for s in staff_export["records"])


# The advice: a voucher is no way round the rules ---------------------------------------


def test_no_page_or_warning_suggests_a_voucher_to_protect_benefits(personas):
    participant_client, staff_client = Client(), Client()
    participant_client.force_login(personas.participant)
    staff_client.force_login(personas.staff)
    person = personas.participant.person
    person.receives_benefits = True
    warning = benefits_warning(person)
    pages = [
        participant_client.get(reverse("projects:payment_choices")).content.decode(),
        staff_client.get(
            reverse("projects:person_payment_choices", kwargs={"person_id": person.public_id})
        ).content.decode(),
        staff_client.get(
            reverse("projects:payment_policy", kwargs={"slug": personas.project.slug})
        ).content.decode(),
    ]

    assert "prefer a voucher" not in warning and "voucher" not in warning
    assert "decline the payment, ask for a lower amount, or have it paid to a charity" in warning
    for html in pages:
        assert "You could choose a voucher" not in html
        assert "talk to them about a voucher" not in html
        assert "some people on benefits prefer one" not in html
        assert "charity" in html
