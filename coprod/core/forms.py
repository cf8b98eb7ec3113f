"""Form fields every app uses, so that money, dates and ticked lists read the same
everywhere. Every message says what to do."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

DATE_MESSAGE = "Enter a date, like 14/07/2026."


class DayField(forms.DateField):
    """A date, from the browser's date picker or typed like 14/07/2026."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    # The date picker sends 2026-07-14; people typing write 14/07/2026 or 14/07/26.
    input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
    default_error_messages = {"required": DATE_MESSAGE, "invalid": DATE_MESSAGE}


class PoundsField(forms.DecimalField):
    """An amount of money in pounds and pence, as a Decimal, never a float. "£1,250.50" is
    read as 1250.50; `example` is an amount that fits the question, used in the messages."""

    # A text box, so that an amount can be typed as it is written, with a £ sign and commas.
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def __init__(
        self, *, maximum: Decimal, example: str, minimum: Decimal = Decimal("0"), **kwargs
    ):
        in_range = f"Enter an amount from £{minimum:,} to £{maximum:,}, like {example}."
        messages = {
            "required": f"Enter an amount in pounds, like {example}.",
            "invalid": f"Enter an amount in pounds, like {example}.",
            "min_value": in_range,
            "max_value": in_range,
            "max_decimal_places": f"Enter pounds and pence only, like {example}.",
        }
        super().__init__(
            min_value=minimum,
            max_value=maximum,
            decimal_places=2,
            error_messages={**messages, **kwargs.pop("error_messages", {})},
            **kwargs,
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("£", "").replace(",", "")
        return super().to_python(value)


# Database keys are 64-bit integers. A bigger number typed into a form or a URL is a wrong
# choice like any other, never a crash in the database driver (SQLite overflows on it).
KEY_RANGE = range(-(2**63), 2**63)


def _keys_fit(field: forms.ModelChoiceField, values) -> None:
    key = field.to_field_name or "pk"
    model_field = field.queryset.model._meta.get_field(key if key != "pk" else "id")
    if not isinstance(model_field, models.IntegerField):
        return
    for value in values:
        try:
            number = int(str(value).strip())
        except ValueError:
            continue  # not a number at all: Django's own check says so
        if number not in KEY_RANGE:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )


class BoundedModelChoiceField(forms.ModelChoiceField):
    """Django's ModelChoiceField, refusing a key too big for the database as a wrong choice."""

    def to_python(self, value):
        if value not in self.empty_values:
            _keys_fit(self, [value])
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's ModelMultipleChoiceField, refusing keys too big for the database."""

    def _check_values(self, value):
        _keys_fit(self, value)
        return super()._check_values(value)


class TickBoxesField(forms.ModelMultipleChoiceField):
    """Rows ticked in a list of tick boxes, each sent by its public id. `gone` says what to
    do when a row that was ticked has left the list since the page was shown."""

    def __init__(self, *, queryset, gone: str, **kwargs):
        super().__init__(
            queryset=queryset,
            to_field_name="public_id",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": gone, "invalid_pk_value": gone},
            **kwargs,
        )
