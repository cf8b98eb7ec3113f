"""Forms for the staff decision pages. Every message says what to do, beside its field."""

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html

from coprod.core.forms import DayField
from decisions.models import (
    LADDER_EXPLANATIONS,
    Action,
    Decision,
    DecisionMethod,
    LadderRung,
    Vote,
    VoteChoice,
    VotePreference,
)
from decisions.services import (
    DecisionError,
    choices_for,
    closing_date_problem,
    options_from_text,
)
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
    "options": "Voting is open, so the options cannot change. Close voting first.",
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
    voting_closes_on = DayField(
        label="When does voting close? (optional)",
        required=False,
        help_text="The day you plan to close the vote, like 12/12/2026. People voting are "
        "told it, and your dashboard reminds you a week before. Voting does not close by "
        "itself: you close it.",
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
            "voting_closes_on",
            "ladder_rung",
            "anonymous_voting",
            "quorum_percent",
            "assisted_votes",
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
            "quorum_percent": "Quorum (per cent of active members)",
            "assisted_votes": "Staff may record votes for people who are not online",
            "you_said": "You said",
            "we_did": "We did",
            "difference_made": "The difference it made",
            "progress": "Progress",
        }
        help_texts = {
            "options": "One per line. For a vote between options, these are what people "
            "choose from: at least 2.",
            "quorum_percent": "How many of the project's active members must vote, as a per "
            "cent, for the vote to decide anything. 0 means no quorum.",
            "outcome": "Leave empty while the decision is open. A vote between options "
            "fills it in with the winner when it closes.",
            "status": "Voting, if used, sets this when it closes.",
            "you_said": "What participants asked for, in plain English. Shown on the public "
            "board with no names.",
        }
        error_messages = {
            "title": {"required": "Give the decision a title."},
            "question": {"required": "Say what question was being decided."},
            "method": {"required": "Choose how it was decided."},
            "quorum_percent": {
                "invalid": "Enter the quorum as a whole number from 0 to 100, like 50.",
                "max_value": "Enter the quorum as a whole number from 0 to 100, like 50.",
                "min_value": "Enter the quorum as a whole number from 0 to 100, like 50.",
            },
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
        self.fields["quorum_percent"].required = False
        if needs_reason:
            self.fields["change_reason"] = forms.CharField(
                label="Why are you changing it?",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="This decision has been made. Your reason is kept with its history.",
                error_messages={"required": REASON_REQUIRED},
            )

    def clean_quorum_percent(self) -> int:
        # Left empty, there is no quorum.
        return self.cleaned_data["quorum_percent"] or 0

    def clean_options(self) -> str:
        try:
            options_from_text(self.cleaned_data["options"])
        except DecisionError as error:
            raise forms.ValidationError(str(error)) from None
        return self.cleaned_data["options"]

    def clean(self) -> dict:
        cleaned = super().clean()
        between_options = cleaned.get("method") in (DecisionMethod.OPTIONS, DecisionMethod.RANKED)
        too_few = "options" in cleaned and len(options_from_text(cleaned["options"])) < 2
        if between_options and too_few:
            self.add_error(
                "options",
                "A vote between options needs at least 2 options. Write each on its own line.",
            )
        # The instance still holds the stored values here: the form copies what was typed
        # onto it only after clean().
        stored = self.instance
        if "voting_closes_on" in cleaned and "method" in cleaned:
            problem = closing_date_problem(
                closes_on=cleaned["voting_closes_on"],
                method=cleaned["method"],
                stored=stored.voting_closes_on,
            )
            if problem:
                self.add_error("voting_closes_on", problem)
        if stored.pk is None:
            return cleaned
        options_changed = "options" in cleaned and options_from_text(
            cleaned["options"]
        ) != options_from_text(stored.options)
        if options_changed and VotePreference.objects.filter(vote__decision=stored).exists():
            self.add_error("options", "People have voted on these options, so they cannot change.")
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


RANKS = ["1st", "2nd", "3rd"]


def _ordinal(rank: int) -> str:
    return RANKS[rank - 1] if rank <= len(RANKS) else f"{rank}th"


class VoteForm(forms.Form):
    """One person's vote, whatever the kind: for or against, consensus, one of the options
    (the same `choice` field, holding the option), or the options ranked (`rank_<id>`)."""

    choice = forms.ChoiceField(
        label="Your vote",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose one of the options, then save your vote.",
            "invalid_choice": "Choose one of the options shown.",
        },
    )

    def __init__(self, *args, decision: Decision, own_vote: Vote | None = None, **kwargs) -> None:
        # Many votes share one page, so each form's ids carry its decision.
        kwargs.setdefault("auto_id", f"vote-{decision.public_id}-%s")
        super().__init__(*args, **kwargs)
        self.decision = decision
        own = [p.option_id for p in own_vote.preferences.all()] if own_vote else []
        if decision.method == DecisionMethod.RANKED:
            del self.fields["choice"]
            options = list(decision.option_rows.all())
            places = [("", "Not ranked")] + [
                (str(rank), f"{_ordinal(rank)} choice") for rank in range(1, len(options) + 1)
            ]
            for option in options:
                self.fields[f"rank_{option.pk}"] = forms.ChoiceField(
                    label=option.label,
                    choices=places,
                    required=False,
                    initial=str(own.index(option.pk) + 1) if option.pk in own else "",
                    error_messages={"invalid_choice": "Choose a place from the list."},
                )
        elif decision.method == DecisionMethod.OPTIONS:
            self.fields["choice"].choices = [
                (str(option.pk), option.label) for option in decision.option_rows.all()
            ]
            if own:
                self.initial.setdefault("choice", str(own[0]))
        else:
            self.fields["choice"].choices = [
                (
                    choice.value,
                    format_html("<strong>{}</strong>: {}", choice.label, VOTE_EXPLANATIONS[choice]),
                )
                for choice in choices_for(decision)
            ]
            if own_vote is not None:
                self.initial.setdefault("choice", own_vote.choice)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.decision.method != DecisionMethod.RANKED:
            return cleaned
        places = {
            int(name.removeprefix("rank_")): int(value)
            for name, value in cleaned.items()
            if name.startswith("rank_") and value
        }
        ranks = sorted(places.values())
        if not ranks:
            raise forms.ValidationError(
                "Put at least your first choice, then save your vote.", code="required"
            )
        if ranks != list(range(1, len(ranks) + 1)):
            raise forms.ValidationError(
                "Give each option you rank a different place, starting from 1st choice with "
                "no gaps.",
                code="invalid",
            )
        cleaned["ranking"] = sorted(places, key=places.get)
        return cleaned

    def vote(self) -> dict:
        """What to pass to `vote_cast`."""
        if self.decision.method == DecisionMethod.RANKED:
            return {"ranking": self.cleaned_data["ranking"]}
        if self.decision.method == DecisionMethod.OPTIONS:
            return {"ranking": [self.cleaned_data["choice"]]}
        return {"choice": self.cleaned_data["choice"]}


class AssistedVoteForm(VoteForm):
    """Staff record the vote of a member who is not online."""

    def __init__(self, *args, voters: QuerySet[Person], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {
            "person": forms.ModelChoiceField(
                label="Who are you recording the vote for?",
                queryset=voters,
                to_field_name="public_id",
                empty_label="Choose a person",
                error_messages={
                    "required": "Choose the person whose vote you are recording.",
                    "invalid_choice": "Choose an active member of this project from the list.",
                },
            ),
            **self.fields,
        }
        if "choice" in self.fields:
            self.fields["choice"].label = "Their vote"


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
