"""Forms for measures: the organisation's own measure, a project's measures and rounds, and
the answers (a person's own, or typed in by staff from a paper form)."""

from django import forms
from django.core.exceptions import ValidationError

from coprod.core.forms import BoundedModelChoiceField, DayField
from evidence.models import Measure, MeasureLicence, MeasureRound, MeasureScoring, RoundKind
from stakeholders.models import ConsentMethod

MAX_QUESTIONS = 40
QUESTION_MAX_LENGTH = 500
SCALE_LIMIT = 100
# Each point is a radio button: more than this and the question no longer fits a phone.
MAX_SCALE_POINTS = 21
WHOLE_NUMBER = "Enter a whole number, like 0 or 10."


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MeasureForm(forms.ModelForm):
    """The organisation's own measure. A measure others own the rights to (WEMWBS, SWEMWBS,
    the Outcomes Star) may only be used under a licence the organisation holds: the form
    asks for its details."""

    source_url = forms.URLField(
        label="Web address of the source (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://www.example.org/."},
    )
    higher_better = forms.CharField(
        label="Questions where a higher answer is better",
        help_text="One question per line, in the order people will answer them, in the "
        "measure's exact words.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    lower_better = forms.CharField(
        label="Questions where a lower answer is better (if any)",
        help_text="For example “How anxious did you feel yesterday?”. One question per line.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Measure
        fields = [
            "name",
            "description",
            "source",
            "source_url",
            "licence",
            "licence_details",
            "scale_min",
            "scale_min_label",
            "scale_max",
            "scale_max_label",
            "scoring",
            "meaningful_change",
            "meaningful_change_source",
        ]
        labels = {
            "name": "Name of the measure",
            "source": "Who publishes it",
            "source_url": "Web address of the source (optional)",
            "licence": "May the organisation use it freely?",
            "licence_details": "Licence details",
            "scoring": "How it is scored",
            "meaningful_change": "Smallest change that matters, in points (optional)",
            "meaningful_change_source": "Where that figure comes from",
        }
        help_texts = {
            "source": "The citation, for example “Office for National Statistics”.",
            "licence": "Some measures, such as WEMWBS, SWEMWBS and the Outcomes Star, may only "
            "be used under a licence from their owners. coprod never comes with them: the "
            "organisation adds them itself, and records the licence it holds.",
            "licence_details": "Needed when the organisation holds a licence: who holds it, "
            "its reference and until when, so anyone checking a report can see it is used "
            "with permission.",
            "meaningful_change": "From the measure's published guidance. Leave it blank if "
            "there is none.",
        }
        widgets = {
            "licence": forms.RadioSelect,
            "scoring": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 2}),
            "licence_details": forms.Textarea(attrs={"rows": 2}),
            "scale_min": forms.NumberInput(attrs={"class": "w-auto"}),
            "scale_max": forms.NumberInput(attrs={"class": "w-auto"}),
        }
        error_messages = {
            "name": {
                "required": "Enter the name of the measure.",
                "unique": "A measure with this name is already in the registry.",
            },
            "source": {"required": "Enter who publishes the measure."},
            "source_url": {"invalid": "Enter a web address, like https://www.example.org/."},
            "licence": {"required": "Choose whether the organisation may use it freely."},
            "scoring": {"required": "Choose how it is scored."},
            "scale_min": {"required": WHOLE_NUMBER, "invalid": WHOLE_NUMBER},
            "scale_max": {"required": WHOLE_NUMBER, "invalid": WHOLE_NUMBER},
            "meaningful_change": {
                "invalid": "Enter a number of points, like 1 or 2.5.",
                "min_value": "Enter a number of points of 0 or more.",
                "max_digits": "Enter a number of points under 1,000.",
                "max_whole_digits": "Enter a number of points under 1,000.",
                "max_decimal_places": "Enter no more than 2 decimal places.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence"].choices = MeasureLicence.choices
        self.fields["scoring"].choices = MeasureScoring.choices
        for name in ("scale_min", "scale_max"):
            self.fields[name].min_value = -SCALE_LIMIT
            self.fields[name].max_value = SCALE_LIMIT
            self.fields[name].widget.attrs.update(min=-SCALE_LIMIT, max=SCALE_LIMIT)
            self.fields[name].validators = [self._within_scale_limit]

    @staticmethod
    def _within_scale_limit(value: int) -> None:
        if not -SCALE_LIMIT <= value <= SCALE_LIMIT:
            raise ValidationError(f"Enter a whole number from -{SCALE_LIMIT} to {SCALE_LIMIT}.")

    def _questions(self, name: str) -> list[str]:
        lines = _lines(self.cleaned_data.get(name, ""))
        if any(len(line) > QUESTION_MAX_LENGTH for line in lines):
            self.add_error(name, f"Keep each question under {QUESTION_MAX_LENGTH} characters.")
        return lines

    def clean(self):
        cleaned = super().clean()
        higher = self._questions("higher_better")
        lower = self._questions("lower_better")
        if not higher and not lower:
            self.add_error("higher_better", "Enter at least one question, one per line.")
        elif len(higher) + len(lower) > MAX_QUESTIONS:
            self.add_error("higher_better", f"Enter no more than {MAX_QUESTIONS} questions.")
        low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
        if low is not None and high is not None and high - low > MAX_SCALE_POINTS - 1:
            self.add_error(
                "scale_max",
                f"Use a scale of no more than {MAX_SCALE_POINTS} points, like 0 to 10.",
            )
        if (
            cleaned.get("meaningful_change") is not None
            and not cleaned.get("meaningful_change_source", "").strip()
        ):
            self.add_error(
                "meaningful_change_source",
                "Enter where the smallest change that matters comes from, or leave the "
                "figure blank.",
            )
        cleaned["higher_better"], cleaned["lower_better"] = higher, lower
        return cleaned


class ProjectMeasureForm(forms.Form):
    measure = BoundedModelChoiceField(
        label="Which measure will the project ask people to answer?",
        queryset=Measure.objects.none(),
        empty_label="Choose a measure",
        error_messages={
            "required": "Choose a measure.",
            "invalid_choice": "That measure is no longer in the registry. Choose another.",
        },
    )

    def __init__(self, *args, used_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = Measure.objects.exclude(pk__in=used_ids).order_by(
            "-shipped", "name"
        )


class MeasureRoundForm(forms.Form):
    kind = forms.ChoiceField(
        label="Which round is it?",
        choices=RoundKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the baseline or a follow-up."},
    )
    name = forms.CharField(
        label="Name",
        max_length=MeasureRound._meta.get_field("name").max_length,
        help_text="For example: Baseline, After 6 months.",
        error_messages={
            "required": "Enter a name for the round, like “After 6 months”.",
            "max_length": "Keep the name under 60 characters.",
        },
    )
    opens_on = DayField(label="Opens on")
    closes_on = DayField(
        label="Closes on", help_text="People can answer until the end of this day."
    )


class AnswersForm(forms.Form):
    """One question per field, answered with radio buttons across the measure's scale."""

    def __init__(self, *args, measure: Measure, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        choices = [
            (str(value), str(value)) for value in range(measure.scale_min, measure.scale_max + 1)
        ]
        message = (
            f"Choose an answer from {measure.scale_min} ({measure.scale_min_label or 'lowest'}) "
            f"to {measure.scale_max} ({measure.scale_max_label or 'highest'})."
        )
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": message, "invalid_choice": message},
            )
        self.questions = list(questions)

    def question_fields(self):
        return [(question, self[f"q{question.pk}"]) for question in self.questions]

    def values(self) -> dict[int, int]:
        return {question.pk: self.cleaned_data[f"q{question.pk}"] for question in self.questions}


class MyAnswersForm(AnswersForm):
    agree = forms.BooleanField(
        label="I agree",
        error_messages={
            "required": "Tick “I agree” to let us keep your answers. If you would rather "
            "not, you do not have to answer."
        },
    )

    def __init__(self, *args, consented: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if consented:
            del self.fields["agree"]


class PaperAnswersForm(AnswersForm):
    """Staff type in answers someone gave on a paper form, with how they agreed to us
    keeping them."""

    person = BoundedModelChoiceField(
        label="Whose answers are these?",
        queryset=None,
        empty_label="Choose a person",
        error_messages={
            "required": "Choose whose answers these are.",
            "invalid_choice": "That person is no longer taking part. Choose another.",
        },
    )
    consent_method = forms.ChoiceField(
        label="How did they agree to us keeping their answers?",
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.ONLINE],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they agreed: on paper, by phone or in person."},
    )
    agreed = forms.BooleanField(
        label="They agree to the words above",
        error_messages={
            "required": "Tick to confirm they agree. If they do not, do not type in their answers."
        },
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda person: person.full_name
        self.order_fields(["person", *[f"q{q.pk}" for q in self.questions]])
