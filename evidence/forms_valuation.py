"""Forms for the valuation: an outcome, staff time, optimism bias and the upload of the
organisation's unit values. Every message says what to do, beside its field."""

from decimal import Decimal

from django import forms
from django.utils.html import format_html

from coprod.core.forms import BoundedModelChoiceField, DayField, PoundsField
from evidence.models import (
    MeasureQuestion,
    QuantitySource,
    StaffTime,
    UnitValue,
    ValuationOutcome,
)
from evidence.services_valuation import IMPORT_COLUMNS, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS
from projects.models import Project

PERCENT_MESSAGE = "Enter a percentage from 0 to 100, like 25 or 12.5."


def percent_form_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": PERCENT_MESSAGE,
            "invalid": PERCENT_MESSAGE,
            "min_value": PERCENT_MESSAGE,
            "max_value": PERCENT_MESSAGE,
            "max_digits": PERCENT_MESSAGE,
            "max_decimal_places": "Enter no more than 2 decimal places, like 12.5.",
            "max_whole_digits": PERCENT_MESSAGE,
        },
    )


class QuestionChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, question: MeasureQuestion) -> str:
        return f"{question.measure.name}: {question.short_name}"


class ValuationOutcomeForm(forms.ModelForm):
    unit_value = BoundedModelChoiceField(
        label="Unit value",
        queryset=UnitValue.objects.none(),
        empty_label="Choose a unit value",
        help_text="What one unit of this outcome is worth, from a published source.",
        error_messages={
            "required": "Choose the unit value this outcome is valued with.",
            "invalid_choice": "Choose one of the unit values in the list.",
        },
    )
    quantity_source = forms.ChoiceField(
        label="Where does the quantity come from?",
        choices=QuantitySource.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose where the quantity comes from.",
            "invalid_choice": "Choose where the quantity comes from.",
        },
    )
    quantity = forms.DecimalField(
        label="Quantity (if you counted it)",
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="How many units: for example 12 people housed, or 30 nights.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter a number, like 12 or 4.5.",
            "min_value": "Enter a number that is 0 or more.",
            "max_digits": "This number is too big. Check it and enter it again.",
            "max_whole_digits": "This number is too big. Check it and enter it again.",
            "max_decimal_places": "Enter no more than 2 decimal places.",
        },
    )
    question = QuestionChoiceField(
        label="Measure question (if it comes from a measure)",
        queryset=MeasureQuestion.objects.none(),
        required=False,
        empty_label="Choose a question",
        help_text="The quantity is the total change from the baseline among the people who "
        "answered at the baseline and at a follow-up. For life satisfaction (0 to 10) each "
        "point for one person is one WELLBY.",
        error_messages={"invalid_choice": "Choose one of the questions in the list."},
    )
    deadweight = percent_form_field(
        "Deadweight (%)", "How much of the outcome would have happened anyway."
    )
    attribution = percent_form_field(
        "Attribution (%)", "How much of it is due to other people or services."
    )
    displacement = percent_form_field(
        "Displacement (%)", "How much of it only moved a problem somewhere else."
    )
    drop_off = percent_form_field(
        "Drop-off (% a year)", "How much of it fades each year after the first."
    )
    duration = forms.TypedChoiceField(
        label="How many years does it last?",
        coerce=int,
        choices=[(years, years) for years in range(1, 11)],
        initial=1,
        error_messages={
            "required": "Choose how many years it lasts, from 1 to 10.",
            "invalid_choice": "Choose how many years it lasts, from 1 to 10.",
        },
    )

    class Meta:
        model = ValuationOutcome
        fields = [
            "name",
            "unit_value",
            "quantity_source",
            "quantity",
            "quantity_note",
            "question",
            "deadweight",
            "attribution",
            "displacement",
            "drop_off",
            "duration",
        ]
        labels = {"name": "Name of the outcome", "quantity_note": "How was it counted?"}
        help_texts = {"name": "For example: People whose life satisfaction rose."}
        error_messages = {"name": {"required": "Enter the name of the outcome."}}
        widgets = {"quantity_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["unit_value"].queryset = UnitValue.objects.order_by("name")
        self.fields["question"].queryset = (
            MeasureQuestion.objects.filter(measure__in=project.measures.values("measure"))
            .select_related("measure")
            .order_by("measure__name", "position")
        )

    def clean(self):
        cleaned = super().clean()
        # Only what the chosen source needs is kept, so the other never lingers unseen.
        if cleaned.get("quantity_source") == QuantitySource.MEASURE:
            cleaned["quantity"], cleaned["quantity_note"] = None, ""
        elif cleaned.get("quantity_source") == QuantitySource.ENTERED:
            cleaned["question"] = None
        return cleaned


class StaffTimeForm(forms.ModelForm):
    worked_on = DayField(label="Date")
    hours = forms.DecimalField(
        label="Hours",
        min_value=Decimal("0.25"),
        max_value=1000,
        max_digits=6,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the hours, like 3 or 1.5.",
            "invalid": "Enter the hours, like 3 or 1.5.",
            "min_value": "Enter at least a quarter of an hour (0.25).",
            "max_value": "Enter no more than 1,000 hours at a time.",
            "max_digits": "Enter no more than 1,000 hours at a time.",
            "max_whole_digits": "Enter no more than 1,000 hours at a time.",
            "max_decimal_places": "Enter no more than 2 decimal places, like 1.25.",
        },
    )
    hourly_cost = PoundsField(
        label="Hourly cost, including on-costs",
        maximum=Decimal(10000),
        example="£28.50",
        help_text="Pay plus employer's National Insurance and pension for one hour.",
    )

    class Meta:
        model = StaffTime
        fields = ["worked_on", "what", "hours", "hourly_cost"]
        labels = {"what": "What was the time spent on?"}
        help_texts = {"what": "For example: Planning the workshop and writing up notes."}
        error_messages = {"what": {"required": "Say what the time was spent on."}}


class OptimismBiasForm(forms.Form):
    optimism_bias = percent_form_field(
        "Optimism bias (%)",
        "A reduction to the benefits for the tendency to over-estimate them. Enter 0 if you "
        "have no reason to reduce them.",
    )


class UnitValueUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "invalid": "Choose a CSV file to upload.",
            "empty": "The file is empty.",
        },
    )

    def __init__(self, *args, template_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = format_html(
            "A CSV file saved as UTF-8, up to 1 MB and {} unit values, with a heading row and "
            'these columns: {}. <a href="{}">Download a template CSV file</a>.',
            f"{IMPORT_MAX_ROWS:,}",
            ", ".join(IMPORT_COLUMNS),
            template_url,
        )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                "The file is larger than 1 MB. Split it into smaller files."
            )
        return upload.read()
