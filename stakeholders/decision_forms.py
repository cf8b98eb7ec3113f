"""Forms people taking part use from /me/: their vote on a decision, and where they think
their project is on the co-production ladder."""

from django import forms
from django.utils.html import format_html

from decisions.forms import ladder_choices
from decisions.models import Decision, VoteChoice
from decisions.services import choices_for

NOTE_MAX = 2000

# What each choice means, in plain words, shown beside its button.
VOTE_EXPLANATIONS = {
    VoteChoice.FOR: "I want this to happen.",
    VoteChoice.AGAINST: "I do not want this to happen.",
    VoteChoice.ABSTAIN: "I do not want to say either way.",
    VoteChoice.AGREE: "I am happy with this.",
    VoteChoice.STAND_ASIDE: "I have doubts, but I will not stop it.",
    VoteChoice.BLOCK: "I cannot accept this, and we need to talk again.",
}


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label="Your vote",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose one of the options, then save your vote.",
            "invalid_choice": "Choose one of the options shown.",
        },
    )

    def __init__(self, *args, decision: Decision, **kwargs) -> None:
        # Many votes share one page, so each form's ids carry its decision.
        kwargs.setdefault("auto_id", f"vote-{decision.public_id}-%s")
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.fields["choice"].choices = [
            (
                choice.value,
                format_html("<strong>{}</strong>: {}", choice.label, VOTE_EXPLANATIONS[choice]),
            )
            for choice in choices_for(decision)
        ]


class LadderForm(forms.Form):
    rung = forms.ChoiceField(
        label="Where do you think this project is now?",
        choices=ladder_choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the step that fits this project best."},
    )
    note = forms.CharField(
        label="Anything you want to add?",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. For example, why you chose this step.",
        error_messages={"max_length": f"Please keep this to {NOTE_MAX} characters or fewer."},
    )
