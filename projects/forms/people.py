from django import forms

from stakeholders.models import StakeholderGroup

MAX_SEARCH = 100


class PeopleFilterForm(forms.Form):
    """Who the people directory shows. A value that is not one of the choices is shown as
    an error beside its question and the list is not filtered by it."""

    q = forms.CharField(
        label="Name, email or phone number",
        required=False,
        max_length=MAX_SEARCH,
        error_messages={"max_length": f"Search for {MAX_SEARCH} characters or fewer."},
    )
    group = forms.ChoiceField(
        label="Stakeholder group",
        required=False,
        choices=[("", "Any group"), *StakeholderGroup.choices],
        error_messages={"invalid_choice": "Choose one of the groups listed."},
    )
    pool = forms.ChoiceField(
        label="In the involvement pool",
        required=False,
        choices=[("", "Either"), ("yes", "In the pool"), ("no", "Not in the pool")],
        error_messages={"invalid_choice": "Choose in the pool, not in the pool or either."},
    )
    consent = forms.ChoiceField(
        label="Consent to keep their details",
        required=False,
        choices=[
            ("", "Either"),
            ("given", "Consent stands"),
            ("not_given", "Not given or withdrawn"),
        ],
        error_messages={"invalid_choice": "Choose consent stands, not given, or either."},
    )

    def filters(self) -> dict:
        """The valid answers only, so one bad value never hides the whole list."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in self.fields}
