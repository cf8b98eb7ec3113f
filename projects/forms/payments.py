import re
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone

from coprod.core.forms import DayField, PoundsField
from coprod.core.uploads import RECEIPT_KINDS, RECEIPT_MAX_BYTES, CheckedFileField
from projects.forms.fields import CurrentProjectChoiceField
from projects.forms.meetings import MeetingChoiceField
from projects.models import (
    MAX_PAYMENT,
    ClaimStatus,
    ExpenseCategory,
    FeeBasis,
    FeeChoice,
    PaymentPolicy,
    PaymentStatus,
    Project,
)
from projects.services.payments import (
    claim_categories_covered,
    claim_categories_in_words,
    claim_date_problem,
    mileage_amount,
)
from stakeholders.models import PaymentMethod, Person

MAX_FEE_RATE = Decimal("500")


MAX_MILEAGE_RATE = Decimal("5")


MAX_BUDGET = Decimal("99999999.99")


def _not_after_today(day: date) -> None:
    if day > timezone.localdate():
        raise forms.ValidationError("Enter today's date or an earlier one.")


class PaymentPolicyForm(forms.ModelForm):
    fee_basis = forms.ChoiceField(
        label="How we pay for taking part",
        choices=FeeBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose per hour or per session."},
    )
    fee_rate = PoundsField(
        label="Rate (£)",
        maximum=MAX_FEE_RATE,
        example="18.50",
        help_text="Per hour or per session, from £0 to £500. Enter 0 if this project does "
        "not pay a fee for taking part.",
    )
    mileage_rate = PoundsField(
        label="Mileage rate (£ a mile)",
        maximum=MAX_MILEAGE_RATE,
        example="18.50",
        help_text="From £0 to £5 a mile. HMRC's approved rate for a car is £0.45 a mile.",
    )
    budget = PoundsField(
        label="Involvement budget (£)",
        maximum=MAX_BUDGET,
        example="18.50",
        help_text="The money set aside for fees and expenses. You will see a warning when "
        "80% of it is spent or committed, and again at 100%.",
    )

    class Meta:
        model = PaymentPolicy
        fields = [
            "fee_basis",
            "fee_rate",
            "covers_travel",
            "covers_mileage",
            "mileage_rate",
            "covers_care",
            "covers_food",
            "offers_bank_transfer",
            "offers_voucher",
            "budget",
        ]
        labels = {
            "covers_travel": "Travel (bus, train and taxi fares)",
            "covers_mileage": "Mileage (for people who drive)",
            "covers_care": "Carer or childcare costs",
            "covers_food": "Food",
            "offers_bank_transfer": "Bank transfer",
            "offers_voucher": "Voucher",
        }

    EXPENSE_FIELDS = ["covers_travel", "covers_mileage", "covers_care", "covers_food"]
    METHOD_FIELDS = ["offers_bank_transfer", "offers_voucher"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.METHOD_FIELDS):
            self.add_error(
                "offers_bank_transfer",
                "Offer at least one way to pay: bank transfer, voucher or both.",
            )
        return cleaned


class DeclineForm(forms.Form):
    new_status = forms.ChoiceField(
        label="What happened",
        choices=[
            (PaymentStatus.DECLINED, "Declined: the person chose not to be paid for this"),
            (PaymentStatus.CANCELLED, "Cancelled: this fee should not be paid"),
        ],
        initial=PaymentStatus.CANCELLED,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose declined or cancelled."},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Everyone who can see this fee will see the reason.",
        error_messages={"required": "Give a reason, so that everyone knows why."},
    )


class FeeChoiceForm(forms.Form):
    """What the person would like done with one fee offered. The amount and the charity's
    name are asked beside the answer they belong to, and only read with it."""

    choice = forms.ChoiceField(
        label="What would you like us to do?",
        choices=FeeChoice.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what you would like to happen to this payment.",
            "invalid_choice": "Choose what you would like to happen to this payment.",
        },
    )
    amount = PoundsField(
        label="How much? (£)",
        required=False,
        minimum=Decimal("0.01"),
        maximum=MAX_PAYMENT,
        example="10.00",
        help_text="Less than the amount offered, like 10.00.",
    )
    charity_name = forms.CharField(
        label="Which charity?",
        required=False,
        max_length=200,
        help_text="Its name, as the charity writes it.",
        error_messages={"max_length": "Enter the charity's name in 200 characters or fewer."},
    )

    def __init__(self, *args, mine: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if mine:
            self.fields["choice"].choices = [
                (FeeChoice.FULL, "Pay me the full amount"),
                (FeeChoice.LOWER, "Pay me a lower amount"),
                (FeeChoice.CHARITY, "Pay it to a charity instead"),
                (FeeChoice.DECLINE, "Do not pay me for this"),
            ]
        else:
            self.fields["choice"].label = "What would they like us to do?"

    def clean(self) -> dict:
        cleaned = super().clean()
        choice = cleaned.get("choice")
        # A box left over from another answer is not this answer's business.
        if choice != FeeChoice.LOWER:
            self.errors.pop("amount", None)
            cleaned["amount"] = None
        if choice != FeeChoice.CHARITY:
            self.errors.pop("charity_name", None)
            cleaned["charity_name"] = ""
        if (
            choice == FeeChoice.LOWER
            and cleaned.get("amount") is None
            and "amount" not in self.errors
        ):
            self.add_error("amount", "Enter the amount you would like, like 10.00.")
        if (
            choice == FeeChoice.CHARITY
            and not cleaned.get("charity_name", "").strip()
            and "charity_name" not in self.errors
        ):
            self.add_error("charity_name", "Enter the name of the charity to pay.")
        return cleaned


class MarkPaidForm(forms.Form):
    paid_on = DayField(label="Paid on", validators=[_not_after_today])
    reference = forms.CharField(
        label="Payment reference",
        max_length=100,
        help_text="The reference on the bank transfer or voucher, so that finance can match it.",
        error_messages={"required": "Give the payment reference, so that finance can match it."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label="Why it is being reversed",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: paid twice by mistake. The fee stays in the ledger; a new "
        "entry takes the money back out of the totals.",
        error_messages={"required": "Give a reason for the reversal."},
    )


class BenefitsCheckForm(forms.Form):
    benefits_checked = forms.BooleanField(
        label="I have checked this with them",
        error_messages={
            "required": "Tick the box to confirm you have checked this payment with them.",
        },
    )


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("reject", "Do not approve")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or do not approve."},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The person who claimed sees this. Needed if you do not approve the claim.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason", "Give a reason for not approving the claim: the person will see it."
            )
        return cleaned


class LedgerFilterForm(forms.Form):
    """Which rows the ledger shows; unknown values are ignored rather than refused."""

    status = forms.ChoiceField(label="Status", required=False)

    def __init__(self, *args, claims: bool, **kwargs):
        super().__init__(*args, **kwargs)
        statuses = ClaimStatus.choices if claims else PaymentStatus.choices
        self.fields["status"].choices = [("", "Any status"), *statuses]


class FinancePeriodForm(forms.Form):
    date_from = DayField(label="From")
    date_to = DayField(label="To")

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "Enter a date on or after the start of the period.")
        return cleaned


class FinanceMarkPaidForm(forms.Form):
    paid_on = DayField(label="Paid on", validators=[_not_after_today])
    reference = forms.CharField(
        label="Payment reference for all of them",
        max_length=100,
        required=False,
        help_text="Used for every row without its own reference below.",
    )


MAX_MILES = Decimal("2000")


CHOOSE_RECEIPT_AGAIN = (
    "Please choose your receipt file again. For your safety, we cannot keep a file when "
    "something on the form needs fixing."
)


class PaymentChoicesForm(forms.Form):
    NOTHING_CHOSEN = (
        "Choose how you would like to be paid, or tick “I do not want to be paid for taking part”."
    )

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

    def __init__(self, *args, person: Person, methods_offered: list[str], **kwargs):
        initial_method = person.payment_method if person.payment_method in methods_offered else ""
        if len(methods_offered) == 1:
            initial_method = methods_offered[0]
        kwargs.setdefault(
            "initial",
            {
                "payment_method": initial_method,
                "declines_payment": person.declines_payment,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = [
            (value, label) for value, label in PaymentMethod.choices if value in methods_offered
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("payment_method") and not cleaned.get("declines_payment"):
            self.add_error("payment_method", self.NOTHING_CHOSEN)
        return cleaned


# What people type between the digits of a sort code or account number.
NUMBER_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.]")


def _numbers_widget(**attrs) -> forms.TextInput:
    # No standard autocomplete token names bank details: "off" keeps the numbers out of the
    # browser's saved form entries.
    return forms.TextInput(
        attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false", **attrs}
    )


class BankDetailsForm(forms.Form):
    """The account to pay someone by bank transfer. Never filled in from what is saved: to
    change the details, they are entered again. After an error the name and sort code stay
    as typed; the account number is asked for again only when it was the problem."""

    WHOSE = "your"

    account_name = forms.CharField(
        label="Name on the account",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    sort_code = forms.CharField(
        label="Sort code",
        max_length=20,
        help_text="6 digits, for example 30-94-57",
        widget=_numbers_widget(),
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=20,
        help_text="8 digits, for example 00733445. If it has 7 digits, enter those: we add "
        "the 0 at the start that banks use.",
        widget=_numbers_widget(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        whose = self.WHOSE
        name_hint = f"As it is written on {whose} bank card or statement."
        self.fields["account_name"].help_text = name_hint
        self.fields["account_name"].error_messages.update(
            required="Enter the name on the account.",
            max_length="The name on the account must be 100 characters or fewer.",
        )
        self.fields["sort_code"].error_messages.update(
            required=f"Enter {whose} sort code, for example 30-94-57.",
            max_length="A sort code is 6 digits, for example 30-94-57.",
        )
        self.fields["account_number"].error_messages.update(
            required=f"Enter {whose} account number, for example 00733445.",
            max_length="An account number is 8 digits, for example 00733445.",
        )

    def clean_sort_code(self) -> str:
        digits = NUMBER_SEPARATORS.sub("", self.cleaned_data["sort_code"])
        if not re.fullmatch(r"[0-9]*", digits):
            raise forms.ValidationError(
                "A sort code is numbers only, for example 30-94-57.", code="not_digits"
            )
        if len(digits) != 6:
            raise forms.ValidationError(
                f"A sort code is 6 digits, for example 30-94-57. This has {len(digits)}.",
                code="length",
            )
        return digits

    def clean_account_number(self) -> str:
        digits = NUMBER_SEPARATORS.sub("", self.cleaned_data["account_number"])
        if not re.fullmatch(r"[0-9]*", digits):
            raise forms.ValidationError(
                "An account number is numbers only, for example 00733445. Please enter it again.",
                code="not_digits",
            )
        if len(digits) == 7:
            # A few banks give 7-digit numbers; payments use them with a 0 in front.
            digits = "0" + digits
        if len(digits) != 8:
            raise forms.ValidationError(
                f"An account number is 8 digits, for example 00733445. You typed {len(digits)}: "
                "please enter it again.",
                code="length",
            )
        return digits

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and "account_number" in self._errors:
            data = self.data.copy()
            data["account_number"] = ""
            self.data = data


class StaffBankDetailsForm(BankDetailsForm):
    """The same, recorded by staff for someone who is not online."""

    WHOSE = "their"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_name"].label = "Name on their account"
        # A browser would offer the staff member's own name.
        self.fields["account_name"].widget.attrs["autocomplete"] = "off"


class ExpenseClaimForm(forms.Form):
    project = CurrentProjectChoiceField(
        label="Which project is this for?",
        empty_label="Choose a project",
        error_messages={
            "required": "Choose the project.",
            "invalid_choice": "Choose one of your projects.",
        },
    )
    meeting = MeetingChoiceField(
        label="Which meeting is it for?",
        with_project=True,
        required=False,
        empty_label="Not for a meeting",
        help_text="Optional.",
        error_messages={"invalid_choice": "Choose one of your meetings."},
    )
    spent_on = DayField(
        label="When did you spend the money?",
        help_text="Within the last 12 months.",
        error_messages={"required": "Enter the date."},
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
            "invalid": "Enter a number, like 12.5.",
            "max_decimal_places": "Enter a number, like 12.5.",
            "max_digits": "This number is too big.",
            "max_whole_digits": "This number is too big.",
            "min_value": "Enter at least 0.1 miles.",
            "max_value": f"Enter {MAX_MILES:,} miles or fewer.",
        },
    )
    amount = PoundsField(
        label="How much did you spend? (£)",
        required=False,
        minimum=Decimal("0.01"),
        maximum=MAX_PAYMENT,
        example="4.50",
        help_text="In pounds and pence, like 4.50. Leave this empty for mileage.",
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


class StaffPaymentChoicesForm(PaymentChoicesForm):
    """The same choices, recorded by staff for someone who is not online, in staff's words."""

    NOTHING_CHOSEN = (
        "Choose how they would like to be paid, or tick "
        "“They do not want to be paid for taking part”."
    )
    LABELS = {
        "payment_method": "How would they like to be paid?",
        "declines_payment": "They do not want to be paid for taking part",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        self.fields["declines_payment"].help_text = "They can still claim back their expenses."
