"""Forms for the staff payment pages. Every message says what to do, beside its field."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from projects.models import FeeBasis, PaymentPolicy
from stakeholders.models import ClaimStatus, PaymentStatus

MAX_FEE_RATE = Decimal("500")
MAX_MILEAGE_RATE = Decimal("5")
MAX_BUDGET = Decimal("99999999.99")
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_MESSAGE = "Enter a date, like 14/07/2026."


def _pounds_field(label: str, *, maximum: Decimal, help_text: str, max_digits: int):
    message = f"Enter an amount from £0 to £{maximum:,}, like 18.50."
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=maximum,
        max_digits=max_digits,
        decimal_places=2,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_digits": message,
            "max_whole_digits": message,
            "max_decimal_places": "Enter pounds and pence, with two figures at most after the "
            "point.",
        },
    )


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"required": DATE_MESSAGE, "invalid": DATE_MESSAGE},
        **kwargs,
    )


class PaymentPolicyForm(forms.ModelForm):
    fee_basis = forms.ChoiceField(
        label="How we pay for taking part",
        choices=FeeBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose per hour or per session."},
    )
    fee_rate = _pounds_field(
        "Rate (£)",
        maximum=MAX_FEE_RATE,
        max_digits=7,
        help_text="Per hour or per session, from £0 to £500. Enter 0 if this project does "
        "not pay a fee for taking part.",
    )
    mileage_rate = _pounds_field(
        "Mileage rate (£ a mile)",
        maximum=MAX_MILEAGE_RATE,
        max_digits=4,
        help_text="From £0 to £5 a mile. HMRC's approved rate for a car is £0.45 a mile.",
    )
    budget = _pounds_field(
        "Involvement budget (£)",
        maximum=MAX_BUDGET,
        max_digits=10,
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


class MarkPaidForm(forms.Form):
    paid_on = _date_field("Paid on")
    reference = forms.CharField(
        label="Payment reference",
        max_length=100,
        help_text="The reference on the bank transfer or voucher, so that finance can match it.",
        error_messages={"required": "Give the payment reference, so that finance can match it."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("Enter today's date or an earlier one.")
        return paid_on


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
    date_from = _date_field("From")
    date_to = _date_field("To")

    def clean(self) -> dict:
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "Enter a date on or after the start of the period.")
        return cleaned


class FinanceMarkPaidForm(forms.Form):
    paid_on = _date_field("Paid on")
    reference = forms.CharField(
        label="Payment reference for all of them",
        max_length=100,
        required=False,
        help_text="Used for every row without its own reference below.",
    )

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("Enter today's date or an earlier one.")
        return paid_on
