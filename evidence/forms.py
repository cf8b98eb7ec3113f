"""Forms for evidence, the impact summary, the learning library and report grants. Every
message says what to do, beside its field."""

from decimal import Decimal

from django import forms

from coprod.core.forms import BoundedModelChoiceField, DayField, PoundsField, TickBoxesField
from coprod.core.uploads import JPEG, PDF, PNG, CheckedFileField
from decisions.models import Decision
from evidence.models import (
    BetterDirection,
    EvidenceKind,
    EvidenceRecord,
    ImpactSummary,
    LearningEntry,
    OutcomeValue,
)
from evidence.services import TAG_MAX_LENGTH, tag_names_from_text
from projects.forms.fields import CurrentProjectChoiceField
from projects.models import Project, Stage
from stakeholders.models import User

DOCUMENT_KINDS = (PDF, PNG, JPEG)


DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


NO_LONGER_CHOOSABLE = "One of the decisions you ticked is no longer in this project. Tick again."


# The most the amount column holds: 12 figures, 2 of them pence.
MAX_AMOUNT = Decimal("9999999999.99")


NUMBER_MESSAGES = {
    "invalid": "Enter a number, like 42 or 12.5.",
    "max_decimal_places": "Enter no more than 2 decimal places.",
    "max_digits": "This number is too big. Check it and enter it again.",
    "max_whole_digits": "This number is too big. Check it and enter it again.",
}


def _measure_number_field(label: str, *, help_text: str = "", required: bool = False):
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        error_messages=dict(NUMBER_MESSAGES),
    )


# The outcome fields the model checks against each other once the form has read them.
RANGE_CHECKED_FIELDS = ("minimum", "maximum", "baseline_value", "baseline_on")


# The fields each kind of evidence asks for, after the name, date and source.
KIND_FIELDS = {
    EvidenceKind.OUTCOME: [
        "unit",
        "better",
        "minimum",
        "maximum",
        "baseline_value",
        "baseline_on",
        "text",
    ],
    EvidenceKind.FEEDBACK: ["text", "consent_to_publish"],
    EvidenceKind.STORY: ["text", "consent_to_publish"],
    EvidenceKind.COST: ["amount", "text"],
    EvidenceKind.SAVING: ["amount", "text"],
    EvidenceKind.DOCUMENT: ["document", "text"],
}


COMMON_FIELDS = ["title", "recorded_on", "source"]


# What a kind asks beyond the common fields, with the message when it is left empty.
REQUIRED_BY_KIND = {
    EvidenceKind.OUTCOME: {
        "unit": "Enter the unit, for example days, people or %.",
        "better": "Choose which way is better: higher or lower.",
        "baseline_value": "Enter the baseline: the measure before the work began.",
        "baseline_on": "Enter the date of the baseline.",
    },
    EvidenceKind.FEEDBACK: {"text": "Write down the feedback, in the person's own words."},
    EvidenceKind.STORY: {"text": "Write down the story."},
    EvidenceKind.COST: {"amount": "Enter the cost in pounds, like 1250.00."},
    EvidenceKind.SAVING: {
        "amount": "Enter the saving in pounds, like 1250.00.",
        "text": "Say how the saving was estimated, so that others can check it.",
    },
    EvidenceKind.DOCUMENT: {"document": "Choose the file to upload."},
}


TITLE_LABELS = {
    EvidenceKind.OUTCOME: "Name of the measure",
    EvidenceKind.COST: "What the cost was",
    EvidenceKind.SAVING: "What the saving is",
    EvidenceKind.DOCUMENT: "Name of the document",
}


TITLE_HELP = {
    EvidenceKind.OUTCOME: "For example: days waiting for a first appointment.",
    EvidenceKind.FEEDBACK: "A few words to find it by, for example: carer on the new rota.",
    EvidenceKind.STORY: "A few words to find it by.",
    EvidenceKind.COST: "For example: room hire for the workshops.",
    EvidenceKind.SAVING: "For example: fewer missed appointments.",
}


TEXT_LABELS = {
    EvidenceKind.OUTCOME: "Notes",
    EvidenceKind.FEEDBACK: "The feedback or quote",
    EvidenceKind.STORY: "The story",
    EvidenceKind.COST: "Details",
    EvidenceKind.SAVING: "How the saving was estimated",
    EvidenceKind.DOCUMENT: "What the document shows",
}


TEXT_HELP = {
    EvidenceKind.OUTCOME: "Optional: how the measure is taken.",
    EvidenceKind.FEEDBACK: "In the person's own words. Leave out anything that names them.",
    EvidenceKind.STORY: "Leave out anything that names people who did not agree to it.",
    EvidenceKind.COST: "Optional.",
    EvidenceKind.SAVING: "The figures and assumptions, for example: 40 fewer missed "
    "appointments a year × £30 each.",
    EvidenceKind.DOCUMENT: "Optional.",
}


SOURCE_HELP = {
    EvidenceKind.OUTCOME: "Where the figures come from, for example: the booking system.",
    EvidenceKind.FEEDBACK: "Who said it, without their name, for example: a carer, at the "
    "March workshop.",
    EvidenceKind.STORY: "Whose story it is, without their name.",
    EvidenceKind.COST: "For example: the venue's invoice.",
    EvidenceKind.SAVING: "For example: finance team estimate.",
    EvidenceKind.DOCUMENT: "Who wrote it.",
}


class DecisionChoiceField(TickBoxesField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Decision.objects.none(), gone=NO_LONGER_CHOOSABLE, **kwargs)

    def label_from_instance(self, decision: Decision) -> str:
        return f"{decision.title} ({decision.decided_on.day} {decision.decided_on:%B %Y})"


class EvidenceForm(forms.ModelForm):
    """One form for every kind of evidence: it shows and asks for only what the kind needs."""

    recorded_on = DayField(label="Date", help_text="When it was measured, said or written.")
    baseline_on = DayField(label="Baseline date", required=False)
    minimum = _measure_number_field(
        "Lowest possible value",
        help_text="Optional. For example 0, for a score out of 10.",
    )
    maximum = _measure_number_field(
        "Highest possible value",
        help_text="Optional. For example 10, for a score out of 10, or 100 for a percentage.",
    )
    baseline_value = _measure_number_field(
        "Baseline value", help_text="The measure before the work began."
    )
    amount = PoundsField(
        label="Amount (£)",
        required=False,
        maximum=MAX_AMOUNT,
        example="1250.50",
        help_text="For example: 1250.00.",
    )
    consent_to_publish = forms.TypedChoiceField(
        label="Did the person agree to this being published?",
        choices=[("yes", "Yes, they agreed"), ("no", "No, or they were not asked")],
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        help_text="Only what people agreed to publish can appear in reports and on the "
        "public board.",
        error_messages={"required": "Say whether the person agreed to this being published."},
    )
    document = CheckedFileField(
        label="The file",
        kinds=DOCUMENT_KINDS,
        max_bytes=DOCUMENT_MAX_BYTES,
        required=False,
        widget=forms.FileInput,
        help_text="A PDF, or a photo or scan saved as PNG or JPEG, up to 10 MB.",
    )
    decisions = DecisionChoiceField(
        label="Decisions it came from",
        help_text="Tick the decisions this evidence came from or supports.",
    )

    class Meta:
        model = EvidenceRecord
        fields = [
            *COMMON_FIELDS,
            "unit",
            "better",
            "minimum",
            "maximum",
            "baseline_value",
            "baseline_on",
            "amount",
            "document",
            "text",
            "consent_to_publish",
            "decisions",
        ]
        labels = {"source": "Source", "unit": "Unit", "better": "Which way is better"}
        error_messages = {
            "title": {"required": "Give it a name or a title."},
            "source": {"required": "Say where it came from."},
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, kind: str, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        # The model's rules for each kind (EvidenceRecord.clean) are checked on the instance.
        self.instance.kind = kind
        wanted = [*COMMON_FIELDS, *KIND_FIELDS[kind], "decisions"]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        for name, message in REQUIRED_BY_KIND[kind].items():
            field = self.fields[name]
            field.required = True
            field.error_messages["required"] = message
        self.fields["recorded_on"].error_messages["required"] = "Enter the date."
        self.fields["title"].label = TITLE_LABELS.get(kind, "Title")
        self.fields["title"].help_text = TITLE_HELP.get(kind, "")
        self.fields["text"].label = TEXT_LABELS[kind]
        self.fields["text"].help_text = TEXT_HELP[kind]
        self.fields["source"].help_text = SOURCE_HELP[kind]
        if "better" in self.fields:
            self.fields["better"].widget = forms.RadioSelect()
            self.fields["better"].choices = BetterDirection.choices
        if self.instance.pk:
            self.initial["consent_to_publish"] = "yes" if self.instance.consent_to_publish else "no"
            if self.instance.document and "document" in self.fields:
                # Keep the stored file unless a new one is chosen: the old one is not
                # checked again, and is not offered back to the browser.
                self.initial.pop("document", None)
                self.fields["document"].required = False
                self.fields["document"].help_text += " Leave empty to keep the current file."
        decisions = project.decisions.order_by("-decided_on", "-created_at")
        self.fields["decisions"].queryset = decisions
        if not decisions.exists():
            del self.fields["decisions"]

    def clean(self):
        cleaned_data = super().clean()
        # A field refused here keeps its stored value on the instance the model checks
        # next; that old value must not bring a second, confusing message beside it.
        for name in RANGE_CHECKED_FIELDS:
            if name in self.errors:
                setattr(self.instance, name, None)
        return cleaned_data


class OutcomeValueForm(forms.ModelForm):
    """A later value: the date and the range are checked by the model (OutcomeValue.clean),
    by the same rules as the baseline."""

    value = _measure_number_field("Value", required=True)
    measured_on = DayField(label="Date measured")

    class Meta:
        model = OutcomeValue
        fields = ["value", "measured_on"]

    def __init__(self, *args, record: EvidenceRecord, **kwargs):
        super().__init__(*args, instance=OutcomeValue(record=record), **kwargs)
        self.record = record
        self.fields["value"].error_messages["required"] = "Enter the value measured."
        self.fields["measured_on"].error_messages["required"] = "Enter the date it was measured."
        if record.unit:
            self.fields["value"].label = f"Value ({record.unit})"
        self.fields["value"].help_text = record.range_text


class ImpactSummaryForm(forms.ModelForm):
    """The short form of the GRIPP2 checklist, with one line of guidance on each heading."""

    class Meta:
        model = ImpactSummary
        fields = ["aim", "methods", "results", "influence", "reflections"]
        labels = {
            "aim": "Aim",
            "methods": "Methods",
            "results": "Results",
            "influence": "Influence",
            "reflections": "Reflections",
        }
        help_texts = {
            "aim": "Why you involved people: what involvement was meant to achieve.",
            "methods": "Who was involved, how, when, and in which stages of the work.",
            "results": "What came of involvement, good and bad.",
            "influence": "What changed in the service or the project because of it.",
            "reflections": "What went well, what did not, and what you would do differently.",
        }
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


class LearningEntryForm(forms.ModelForm):
    project = CurrentProjectChoiceField(
        label="Project",
        queryset=Project.objects.order_by("name"),
        required=False,
        empty_label="Not linked to a project",
        help_text="Optional.",
        error_messages={"invalid_choice": "That project no longer exists. Choose again."},
    )
    tag_text = forms.CharField(
        label="Tags",
        required=False,
        max_length=500,
        help_text="Words others might search for, separated by commas, for example: "
        "recruitment, online meetings, carers.",
    )

    class Meta:
        model = LearningEntry
        fields = ["title", "project", "stage", "tried", "happened", "learned", "differently"]
        labels = {
            "title": "Title",
            "stage": "Stage",
            "tried": "What we tried",
            "happened": "What happened",
            "learned": "What we learned",
            "differently": "What we would do differently",
        }
        help_texts = {
            "title": "A short summary others will recognise, for example: evening meetings "
            "brought in more carers.",
            "stage": "The co-production stage this is about.",
            "differently": "Optional.",
        }
        error_messages = {
            "title": {"required": "Give the entry a title."},
            "tried": {"required": "Say what you tried."},
            "happened": {"required": "Say what happened."},
            "learned": {"required": "Say what you learned."},
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ["tried", "happened", "learned", "differently"]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "Not about one stage")] + [
            choice for choice in Stage.choices if choice[0] != Stage.CLOSED
        ]
        self.fields["stage"].error_messages["invalid_choice"] = "Choose a stage from the list."

    def clean_tag_text(self) -> list[str]:
        names = tag_names_from_text(self.cleaned_data["tag_text"])
        too_long = [name for name in names if len(name) > TAG_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                f"Each tag must be {TAG_MAX_LENGTH} characters or fewer. Shorten "
                f'"{too_long[0]}", or split it with commas.'
            )
        return names


class LearningFilterForm(forms.Form):
    """The search box and filters of the learning library; anything unknown is ignored."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.SearchInput,
        help_text='Words to look for, for example: evening meetings. Put a phrase in "quotes".',
    )
    tag = forms.ChoiceField(label="Tag", required=False)
    stage = forms.ChoiceField(
        label="Stage", required=False, choices=[("", "Any stage"), *Stage.choices]
    )

    def __init__(self, *args, tag_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", "Any tag")] + [(name, name) for name in tag_names]
        self.fields["tag"].error_messages["invalid_choice"] = "Nothing has that tag any more."
        self.fields["stage"].error_messages["invalid_choice"] = "Choose a stage from the list."

    def filters(self) -> dict:
        """The search and filters to use: a value that is not valid is left out."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q", ""),
            "tag": data.get("tag", ""),
            "stage": data.get("stage", ""),
        }


class CommissionerChoiceField(BoundedModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user.name} ({user.email})" if user.name else user.email


class ReportGrantForm(forms.Form):
    commissioner = CommissionerChoiceField(
        label="Commissioner",
        queryset=User.objects.none(),
        to_field_name="email",
        empty_label="Choose a commissioner",
        help_text="They will be able to read this project's report, which has no personal "
        "data in it, until you take access away.",
        error_messages={
            "required": "Choose the commissioner to give access to.",
            "invalid_choice": "That person is not a commissioner any more. Choose again.",
        },
    )

    def __init__(self, *args, commissioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commissioner"].queryset = commissioners
