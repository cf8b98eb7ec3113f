from decimal import Decimal

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.utils import timezone

from projects.forms.rsvp import SUPPORT_NOTE_MAX
from projects.models import AttendanceStatus, Meeting
from projects.rsvp import RsvpAction
from projects.selectors.meetings import InviteMode
from stakeholders.forms import PersonChoiceField
from stakeholders.models import Person, StakeholderGroup

MAX_CAPACITY = 1000


CAPACITY_MESSAGE = f"Enter a number from 1 to {MAX_CAPACITY}, or leave it empty for no limit."


DATETIME_MESSAGE = "Enter a date and time, like 14/07/2026 10:00."


def _datetime_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text="UK time.",
        error_messages={"required": f"Enter when it {label.lower()}.", "invalid": DATETIME_MESSAGE},
    )


class MeetingForm(forms.ModelForm):
    starts_at = _datetime_field("Starts")
    ends_at = _datetime_field("Ends")
    online_link = forms.URLField(
        label="Online link",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text="For example https://meet.example.org/abc. Leave empty if the meeting is "
        "only in person.",
        error_messages={"invalid": "Enter a web address, like https://meet.example.org/abc."},
    )
    capacity = forms.IntegerField(
        label="Capacity",
        required=False,
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text="How many people can come. Leave empty if there is no limit.",
        error_messages={
            "invalid": CAPACITY_MESSAGE,
            "min_value": CAPACITY_MESSAGE,
            "max_value": CAPACITY_MESSAGE,
        },
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "access_info",
            "agenda",
            "capacity",
            "stage",
        ]
        labels = {"place": "Where", "stage": "Which co-production stage it is for"}
        help_texts = {
            "place": "The address or room. Leave empty if the meeting is only online.",
        }
        error_messages = {
            "title": {"required": "Give the meeting a title."},
        }
        widgets = {
            "access_info": forms.Textarea(attrs={"rows": 3}),
            "agenda": forms.Textarea(attrs={"rows": 5}),
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The meeting must end after it starts.")
        if starts_at and self._moves_into_the_past(starts_at):
            self.add_error("starts_at", "The start is in the past. Choose a time still to come.")
        link_given = cleaned.get("online_link") or "online_link" in self.errors
        if not cleaned.get("place") and not link_given:
            self.add_error("place", "Say where the meeting is, or give an online link below.")
        return cleaned

    def _moves_into_the_past(self, starts_at) -> bool:
        """A new meeting must be in the future; so must a meeting moved that had not begun.
        A meeting already held can still be corrected."""
        now = timezone.now()
        if starts_at >= now:
            return False
        if self.instance.pk is None:
            return True
        original = Meeting.objects.filter(pk=self.instance.pk).values_list("starts_at", flat=True)
        return starts_at != original[0] and original[0] >= now


class MeetingChoiceField(forms.ModelChoiceField):
    """A meeting, named by its title and day. Where the list holds the meetings of more
    than one project, with_project adds the project's name: select_related("project")."""

    def __init__(self, *, with_project: bool = False, **kwargs):
        super().__init__(queryset=Meeting.objects.none(), to_field_name="public_id", **kwargs)
        self.with_project = with_project

    def label_from_instance(self, meeting: Meeting) -> str:
        starts_at = timezone.localtime(meeting.starts_at)
        label = f"{meeting.title}, {starts_at.day} {starts_at:%B %Y}"
        return f"{label} ({meeting.project.name})" if self.with_project else label


class InviteForm(forms.Form):
    who = forms.ChoiceField(
        label="Who to invite",
        choices=InviteMode.CHOICES,
        widget=forms.RadioSelect,
        # Nobody is chosen at first, so nobody is invited by a press of the wrong button.
        error_messages={"required": "Choose who to invite."},
    )
    groups = forms.MultipleChoiceField(
        label="Stakeholder groups",
        choices=StakeholderGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only used when you invite people in these groups.",
    )
    people = PersonChoiceField(
        label="People",
        help_text="Only used when you choose people. Members who are interested or active "
        "and have agreed to be involved.",
        gone="One of the people you ticked can no longer be invited. "
        "Please tick again from the list.",
    )

    def __init__(self, *args, people: QuerySet[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people

    def clean(self) -> dict:
        cleaned = super().clean()
        who = cleaned.get("who")
        if who == InviteMode.GROUPS and not cleaned.get("groups"):
            self.add_error("groups", "Tick at least one group.")
        if who == InviteMode.CHOSEN and not cleaned.get("people") and "people" not in self.errors:
            self.add_error("people", "Tick at least one person.")
        return cleaned


ANSWER_CHOICES = [
    (RsvpAction.ACCEPT, "Coming"),
    (RsvpAction.SUPPORT, "Coming, and needs support to attend"),
    (RsvpAction.DECLINE, "Not coming"),
]


ANSWER_MESSAGE = "Choose what they said: coming, coming with support, or not coming."


class RecordAnswerForm(forms.Form):
    """Staff record the answer of someone who told them by phone or in person."""

    answer = forms.ChoiceField(
        label="What did they say?",
        choices=ANSWER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": ANSWER_MESSAGE, "invalid_choice": ANSWER_MESSAGE},
    )
    support_note = forms.CharField(
        label="What support do they need?",
        help_text="Only if they need support. For example: a lift, an interpreter, someone "
        "to meet them.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[
            MaxLengthValidator(
                SUPPORT_NOTE_MAX,
                message=f"Please keep this to {SUPPORT_NOTE_MAX} characters or fewer.",
            )
        ],
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("answer") == RsvpAction.SUPPORT and not cleaned.get("support_note"):
            self.add_error(
                "support_note", "Say what support they need, like 'a lift to the meeting'."
            )
        return cleaned


HOURS_MESSAGE = "Enter the hours they took part, from 0 to 24, like 2.5."


class AttendanceForm(forms.Form):
    """One row of the attendance screen: came or not, and for how long. The view finds
    the person, who must be invited, already marked, or a member of the project."""

    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    hours = forms.DecimalField(
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        max_digits=4,
        decimal_places=2,
        error_messages={
            "required": HOURS_MESSAGE,
            "invalid": HOURS_MESSAGE,
            "min_value": HOURS_MESSAGE,
            "max_value": HOURS_MESSAGE,
            "max_digits": HOURS_MESSAGE,
            "max_decimal_places": "Give the hours to at most 2 decimal places, like 2.25.",
            "max_whole_digits": HOURS_MESSAGE,
        },
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("status") == AttendanceStatus.NO_SHOW:
            # Someone who did not come is paid for no hours, whatever the box says.
            self.errors.pop("hours", None)
            cleaned["hours"] = Decimal("0")
        return cleaned


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["minutes"]
        labels = {"minutes": "What was discussed and agreed"}
        help_texts = {"minutes": "In plain English, so everyone who took part can read them."}
        widgets = {"minutes": forms.Textarea(attrs={"rows": 8})}
