from django import forms
from django.core.validators import MaxLengthValidator

SUPPORT_NOTE_MAX = 2000


class SupportNoteForm(forms.Form):
    # A validator rather than max_length: the box gets no maxlength, which would make a
    # browser cut a long note short without saying so.
    support_note = forms.CharField(
        label="What would help you come?",
        help_text="For example: a lift, an interpreter, someone to meet you, help with travel.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[
            MaxLengthValidator(
                SUPPORT_NOTE_MAX,
                message=f"Please keep this to {SUPPORT_NOTE_MAX} characters or fewer.",
            )
        ],
    )
