from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from coprod.core.forms import (
    DATE_MESSAGE,
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    DayField,
    PoundsField,
    TickBoxesField,
)
from stakeholders.models import Person, Skill
from tests.factories.roster import PersonFactory


class MoneyForm(forms.Form):
    amount = PoundsField(label="Amount (£)", maximum=Decimal("500"), example="18.50")


class DateForm(forms.Form):
    on = DayField(label="Date")
    by = DayField(label="By when", required=False)


def _errors(form: forms.Form, name: str) -> list[str]:
    assert not form.is_valid()
    return form.errors[name]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("18.50", "18.50"), ("£18.5", "18.50"), (" £ 1,250.05 ", "1250.05"), ("0", "0")],
)
def test_pounds_are_read_as_decimals_with_a_pound_sign_and_commas(typed, amount):
    field = PoundsField(maximum=Decimal("99999.99"), example="18.50")

    cleaned = field.clean(typed)

    assert isinstance(cleaned, Decimal)
    assert cleaned == Decimal(amount)


def test_fractions_of_a_penny_are_refused():
    form = MoneyForm({"amount": "12.345"})

    assert _errors(form, "amount") == ["Enter pounds and pence only, like 18.50."]


@pytest.mark.parametrize("typed", ["-1", "500.01"])
def test_an_amount_out_of_range_says_the_range(typed):
    form = MoneyForm({"amount": typed})

    assert _errors(form, "amount") == ["Enter an amount from £0 to £500, like 18.50."]


@pytest.mark.parametrize("typed", ["", "£", "eighteen"])
def test_a_missing_or_unreadable_amount_asks_for_pounds(typed):
    form = MoneyForm({"amount": typed})

    assert _errors(form, "amount") == ["Enter an amount in pounds, like 18.50."]


def test_a_form_can_still_give_its_own_message():
    field = PoundsField(
        maximum=Decimal("5"), example="0.45", error_messages={"required": "Enter the rate."}
    )

    with pytest.raises(forms.ValidationError) as refused:
        field.clean("")
    assert refused.value.messages == ["Enter the rate."]


def test_pounds_are_typed_in_a_text_box_that_shows_a_number_keypad():
    html = str(MoneyForm()["amount"])

    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html


@pytest.mark.parametrize("typed", ["2026-07-14", "14/07/2026", "14/07/26"])
def test_a_date_is_read_from_the_date_picker_or_as_typed(typed):
    form = DateForm({"on": typed})

    assert form.is_valid()
    assert form.cleaned_data["on"] == date(2026, 7, 14)


def test_a_blank_optional_date_is_none():
    form = DateForm({"on": "2026-07-14", "by": ""})

    assert form.is_valid()
    assert form.cleaned_data["by"] is None


@pytest.mark.parametrize("typed", ["", "31/02/2026", "next week"])
def test_a_missing_or_impossible_date_says_how_to_write_one(typed):
    form = DateForm({"on": typed})

    assert _errors(form, "on") == [DATE_MESSAGE]


def test_a_date_is_shown_in_the_date_picker_format():
    html = str(DateForm(initial={"on": date(2026, 7, 14)})["on"])

    assert 'type="date"' in html
    assert 'value="2026-07-14"' in html


@pytest.mark.django_db
def test_ticked_rows_are_found_by_public_id_and_a_row_gone_from_the_list_says_so():
    kept, gone = PersonFactory(), PersonFactory()

    class TickForm(forms.Form):
        people = TickBoxesField(queryset=Person.objects.filter(pk=kept.pk), gone="Tick again.")

    ticked = TickForm({"people": [str(kept.public_id)]})
    assert ticked.is_valid()
    assert list(ticked.cleaned_data["people"]) == [kept]

    stale = TickForm({"people": [str(kept.public_id), str(gone.public_id)]})
    assert _errors(stale, "people") == ["Tick again."]


@pytest.mark.parametrize(
    "typed", ["99999999999999999999", "9223372036854775808", "-9223372036854775809"]
)
def test_a_key_too_big_for_the_database_is_a_wrong_choice_not_a_crash(db, typed):
    one = BoundedModelChoiceField(queryset=Skill.objects.all())
    many = BoundedModelMultipleChoiceField(queryset=Skill.objects.all())

    with pytest.raises(ValidationError) as single:
        one.clean(typed)
    with pytest.raises(ValidationError) as several:
        many.clean([typed])

    assert single.value.code == "invalid_choice"
    assert several.value.code == "invalid_choice"


def test_a_key_that_exists_is_still_chosen(db):
    skill = Skill.objects.create(name="Listening")
    assert BoundedModelChoiceField(queryset=Skill.objects.all()).clean(str(skill.pk)) == skill
    chosen = BoundedModelMultipleChoiceField(queryset=Skill.objects.all()).clean([str(skill.pk)])
    assert list(chosen) == [skill]
