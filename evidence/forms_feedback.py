from django import forms
from django.core.validators import MaxLengthValidator

from evidence.models import QUESTIONS
from evidence.models.feedback import COMMENT_MAX

NOTHING_GIVEN = "Answer at least one question, or write a comment."
SKIPPED = "skip"


def _point(value: str) -> int | None:
    return None if value == SKIPPED else int(value)


class MeetingFeedbackForm(forms.Form):
    """The three questions, each as radios with its own words for 1 to 5 (any may be
    skipped), and a comment."""

    comment = forms.CharField(
        label="Anything else you want to tell us? (optional)",
        help_text="What went well, or what would have helped you. The project team read "
        "this without your name, but if only a few people came they may guess who wrote it.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        # A validator, not max_length: the box gets no maxlength that would cut a long
        # comment short without saying so.
        validators=[
            MaxLengthValidator(
                COMMENT_MAX, message=f"Please keep this to {COMMENT_MAX} characters or fewer."
            )
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        questions = {
            question.field: forms.TypedChoiceField(
                label=question.text,
                # A way back out for someone changing answers who would rather not say; not
                # the empty value, or it would be chosen for them before they start.
                choices=[
                    *((str(value), label) for value, label in question.choices),
                    (SKIPPED, "I would rather not answer this"),
                ],
                coerce=_point,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": "Choose one of the answers given, or skip the question."
                },
            )
            for question in QUESTIONS
        }
        self.fields = {**questions, "comment": self.fields["comment"]}

    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(question.field) for question in QUESTIONS]
        nothing_chosen = all(answer is None for answer in given)
        if not self.errors and nothing_chosen and not cleaned.get("comment", "").strip():
            raise forms.ValidationError(NOTHING_GIVEN)
        return cleaned
