"""What a person tells us about their benefits: the form they fill in, and the one staff
fill in on their behalf."""

from django import forms

from stakeholders.models import Benefits, ConsentMethod

DAY_OF_MONTH = "Enter a day of the month from 1 to 31, like 14, or leave it blank."


class BenefitsForm(forms.Form):
    CHOOSE_ONE = "Choose which benefits you get, or “I would rather not say”."

    benefits = forms.ChoiceField(
        label="Which benefits do you get?",
        choices=Benefits.choices,
        widget=forms.RadioSelect,
    )
    uc_period_starts_on = forms.IntegerField(
        label="If you get Universal Credit: on which day of the month does your assessment "
        "period start?",
        help_text="It is on your Universal Credit statement, for example 14 for “14 May to "
        "13 June”. If you do not know, leave it blank.",
        required=False,
        min_value=1,
        max_value=31,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "3", "class": "w-auto"}),
    )
    permitted_work_form = forms.BooleanField(
        label="I have a permitted work form (PW1) in place",
        help_text="People on ESA fill in a PW1 to tell the Jobcentre they do some paid "
        "work. Only tick this if you have sent one.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefits"].error_messages["required"] = self.CHOOSE_ONE
        day = self.fields["uc_period_starts_on"]
        for code in ("invalid", "min_value", "max_value"):
            day.error_messages[code] = DAY_OF_MONTH


class StaffBenefitsForm(BenefitsForm):
    """The same questions, recorded by staff for someone, in staff's words, with how the
    person agreed to us keeping the answers."""

    CHOOSE_ONE = "Choose which benefits they get, or “They would rather not say”."
    LABELS = {
        "benefits": "Which benefits do they get?",
        "uc_period_starts_on": "If they get Universal Credit: on which day of the month does "
        "their assessment period start?",
        "permitted_work_form": "They have a permitted work form (PW1) in place",
    }

    consent_method = forms.ChoiceField(
        label="How did they agree to us keeping these answers?",
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.ONLINE],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they agreed: on paper, by phone or in person."},
    )
    agreed = forms.BooleanField(
        label="They agree to the words above",
        error_messages={
            "required": "Tick to confirm they agree. If they do not, do not record their answers."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        self.fields["benefits"].choices = [
            (value, STAFF_BENEFITS_LABELS.get(value, label)) for value, label in Benefits.choices
        ]
        self.fields[
            "uc_period_starts_on"
        ].help_text = (
            "It is on their Universal Credit statement. Leave it blank if they do not know."
        )
        self.fields["permitted_work_form"].help_text = "Only tick this if they have sent one."


STAFF_BENEFITS_LABELS = {
    Benefits.NONE: "They do not get any benefits",
    Benefits.PREFER_NOT: "They would rather not say",
}


def initial_from(answers) -> dict:
    if answers is None:
        return {}
    return {
        "benefits": answers.benefits or None,
        "uc_period_starts_on": answers.uc_period_starts_on,
        "permitted_work_form": answers.permitted_work_form,
    }
