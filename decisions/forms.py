"""Forms for the staff decision pages. Every message says what to do, beside its field."""

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html

from coprod.core.forms import DayField
from decisions.models import LADDER_EXPLANATIONS, Action, Decision, LadderRung, VoteChoice
from decisions.services import choices_for
from projects.forms.meetings import MeetingChoiceField
from projects.models import Meeting
from stakeholders.forms import PersonChoiceField
from stakeholders.models import Person

REASON_REQUIRED = (
    "This decision has been made, so say why you are changing it. The reason is kept with "
    "its history."
)


LOCKED_WHILE_VOTING = {
    "status": "Voting is open. Close voting to apply the rule and record the outcome.",
    "method": "Voting is open, so how it is decided cannot change. Close voting first.",
}


NO_LONGER_CHOOSABLE = "Someone you ticked is no longer a member of this project. Tick again."


def ladder_choices() -> list[tuple[str, str]]:
    """Each rung with its one-line explanation beside it, so staff learn as they choose."""
    return [
        (
            rung.value,
            format_html(
                '<strong>{}</strong> <span class="d-block small">{}</span>',
                rung.label,
                LADDER_EXPLANATIONS[rung],
            ),
        )
        for rung in LadderRung
    ]


class DecisionForm(forms.ModelForm):
    participants = PersonChoiceField(
        label="Who took part",
        help_text="Members of the project. Each person's stakeholder group is recorded as it "
        "is today, and kept as it was on the day.",
        gone=NO_LONGER_CHOOSABLE,
    )
    proposers = PersonChoiceField(
        label="Who proposed it",
        help_text="Whoever proposed it is recorded as taking part too.",
        gone=NO_LONGER_CHOOSABLE,
    )
    meeting = MeetingChoiceField(
        label="The meeting it was made at",
        required=False,
        empty_label="Not made at a meeting",
        error_messages={"invalid_choice": "Choose one of this project's meetings."},
    )
    decided_on = DayField(
        label="Date", error_messages={"required": "Enter the date of the decision."}
    )
    ladder_rung = forms.ChoiceField(
        label="How co-produced was it?",
        choices=ladder_choices,
        widget=forms.RadioSelect,
        help_text="The co-production ladder, lowest rung first.",
        error_messages={"required": "Choose how co-produced the decision was."},
    )

    class Meta:
        model = Decision
        fields = [
            "title",
            "question",
            "options",
            "outcome",
            "rationale",
            "stage",
            "method",
            "meeting",
            "decided_on",
            "status",
            "ladder_rung",
            "anonymous_voting",
            "you_said",
            "we_did",
            "difference_made",
            "progress",
        ]
        labels = {
            "title": "Title",
            "question": "The question",
            "options": "Options considered",
            "outcome": "What was decided",
            "rationale": "Why",
            "stage": "Co-production stage",
            "method": "How it was decided",
            "status": "Status",
            "anonymous_voting": "Secret ballot",
            "you_said": "You said",
            "we_did": "We did",
            "difference_made": "The difference it made",
            "progress": "Progress",
        }
        help_texts = {
            "outcome": "Leave empty while the decision is open.",
            "status": "Voting, if used, sets this when it closes.",
            "you_said": "What participants asked for, in plain English. Shown on the public "
            "board with no names.",
        }
        error_messages = {
            "title": {"required": "Give the decision a title."},
            "question": {"required": "Say what question was being decided."},
            "method": {"required": "Choose how it was decided."},
        }
        widgets = {
            "question": forms.Textarea(attrs={"rows": 2}),
            "options": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "you_said": forms.Textarea(attrs={"rows": 2}),
            "we_did": forms.Textarea(attrs={"rows": 2}),
            "difference_made": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self,
        *args,
        people: QuerySet[Person],
        meetings: QuerySet[Meeting],
        needs_reason: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people
        self.fields["proposers"].queryset = people
        self.fields["meeting"].queryset = meetings
        if needs_reason:
            self.fields["change_reason"] = forms.CharField(
                label="Why are you changing it?",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="This decision has been made. Your reason is kept with its history.",
                error_messages={"required": REASON_REQUIRED},
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        # The instance still holds the stored values here: the form copies what was typed
        # onto it only after clean().
        stored = self.instance
        if stored.pk is None:
            return cleaned
        if stored.voting_open:
            for name, message in LOCKED_WHILE_VOTING.items():
                if name in cleaned and cleaned[name] != getattr(stored, name):
                    self.add_error(name, message)
        secret_ballot_ended = stored.anonymous_voting and not cleaned.get("anonymous_voting", True)
        if secret_ballot_ended and (stored.voting_open or stored.votes.exists()):
            self.add_error(
                "anonymous_voting",
                "People voted in secret, so this stays a secret ballot. Nobody sees who voted how.",
            )
        return cleaned

    def decision_fields(self) -> dict:
        """The cleaned values that belong on the decision itself."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActionForm(forms.ModelForm):
    due_on = DayField(
        label="By when", error_messages={"required": "Enter the date it should be done by."}
    )

    class Meta:
        model = Action
        fields = ["description", "owner", "due_on"]
        labels = {"description": "What needs doing", "owner": "Who will do it"}
        help_texts = {"owner": "A name or a team."}
        error_messages = {
            "description": {"required": "Say what needs doing."},
            "owner": {"required": "Say who will do it."},
        }


class LadderAssessmentForm(forms.Form):
    rung = forms.ChoiceField(
        label="Where does the project stand today?",
        choices=ladder_choices,
        widget=forms.RadioSelect,
        help_text="Your view as staff. Participants give theirs separately.",
        error_messages={"required": "Choose the rung where you think the project stands."},
    )
    note = forms.CharField(
        label="Why do you think so?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional.",
    )


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
