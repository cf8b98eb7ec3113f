from django import forms

from projects.models import Stage


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label="Move the project to",
        choices=Stage.choices,
        error_messages={
            "required": "Choose a stage.",
            "invalid_choice": "Choose one of the stages in the list.",
        },
    )
