"""Paying people for their involvement: each project's payment policy, the fees owed
from attendance, expense claims, and the reminders about them. Money is Decimal pounds
and pence, never floats."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.models.projects import Project
from stakeholders.models import PaymentMethod, Person, User


class FeeBasis(models.TextChoices):
    PER_HOUR = "per_hour", "Per hour"
    PER_SESSION = "per_session", "Per session"


class PaymentPolicy(models.Model):
    """What a project pays for involvement, set before involvement starts."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="payment_policy")
    fee_basis = models.CharField(
        "we pay", max_length=12, choices=FeeBasis.choices, default=FeeBasis.PER_HOUR
    )
    fee_rate = models.DecimalField(
        "rate (£)",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("500.00"))],
        help_text="Per hour or per session. 0 if this project does not pay a fee.",
    )
    covers_travel = models.BooleanField("travel (fares)", default=True)
    covers_mileage = models.BooleanField("mileage", default=True)
    mileage_rate = models.DecimalField(
        "mileage rate (£ a mile)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.45"),
        validators=[MinValueValidator(Decimal("0.00")), MaxValueValidator(Decimal("5.00"))],
    )
    covers_care = models.BooleanField("carer or childcare costs", default=True)
    covers_food = models.BooleanField("food", default=False)
    offers_bank_transfer = models.BooleanField("bank transfer", default=True)
    offers_voucher = models.BooleanField("voucher", default=True)
    budget = models.DecimalField(
        "involvement budget (£)",
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "payment policies"

    def __str__(self) -> str:
        return f"Payment policy for {self.project}"


# Involvement payments and expenses. Money is Decimal pounds and pence, never floats.
MAX_PAYMENT = Decimal("2000.00")


class PaidPaymentLocked(Exception):
    pass


class PaymentRun(models.Model):
    """Approved fees and claims marked paid together in one step, with the file finance
    pays them from. Undone in one step too: its items go back to approved."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    paid_on = models.DateField()
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    # Kept when the run is undone and its items leave it; each item's history names the run.
    item_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    undone_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return f"Payment run of {self.paid_on:%d %b %Y}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class PaymentStatus(models.TextChoices):
    OWED = "owed", "Owed"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class PaymentKind(models.TextChoices):
    FEE = "fee", "Involvement fee"
    REVERSAL = "reversal", "Reversal of a payment"


class FeeChoice(models.TextChoices):
    """What the person chose to do with the fee offered: the options that are safe for
    people on benefits (a lower amount, a charity, declining) sit beside the full fee."""

    FULL = "full", "The full amount"
    LOWER = "lower", "A lower amount"
    CHARITY = "charity", "Paid to a charity"
    DECLINE = "decline", "Not paid"


class Payment(models.Model):
    """An involvement fee owed to a person: owed → approved → paid, or declined or
    cancelled with a reason. A paid payment is never edited; it is reversed by a new entry."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=PaymentKind.choices, default=PaymentKind.FEE)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payments")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="payments"
    )
    # The attendance a fee is for: one fee per person per meeting, however often the
    # attendance is changed.
    attendance = models.OneToOneField(
        "projects.Attendance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
    )
    activity = models.CharField(max_length=250)
    amount = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PAYMENT)],
    )
    method = models.CharField(max_length=15, choices=PaymentMethod.choices, blank=True)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.OWED
    )
    reason = models.TextField(blank=True, help_text="Why it was declined, cancelled or reversed.")
    owed_since = models.DateTimeField(default=timezone.now)
    # When the meeting a fee is for starts: the day the project's target for paying runs
    # from. Copied from the attendance's meeting when the fee is made and whenever the
    # meeting moves, so that finding fees past their target reads only the fees unpaid.
    meeting_starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    # The written offer, fixed when the fee is created from attendance: `activity` is what
    # it is for; `amount` may later become less than the offer, by the person's choice.
    offer_basis = models.CharField(max_length=12, choices=FeeBasis.choices, blank=True)
    offer_amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    offered_on = models.DateField(null=True, blank=True)
    # The person's choice, made online by them or recorded by staff on their behalf
    # (`choice_made_by` is then not the person's own login).
    choice = models.CharField(max_length=10, choices=FeeChoice.choices, blank=True)
    charity_name = models.CharField(max_length=200, blank=True)
    choice_made_at = models.DateTimeField(null=True, blank=True)
    choice_made_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payment_run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="fees"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) & models.Q(amount__lte=MAX_PAYMENT),
                name="payment_amount_positive_and_sane",
            ),
        ]
        indexes = [
            # The overdue panel and the daily digest look for fees not yet paid.
            models.Index(
                fields=["owed_since"],
                name="payment_unpaid_idx",
                condition=models.Q(status__in=["owed", "approved"]),
            ),
            # Fees past their project's target (projects.selectors.payments.fees_past_target):
            # how many, and the oldest meeting first, from the index alone.
            models.Index(
                fields=["meeting_starts_at", "id", "project"],
                name="payment_fee_unpaid_meeting_idx",
                condition=models.Q(
                    kind="fee", status__in=["owed", "approved"], attendance__isnull=False
                ),
            ),
            # A project's payments page: one page of its fees, newest first
            # (projects.selectors.payments.project_fees_page), read without sorting them all.
            models.Index(
                fields=["project", "-created_at", "-id"], name="payment_project_newest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} {self.get_kind_display().lower()} for {self.person}"

    def save(self, *args, **kwargs) -> None:
        # A fee takes its meeting's start when made (meeting_update keeps it when it moves).
        if self.attendance_id and self.meeting_starts_at is None:
            self.meeting_starts_at = self.attendance.meeting.starts_at
        if self.pk:
            stored = Payment.objects.filter(pk=self.pk).values_list("status", "person_id").first()
            # Money paid out is history: a mistake is put right by a reversal, never an edit.
            if stored and stored[0] == PaymentStatus.PAID:
                raise PaidPaymentLocked("A paid payment cannot be changed; reverse it instead.")
            # Whose fee it was, for the receivers that keep each person's figures
            # (projects.signals): a fee moved to someone else (in the admin) changes both.
            self.stored_person_id = stored[1] if stored else None
        super().save(*args, **kwargs)

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.kind == PaymentKind.REVERSAL else self.amount

    @property
    def offered_amount(self) -> Decimal:
        """The amount offered; a fee made before offers were kept offered what it pays."""
        return self.amount if self.offer_amount is None else self.offer_amount

    @property
    def choice_made_for_them(self) -> bool:
        """Whether staff recorded the choice on the person's behalf."""
        maker = self.choice_made_by_id
        return maker is not None and maker != self.person.user_id

    @property
    def payee(self) -> str:
        """Who the money goes to: the charity the person chose, or the person."""
        if self.choice == FeeChoice.CHARITY and self.charity_name:
            return self.charity_name
        return self.person.full_name


class FeeWaitCount(models.Model):
    """How many fees paid in a quarter waited a given number of days from the meeting to
    being paid, kept up to date by projects.services.fee_waits whenever a fee is paid or
    unpaid or its meeting moves, so the dashboard's chart reads a few hundred rows
    instead of every fee paid in a year."""

    # The first day of the calendar quarter the fees were paid in.
    quarter = models.DateField()
    days = models.PositiveIntegerField()
    fees = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quarter", "days"], name="fee_wait_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.quarter:%b %Y}: {self.fees} paid after {self.days} days"


class PersonEarnings(models.Model):
    """The most a person's fees came to in any one tax year, counted as their benefits and
    tax checks count them (paid to them, not declined, cancelled or reversed), kept by
    projects.services.earnings whenever one of their fees is saved or deleted or its
    meeting moves. The payments page reads it with its fees: where nobody on the page is
    on benefits or has ever come near the trading allowance, no fee there can take them
    over a limit, and the page does not read everybody's fees to find that out. A person
    whose fees count for nothing has £0.00 or no row."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="fee_earnings"
    )
    most_in_a_tax_year = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name_plural = "person earnings"

    def __str__(self) -> str:
        return f"at most £{self.most_in_a_tax_year} in a tax year for {self.person_id}"


class ExpenseCategory(models.TextChoices):
    TRAVEL = "travel", "Travel (fares)"
    MILEAGE = "mileage", "Mileage"
    CARE = "care", "Carer or childcare costs"
    FOOD = "food", "Food"
    OTHER = "other", "Something else"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    PAID = "paid", "Paid"


class ExpenseClaim(models.Model):
    """Costs a participant claims back. The receipt is stored privately and shown only to
    them and staff."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="expense_claims")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="expense_claims"
    )
    meeting = models.ForeignKey(
        "projects.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expense_claims",
    )
    spent_on = models.DateField("date")
    category = models.CharField(max_length=10, choices=ExpenseCategory.choices)
    miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    amount = models.DecimalField(
        "amount (£)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PAYMENT)],
    )
    note = models.TextField(blank=True)
    receipt = models.FileField(upload_to="receipts/%Y/%m/", blank=True)
    status = models.CharField(
        max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    reason = models.TextField(blank=True, help_text="Shown to the participant.")
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    payment_run = models.ForeignKey(
        PaymentRun, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    # A member of staff who made the claim for someone who is not online; empty when the
    # person made it themselves.
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) & models.Q(amount__lte=MAX_PAYMENT),
                name="expense_amount_positive_and_sane",
            ),
        ]
        indexes = [
            # The expense claims tab of a project's payments page, newest first
            # (projects.selectors.payments.project_claims_page).
            models.Index(
                fields=["project", "-submitted_at", "-id"], name="claim_project_newest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} {self.get_category_display().lower()} for {self.person}"


class ReminderSent(models.Model):
    """One row per reminder sent, so a reminder goes once, never twice."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key
