from django import forms

from coprod.core.forms import BoundedModelMultipleChoiceField
from stakeholders.models import AccessNeed, Availability, Skill, StakeholderGroup


class FinderForm(forms.Form):
    groups = forms.MultipleChoiceField(
        label="Who are you looking for?",
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave these empty to look for people in any group.",
    )
    skills = BoundedModelMultipleChoiceField(
        label="Skills and interests",
        queryset=Skill.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="People with at least one of the skills you choose.",
    )
    availability = forms.MultipleChoiceField(
        label="When do you need them?",
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="People free at one or more of the times you choose.",
    )
    supported_access = forms.MultipleChoiceField(
        label="Access support we can provide",
        choices=AccessNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "Choose all the support you can arrange. People who need support you have "
            "not chosen are then not shown, so that nobody is invited to something they "
            "cannot take part in. Leave these empty to see everyone, with their needs."
        ),
    )

    def leaves_out_some_access_needs(self) -> bool:
        """Whether people with some access need are kept out of the results."""
        chosen = len(self.cleaned_data.get("supported_access", []))
        return 0 < chosen < len(AccessNeed)
