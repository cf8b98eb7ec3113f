"""Forms a participant fills in about being paid: their choices, and expense claims."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from coprod.uploads import RECEIPT_KINDS, RECEIPT_MAX_BYTES, CheckedFileField
from projects.models import Meeting, PaymentPolicy, Project
from stakeholders.models import MAX_PAYMENT, ExpenseCategory, PaymentMethod, Person
from stakeholders.services import (
    claim_categories_covered,
    claim_categories_in_words,
    claim_date_problem,
    mileage_amount,
)

MAX_MILES = Decimal("2000")
CHOOSE_RECEIPT_AGAIN = (
    "Please choose your receipt file again. For your safety, we cannot keep a file when "
    "something on the form needs fixing."
)


class PaymentChoicesForm(forms.Form):
    payment_method = forms.ChoiceField(
        label="How would you like to be paid?",
        widget=forms.RadioSelect,
        required=False,
    )
    declines_payment = forms.BooleanField(
        label="I do not want to be paid for taking part",
        required=False,
        help_text="You can still claim back your expenses, like bus fares.",
    )
    receives_benefits = forms.BooleanField(
        label="I receive benefits",
        required=False,
        help_text="Staff will check with you before they pay you.",
    )
    permitted_work_form = forms.BooleanField(
        label="I have a permitted work form in place",
        required=False,
        help_text="This form lets some people on benefits earn a small amount. "
        "Only tick this if you have one.",
    )

    def __init__(self, *args, person: Person, methods_offered: list[str], **kwargs):
        initial_method = person.payment_method if person.payment_method in methods_offered else ""
        if len(methods_offered) == 1:
            initial_method = methods_offered[0]
        kwargs.setdefault(
            "initial",
            {
                "payment_method": initial_method,
                "declines_payment": person.declines_payment,
                "receives_benefits": person.receives_benefits,
                "permitted_work_form": person.permitted_work_form,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = [
            (value, label) for value, label in PaymentMethod.choices if value in methods_offered
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("payment_method") and not cleaned.get("declines_payment"):
            self.add_error(
                "payment_method",
                "Choose how you would like to be paid, or tick "
                "“I do not want to be paid for taking part”.",
            )
        return cleaned


class PoundsField(forms.DecimalField):
    """An amount in pounds; a £ sign, spaces or commas typed with it are fine."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, meeting: Meeting) -> str:
        starts_at = timezone.localtime(meeting.starts_at)
        return f"{meeting.title}, {starts_at.day} {starts_at:%B %Y} ({meeting.project.name})"


def _number_errors(example: str) -> dict[str, str]:
    return {
        "invalid": f"Enter a number, like {example}.",
        "max_decimal_places": f"Enter a number, like {example}.",
        "max_digits": "This number is too big.",
        "max_whole_digits": "This number is too big.",
    }


class ExpenseClaimForm(forms.Form):
    project = forms.ModelChoiceField(
        label="Which project is this for?",
        queryset=Project.objects.none(),
        to_field_name="slug",
        empty_label="Choose a project",
        error_messages={
            "required": "Choose the project.",
            "invalid_choice": "Choose one of your projects.",
        },
    )
    meeting = MeetingChoiceField(
        label="Which meeting is it for?",
        queryset=Meeting.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="Not for a meeting",
        help_text="Optional.",
        error_messages={"invalid_choice": "Choose one of your meetings."},
    )
    spent_on = forms.DateField(
        label="When did you spend the money?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Within the last 12 months.",
        error_messages={
            "required": "Enter the date.",
            "invalid": "Enter a real date, like 25/11/2026.",
        },
    )
    category = forms.ChoiceField(
        label="What is it for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the money was for.",
            "invalid_choice": "Choose one of the things listed.",
        },
    )
    miles = forms.DecimalField(
        label="How many miles did you drive?",
        required=False,
        min_value=Decimal("0.1"),
        max_value=MAX_MILES,
        max_digits=5,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Only for mileage. Count the journey there and back. "
        "We work out the amount for you.",
        error_messages={
            **_number_errors("12.5"),
            "min_value": "Enter at least 0.1 miles.",
            "max_value": f"Enter {MAX_MILES:,} miles or fewer.",
        },
    )
    amount = PoundsField(
        label="How much did you spend? (£)",
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PAYMENT,
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="In pounds and pence, like 4.50. Leave this empty for mileage.",
        error_messages={
            **_number_errors("4.50"),
            "min_value": "Enter an amount of at least £0.01.",
            "max_value": f"Enter an amount of £{MAX_PAYMENT:,} or less.",
        },
    )
    note = forms.CharField(
        label="Anything we should know?",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. For example: the bus to the meeting and back.",
        error_messages={"max_length": "Please keep this under 1,000 characters."},
    )
    receipt = CheckedFileField(
        label="Your receipt",
        kinds=RECEIPT_KINDS,
        max_bytes=RECEIPT_MAX_BYTES,
        required=False,
        help_text="A photo or a scan of your receipt or ticket: JPEG, PNG, HEIC or PDF, up to "
        "5 MB. You do not need one for mileage.",
    )

    def __init__(
        self,
        *args,
        projects,
        meetings,
        policies: dict[int, PaymentPolicy],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.policies = policies
        self.fields["project"].queryset = projects
        self.fields["meeting"].queryset = meetings
        covered = {
            category
            for policy in policies.values()
            for category in claim_categories_covered(policy)
        }
        self.fields["category"].choices = [
            (value, label) for value, label in ExpenseCategory.choices if value in covered
        ]

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self._errors:
            self.ask_for_receipt_again()

    def ask_for_receipt_again(self) -> None:
        """Browsers never send a file twice, so after an error the receipt is chosen again."""
        self.fields["receipt"].help_text = CHOOSE_RECEIPT_AGAIN
        # A bound field keeps the help text it was made with.
        self["receipt"].help_text = CHOOSE_RECEIPT_AGAIN

    def claim_fields(self) -> dict:
        """The answers, as expense_claim_submit takes them."""
        names = ["project", "meeting", "spent_on", "category", "amount", "miles", "note", "receipt"]
        return {name: self.cleaned_data[name] for name in names}

    def clean_spent_on(self):
        spent_on = self.cleaned_data["spent_on"]
        if problem := claim_date_problem(spent_on):
            raise forms.ValidationError(problem)
        return spent_on

    def clean(self):
        cleaned = super().clean()
        project, category = cleaned.get("project"), cleaned.get("category")
        meeting = cleaned.get("meeting")
        if project and meeting and meeting.project_id != project.pk:
            self.add_error("meeting", "This meeting is not part of the project you chose.")
        if not project or not category:
            return cleaned
        policy = self.policies[project.pk]
        covered = claim_categories_covered(policy)
        if category not in covered:
            self.add_error("category", _not_covered_message(project, category, policy))
        elif category == ExpenseCategory.MILEAGE:
            self._clean_mileage(policy)
        else:
            self._clean_costs()
        return cleaned

    def _clean_mileage(self, policy: PaymentPolicy) -> None:
        miles = self.cleaned_data.get("miles")
        if miles is None:
            if "miles" not in self.errors:
                self.add_error("miles", "Enter how many miles you drove.")
            return
        amount = mileage_amount(policy=policy, miles=miles)
        if amount > MAX_PAYMENT:
            self.add_error("miles", f"This comes to more than £{MAX_PAYMENT:,}. Check the miles.")
        elif amount <= 0:
            self.add_error("miles", "This comes to less than 1p. Check the miles.")
        self.cleaned_data["amount"] = amount

    def _clean_costs(self) -> None:
        if self.cleaned_data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter how much you spent, like 4.50.")
        if not self.cleaned_data.get("receipt") and "receipt" not in self.errors:
            self.add_error("receipt", "Add a photo or scan of your receipt.")


def _not_covered_message(project: Project, category: str, policy: PaymentPolicy) -> str:
    label = ExpenseCategory(category).label.lower()
    paid_for = claim_categories_in_words(policy)
    if not paid_for:
        return f"{project.name} does not pay for expenses."
    return f"{project.name} does not pay for {label}. It pays for: {', '.join(paid_for)}."
