from django import forms
from phonenumber_field.formfields import PhoneNumberField

from coprod.core.forms import BoundedModelChoiceField, PoundsField
from projects.forms.payments import MAX_BUDGET
from projects.models import Project, Stage
from projects.services.projects import project_slug_from_name, project_slug_problem
from stakeholders.models import Role, User


class StageForm(forms.Form):
    stage = forms.ChoiceField(
        label="Move the project to",
        choices=Stage.choices,
        error_messages={
            "required": "Choose a stage.",
            "invalid_choice": "Choose one of the stages in the list.",
        },
    )


class ProjectForm(forms.ModelForm):
    """A project's details, as staff fill them in and the public sign-up page shows them."""

    contact_phone = PhoneNumberField(
        label="Contact phone number",
        required=False,
        region="GB",
        help_text="Optional. If you give one, the sign-up page invites people to call it. "
        "A UK number, like 0113 496 0000.",
        error_messages={"invalid": "Enter a UK phone number, like 0113 496 0000."},
    )
    lead = BoundedModelChoiceField(
        label="Who from staff leads it",
        queryset=User.objects.filter(role=Role.STAFF, is_active=True).order_by("name", "email"),
        required=False,
        empty_label="No one yet",
        error_messages={"invalid_choice": "Choose a member of staff from the list."},
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "summary",
            "stage",
            "lead",
            "time_commitment",
            "meeting_format",
            "place",
            "payment_offer",
            "access_support",
            "contact_name",
            "contact_email",
            "contact_phone",
            "is_open_to_join",
            "payment_target_days",
            "cost_centre",
        ]
        labels = {
            "name": "What is the project called?",
            "summary": "What is the project for?",
            "stage": "Which stage is it at?",
            "time_commitment": "What does taking part involve?",
            "meeting_format": "Do people take part in person or online?",
            "place": "Where does it meet?",
            "payment_offer": "What do you pay people who take part?",
            "access_support": "What support can people get to take part?",
            "contact_name": "Who can people contact with questions?",
            "contact_email": "Contact email address",
            "is_open_to_join": "Open for sign-up: show the public sign-up page",
            "payment_target_days": "How many days after a meeting should people be paid by?",
            "cost_centre": "Cost centre or project code",
        }
        help_texts = {
            "summary": "In plain English, for the public sign-up page.",
            "time_commitment": "For example: two hours a month, for a year.",
            "place": "A town, building or room. Leave empty if it only meets online.",
            "payment_offer": "For example: £27.50 an hour, plus travel and childcare.",
            "access_support": "For example: interpreters, large print, a quiet room, help "
            "getting online.",
            "contact_name": "A name or a team. Optional.",
            "contact_email": "Optional.",
            "payment_target_days": "Usually 14. Fees not paid by then show on the dashboard's "
            "to-do list.",
            "cost_centre": "Optional. Finance's code for this project, like CC-1042. It goes in "
            "the finance export.",
        }
        error_messages = {
            "name": {
                "required": "Enter the project's name.",
                "max_length": "Enter a name of 200 characters or fewer.",
            },
            "summary": {"required": "Say what the project is for."},
            "stage": {
                "required": "Choose a stage.",
                "invalid_choice": "Choose one of the stages in the list.",
            },
            "meeting_format": {
                "required": "Choose in person, online, or both.",
                "invalid_choice": "Choose in person, online, or both.",
            },
            "time_commitment": {"max_length": "Enter 200 characters or fewer."},
            "place": {"max_length": "Enter 200 characters or fewer."},
            "payment_offer": {"max_length": "Enter 300 characters or fewer."},
            "contact_name": {"max_length": "Enter 120 characters or fewer."},
            "contact_email": {"invalid": "Enter an email address, like team@example.org."},
            "payment_target_days": {
                "required": "Enter a number of days, like 14.",
                "invalid": "Enter a whole number of days, like 14.",
                "min_value": "Enter a number of days from 1 to 365, like 14.",
                "max_value": "Enter a number of days from 1 to 365, like 14.",
            },
            "cost_centre": {"max_length": "Enter 40 characters or fewer."},
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "access_support": forms.Textarea(attrs={"rows": 3}),
            "meeting_format": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the target is the usual 14 days rather than a question unanswered.
        self.fields["payment_target_days"].required = False

    def clean_payment_target_days(self) -> int:
        days = self.cleaned_data.get("payment_target_days")
        return Project._meta.get_field("payment_target_days").default if days is None else days

    def clean_contact_phone(self) -> str:
        number = self.cleaned_data.get("contact_phone")
        # Stored as people dial it in the UK, the way the sign-up page shows it.
        return number.as_national if number else ""


class ProjectCreateForm(ProjectForm):
    """A new project. Its web address is made from the name and only asked for when the
    name cannot give one: it is already taken, or has no letters or numbers in it."""

    slug = forms.SlugField(
        label="Web address",
        required=False,
        max_length=80,
        widget=forms.HiddenInput,
        help_text="The end of the project's web addresses, like crisis-support in "
        "/join/crisis-support/. Letters, numbers and hyphens only.",
        error_messages={
            "invalid": "Use only letters, numbers and hyphens, like crisis-support.",
            "max_length": "Enter a web address of 80 characters or fewer.",
        },
    )
    budget = PoundsField(
        label="Involvement budget (£)",
        maximum=MAX_BUDGET,
        example="2,500",
        help_text="The money set aside for fees and expenses. Enter 0 if you do not know yet: "
        "you can change it on the payment policy page.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and self.data.get("slug"):
            self.show_slug()

    def show_slug(self) -> None:
        self.fields["slug"].widget = forms.TextInput()

    def clean(self) -> dict:
        cleaned = super().clean()
        if "slug" in self.errors:
            self.show_slug()
            return cleaned
        slug = cleaned.get("slug") or project_slug_from_name(cleaned.get("name", ""))
        if "name" not in cleaned and not cleaned.get("slug"):
            return cleaned  # the name's own message says what to do
        problem = project_slug_problem(slug)
        if problem:
            self.show_slug()
            self.add_error("slug", problem)
        else:
            cleaned["slug"] = slug
        return cleaned
