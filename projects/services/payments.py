import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from coprod.core.emails import send_email
from coprod.core.uploads import RECEIPT_KINDS, RECEIPT_MAX_BYTES, random_file_name, upload_check
from projects.models import (
    ARCHIVED_NOTHING_CAN_CHANGE,
    MAX_PAYMENT,
    Attendance,
    AttendanceStatus,
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    FeeBasis,
    FeeChoice,
    Meeting,
    Payment,
    PaymentKind,
    PaymentPolicy,
    PaymentRun,
    PaymentStatus,
    Project,
    ReminderSent,
)
from projects.selectors.fee_benefits import fee_benefit_effect
from projects.selectors.payments import payment_policies_for
from projects.services.fee_waits import fee_waits_change
from stakeholders.models import PaymentMethod, Person, Role, User

PENNY = Decimal("0.01")


ATTENDANCE_CANCELLED = "Attendance was changed to 'did not come'."


class PaymentError(Exception):
    """A payment cannot make this change; the message says why in plain English."""


class ChoiceNeeded(PaymentError):
    """Paying this fee in full would take the person over a benefits or tax limit: it can be
    approved only once their choice (full, lower, charity, decline) is recorded."""

    def __init__(self, effect) -> None:
        super().__init__(
            "This fee would take them over a limit, so it cannot be approved until their "
            "choice is recorded: the full amount, a lower amount, a charity, or not paid."
        )
        self.effect = effect


class BenefitsWarning(PaymentError):
    """The person receives benefits: staff must confirm they have checked before approving."""


def payment_policy_for(project: Project) -> PaymentPolicy:
    policy, _ = PaymentPolicy.objects.get_or_create(project=project)
    return policy


def fee_amount(*, policy: PaymentPolicy, hours: Decimal) -> Decimal:
    if policy.fee_basis == FeeBasis.PER_SESSION:
        return policy.fee_rate.quantize(PENNY)
    return (policy.fee_rate * hours).quantize(PENNY, rounding=ROUND_HALF_UP)


def _method_for(person: Person, policy: PaymentPolicy) -> str:
    """The person's own choice, or the project's way of paying when it does not offer theirs;
    blank while they have not chosen (a way of paying is never assumed)."""
    if not person.payment_method:
        return ""
    offered = [
        method
        for method, on in (
            (PaymentMethod.BANK_TRANSFER, policy.offers_bank_transfer),
            (PaymentMethod.VOUCHER, policy.offers_voucher),
        )
        if on
    ]
    if person.payment_method in offered or not offered:
        return person.payment_method
    return offered[0]


def payment_for_attendance(*, attendance: Attendance) -> Payment | None:
    """Keep the fee for one attendance in step with it: attended creates (or restores) the
    fee owed; did-not-come cancels a fee not yet paid. One fee per person per meeting."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(attendance=attendance).first()
        person = attendance.person
        policy = payment_policy_for(attendance.meeting.project)
        if attendance.status != AttendanceStatus.ATTENDED:
            if payment and payment.status in (PaymentStatus.OWED, PaymentStatus.APPROVED):
                payment.status = PaymentStatus.CANCELLED
                payment.reason = ATTENDANCE_CANCELLED
                payment.save(update_fields=["status", "reason"])
            return payment
        amount = fee_amount(policy=policy, hours=attendance.hours)
        if payment is None:
            if amount <= 0 or person.declines_payment:
                return None
            return Payment.objects.create(
                person=person,
                project=attendance.meeting.project,
                attendance=attendance,
                activity=_activity_name(attendance),
                amount=amount,
                method=_method_for(person, policy),
                offer_basis=policy.fee_basis,
                offer_amount=amount,
                offered_on=timezone.localdate(),
            )
        # Only a fee cancelled by attendance comes back; one staff cancelled stays cancelled.
        restorable = payment.status == PaymentStatus.OWED or (
            payment.status == PaymentStatus.CANCELLED
            and payment.reason == ATTENDANCE_CANCELLED
            and not person.declines_payment
        )
        if restorable and amount > 0:
            payment.status = PaymentStatus.OWED
            payment.reason = ""
            changed = ["status", "reason"]
            # Corrected attendance corrects the offer until the person has answered it;
            # after that their choice stands.
            if not payment.choice:
                payment.amount = payment.offer_amount = amount
                changed += ["amount", "offer_amount"]
            payment.save(update_fields=changed)
        return payment


def _activity_name(attendance: Attendance) -> str:
    meeting = attendance.meeting
    return f"{meeting.title}, {timezone.localtime(meeting.starts_at):%d %b %Y}"


def _change_status(payment: Payment, allowed: tuple[str, ...], message: str) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status not in allowed:
        raise PaymentError(message.format(status=payment.get_status_display().lower()))
    return payment


def payment_approve(
    *, payment: Payment, approved_by: User, benefits_checked: bool = False
) -> Payment:
    with transaction.atomic():
        payment = _change_status(
            payment,
            (PaymentStatus.OWED,),
            "Only an owed fee can be approved; this one is {status}.",
        )
        if not payment.choice:
            effect = fee_benefit_effect(payment)
            if effect is not None and effect.is_over:
                raise ChoiceNeeded(effect)
        if payment.person.receives_benefits and not benefits_checked:
            raise BenefitsWarning(benefits_warning(payment.person))
        payment.status = PaymentStatus.APPROVED
        payment.approved_by = approved_by
        payment.approved_at = timezone.now()
        payment.save(update_fields=["status", "approved_by", "approved_at"])
    return payment


def benefits_warning(person: Person) -> str:
    if person.permitted_work_form:
        return (
            f"{person.display_name} receives benefits and has a permitted work form. Check "
            "this payment keeps them within its earnings limit before you approve it."
        )
    # What the rules allow for service-user involvement (SCIE, "Paying people who receive
    # benefits"): declining, a lower amount or payment to a charity are not treated as
    # earnings, and expenses repaid against receipts are ignored. A voucher or gift card
    # counts as earnings just like a bank transfer, so it is no way round the rules.
    return (
        f"{person.display_name} receives benefits and has no permitted work form in place. "
        "Paying them could reduce their benefits. Talk to them first: they can decline the "
        "payment, ask for a lower amount, or have it paid to a charity. Expenses repaid "
        "against receipts do not count."
    )


def no_method_yet(person: Person) -> str:
    return (
        f"{person.display_name} has not chosen how to be paid yet, so this fee cannot be "
        "marked as paid. Record how they want to be paid first."
    )


def payment_mark_paid(
    *, payment: Payment, paid_on: date | str, reference: str, run: PaymentRun | None = None
) -> Payment:
    if not reference.strip():
        raise PaymentError("Give the payment reference, so that finance can match it.")
    if isinstance(paid_on, str):
        paid_on = date.fromisoformat(paid_on)
    if paid_on > timezone.localdate():
        raise PaymentError("The date paid cannot be in the future.")
    with transaction.atomic():
        payment = _change_status(
            payment,
            (PaymentStatus.APPROVED,),
            "Only an approved fee can be paid; this one is {status}.",
        )
        if not payment.method:
            raise PaymentError(no_method_yet(payment.person))
        payment.status = PaymentStatus.PAID
        payment.paid_on = paid_on
        payment.reference = reference.strip()
        payment.payment_run = run
        payment.save(update_fields=["status", "paid_on", "reference", "payment_run"])
    return payment


def payment_decline(
    *, payment: Payment, reason: str, new_status: str = PaymentStatus.DECLINED
) -> Payment:
    """Decline or cancel a fee not yet paid, with the reason."""
    if new_status not in (PaymentStatus.DECLINED, PaymentStatus.CANCELLED):
        raise PaymentError("A fee can only be declined or cancelled here.")
    if not reason.strip():
        raise PaymentError("Give a reason, so that everyone knows why.")
    with transaction.atomic():
        payment = _change_status(
            payment,
            (PaymentStatus.OWED, PaymentStatus.APPROVED),
            "A fee that is {status} cannot be declined or cancelled.",
        )
        payment.status = new_status
        payment.reason = reason.strip()
        payment.save(update_fields=["status", "reason"])
    return payment


DECLINED_BY_THE_PERSON = "Declined by the person."


class ChoiceError(PaymentError):
    """The choice cannot be saved; `field` names the question the message is about."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def payment_choose(
    *,
    payment: Payment,
    choice: str,
    made_by: User,
    amount: Decimal | None = None,
    charity_name: str = "",
) -> Payment:
    """The person's answer to the fee offered, made by them or recorded by staff for them
    (`made_by`): the full amount, a lower amount (more than nothing, less than the offer),
    paid to a charity they name, or not paid at all (the fee is declined). Open until the
    fee is approved; declining stays possible until it is paid. Raises ChoiceError."""
    if choice not in FeeChoice.values:
        raise ChoiceError("Choose what you would like to happen to this payment.", field="choice")
    charity_name = charity_name.strip()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        open_statuses = [PaymentStatus.OWED]
        if choice == FeeChoice.DECLINE:
            open_statuses.append(PaymentStatus.APPROVED)
        if payment.kind != PaymentKind.FEE or payment.status not in open_statuses:
            raise ChoiceError(
                f"This payment is {payment.get_status_display().lower()}, so this choice can "
                "no longer be made. Ask the project team."
            )
        offer = payment.offered_amount
        if choice == FeeChoice.LOWER:
            if amount is None:
                raise ChoiceError("Enter the amount you would like, like 10.00.", field="amount")
            if amount <= 0:
                raise ChoiceError(
                    "The amount must be more than £0. To be paid nothing, choose "
                    "'Do not pay me for this'.",
                    field="amount",
                )
            if amount >= offer:
                raise ChoiceError(
                    f"The amount must be less than the £{offer:,.2f} offered. To be paid all "
                    "of it, choose 'The full amount'.",
                    field="amount",
                )
        if choice == FeeChoice.CHARITY and not charity_name:
            raise ChoiceError("Enter the name of the charity to pay.", field="charity_name")
        payment.offer_amount = offer
        payment.choice = choice
        payment.amount = amount if choice == FeeChoice.LOWER else offer
        payment.charity_name = charity_name if choice == FeeChoice.CHARITY else ""
        payment.choice_made_at = timezone.now()
        payment.choice_made_by = made_by
        changed = [
            "offer_amount",
            "choice",
            "amount",
            "charity_name",
            "choice_made_at",
            "choice_made_by",
        ]
        if choice == FeeChoice.DECLINE:
            payment.status = PaymentStatus.DECLINED
            payment.reason = DECLINED_BY_THE_PERSON
            changed += ["status", "reason"]
        payment.save(update_fields=changed)
    return payment


def payment_reverse(*, payment: Payment, reason: str, reversed_by: User) -> Payment:
    """A paid fee is never edited: a new entry takes the money back out of the totals."""
    if not reason.strip():
        raise PaymentError("Give a reason for the reversal.")
    with transaction.atomic():
        payment = _change_status(
            payment, (PaymentStatus.PAID,), "Only a paid fee can be reversed; this one is {status}."
        )
        if payment.kind == PaymentKind.REVERSAL or hasattr(payment, "reversed_by"):
            raise PaymentError("This payment has already been reversed.")
        return Payment.objects.create(
            kind=PaymentKind.REVERSAL,
            person=payment.person,
            project=payment.project,
            activity=f"Reversal: {payment.activity}",
            amount=payment.amount,
            method=payment.method,
            status=PaymentStatus.PAID,
            reason=reason.strip(),
            paid_on=timezone.localdate(),
            approved_by=reversed_by,
            approved_at=timezone.now(),
            reverses=payment,
        )


def claim_decide(
    *, claim: ExpenseClaim, decided_by: User, approve: bool, reason: str = ""
) -> ExpenseClaim:
    """Approve or reject a claim waiting for a decision. A rejection needs a reason: the
    participant sees it."""
    reason = reason.strip()
    if not approve and not reason:
        raise PaymentError("Give a reason for not approving the claim: the person will see it.")
    with transaction.atomic():
        claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.SUBMITTED:
            raise PaymentError(
                f"This claim has already been decided: it is {claim.get_status_display().lower()}."
            )
        claim.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
        claim.reason = reason
        claim.decided_by = decided_by
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return claim


def claim_mark_paid(
    *, claim: ExpenseClaim, paid_on: date, reference: str, run: PaymentRun | None = None
) -> ExpenseClaim:
    if not reference.strip():
        raise PaymentError("Give the payment reference, so that finance can match it.")
    with transaction.atomic():
        claim = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.APPROVED:
            raise PaymentError(
                "Only an approved claim can be paid; this one is "
                f"{claim.get_status_display().lower()}."
            )
        claim.status = ClaimStatus.PAID
        claim.paid_on = paid_on
        claim.reference = reference.strip()
        claim.payment_run = run
        claim.save(update_fields=["status", "paid_on", "reference", "payment_run"])
    return claim


def payments_mark_paid_in_bulk(
    *, items: Iterable[tuple[Payment | ExpenseClaim, str]], paid_on: date, made_by: User
) -> PaymentRun:
    """A payment run: mark approved fees and claims as paid, each with its reference, all
    of them or, if any one cannot be paid, none, and keep who did it, when, and which."""
    with transaction.atomic():
        run = PaymentRun.objects.create(paid_on=paid_on, made_by=made_by)
        total = Decimal("0.00")
        for item, reference in items:
            try:
                if isinstance(item, ExpenseClaim):
                    paid = claim_mark_paid(
                        claim=item, paid_on=paid_on, reference=reference, run=run
                    )
                else:
                    paid = payment_mark_paid(
                        payment=item, paid_on=paid_on, reference=reference, run=run
                    )
            except PaymentError as error:
                raise PaymentError(f"{item}: {error}") from error
            run.item_count += 1
            total += paid.amount
        run.total = total
        run.save(update_fields=["item_count", "total"])
    return run


def payment_run_undo(*, run: PaymentRun, undone_by: User) -> PaymentRun:
    """Undo a whole payment run in one step: its fees and claims go back to approved, with
    no date paid or reference, and the run is marked undone, by whom and when. Refused once
    a fee in it has been reversed (the reversal is money accounted for on its own), and
    for a run already undone. A paid fee is otherwise never edited; this is the one
    exception, for a run whose money never left (a file not sent, a wrong batch)."""
    with transaction.atomic():
        run = PaymentRun.objects.select_for_update().get(pk=run.pk)
        if run.is_undone:
            raise PaymentError("This payment run has already been undone.")
        fees = list(Payment.objects.select_for_update().filter(payment_run=run))
        claims = list(ExpenseClaim.objects.select_for_update().filter(payment_run=run))
        if Payment.objects.filter(reverses__in=fees).exists():
            raise PaymentError(
                "This payment run cannot be undone: a fee in it has been reversed. Put "
                "right any other fee in it with a reversal of its own."
            )
        for fee in fees:
            fee.status, fee.paid_on, fee.reference, fee.payment_run = (
                PaymentStatus.APPROVED,
                None,
                "",
                None,
            )
        for claim in claims:
            claim.status, claim.paid_on, claim.reference, claim.payment_run = (
                ClaimStatus.APPROVED,
                None,
                "",
                None,
            )
        # Taken out of the kept counts while they are still paid; the bulk update sends
        # no signal.
        fee_waits_change(payments=Payment.objects.filter(payment_run=run), by=-1)
        changed = ["status", "paid_on", "reference", "payment_run"]
        # Saved without Payment.save, which refuses to change a paid fee; each row's history
        # still records the change and who made it.
        bulk_update_with_history(fees, Payment, changed, default_user=undone_by)
        bulk_update_with_history(claims, ExpenseClaim, changed, default_user=undone_by)
        run.undone_at = timezone.now()
        run.undone_by = undone_by
        run.save(update_fields=["undone_at", "undone_by"])
    return run


def payment_policy_update(*, project: Project, **fields) -> PaymentPolicy:
    policy = payment_policy_for(project)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


CLAIM_MAX_AGE = timedelta(days=365)


CLAIM_REMINDER_MAX_MEETING_AGE = timedelta(days=30)


PAYMENT_DIGEST_LIMIT = 50


class ClaimError(Exception):
    """An expense claim cannot be made; the message says why in plain English, and `field`
    names the question it is about."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def payment_choices_save(
    *,
    person: Person,
    payment_method: str,
    declines_payment: bool,
    recorded_by: User,
) -> Person:
    """How a person wants to be paid, saved by them or by staff on their behalf (kept in
    `payment_choices_recorded_by`). An empty method keeps the one they had. Fees not yet
    paid follow the new choice; bank details are deleted once bank transfer is not it."""
    with transaction.atomic():
        person.payment_method = payment_method or person.payment_method
        person.declines_payment = declines_payment
        person.payment_choices_recorded_by = recorded_by
        person.payment_choices_recorded_at = timezone.now()
        changed = [
            "payment_method",
            "declines_payment",
            "payment_choices_recorded_by",
            "payment_choices_recorded_at",
        ]
        if person.payment_method != PaymentMethod.BANK_TRANSFER and person.has_bank_details:
            changed += _bank_details_set(person, None, None, None, recorded_by=recorded_by)
        person.save(update_fields=changed)
        _unpaid_fees_follow_choice(person)
    return person


def _unpaid_fees_follow_choice(person: Person) -> None:
    """Fees owed or approved are paid the way the person now asks, as their projects allow."""
    unpaid = Payment.objects.filter(
        person=person, kind=PaymentKind.FEE, status__in=[PaymentStatus.OWED, PaymentStatus.APPROVED]
    )
    projects = Project.objects.filter(pk__in=unpaid.values("project"))
    for project_id, policy in payment_policies_for(projects).items():
        method = _method_for(person, policy)
        # Saved one by one, so each fee's history shows the change and who made it.
        for fee in unpaid.filter(project_id=project_id).exclude(method=method):
            fee.method = method
            fee.save(update_fields=["method"])


def _bank_details_set(
    person: Person,
    account_name: str | None,
    sort_code: str | None,
    account_number: str | None,
    *,
    recorded_by: User,
) -> list[str]:
    person.bank_account_name = account_name
    person.bank_sort_code = sort_code
    person.bank_account_number = account_number
    person.bank_details_recorded_by = recorded_by
    person.bank_details_recorded_at = timezone.now()
    return [
        "bank_account_name",
        "bank_sort_code",
        "bank_account_number",
        "bank_details_recorded_by",
        "bank_details_recorded_at",
    ]


class BankDetailsError(Exception):
    """Bank details that cannot be saved; the message says why in plain English."""


def bank_details_save(
    *, person: Person, account_name: str, sort_code: str, account_number: str, recorded_by: User
) -> Person:
    """The account to pay a person by bank transfer, saved by them or by staff on their
    behalf (`bank_details_recorded_by`). Takes the numbers as the form cleans them: a
    6-digit sort code and an 8-digit account number, digits only."""
    if person.erased_at is not None:
        raise BankDetailsError("This person's details have been erased.")
    if person.payment_method != PaymentMethod.BANK_TRANSFER:
        raise BankDetailsError("Bank details are only kept for people paid by bank transfer.")
    complete = (
        account_name.strip()
        and re.fullmatch(r"[0-9]{6}", sort_code)
        and re.fullmatch(r"[0-9]{8}", account_number)
    )
    if not complete:
        raise BankDetailsError("These bank details are not complete.")
    changed = _bank_details_set(
        person, account_name.strip(), sort_code, account_number, recorded_by=recorded_by
    )
    person.save(update_fields=changed)
    return person


def claim_categories_covered(policy: PaymentPolicy) -> list[str]:
    covered = {
        ExpenseCategory.TRAVEL: policy.covers_travel,
        ExpenseCategory.MILEAGE: policy.covers_mileage and policy.mileage_rate > 0,
        ExpenseCategory.CARE: policy.covers_care,
        ExpenseCategory.FOOD: policy.covers_food,
    }
    return [category for category, on in covered.items() if on]


def claim_categories_in_words(policy: PaymentPolicy) -> list[str]:
    """What a project pays expenses for, as a participant reads it."""
    return [
        f"mileage at £{policy.mileage_rate:.2f} a mile"
        if category == ExpenseCategory.MILEAGE
        else ExpenseCategory(category).label.lower()
        for category in claim_categories_covered(policy)
    ]


def mileage_amount(*, policy: PaymentPolicy, miles: Decimal) -> Decimal:
    return (policy.mileage_rate * miles).quantize(PENNY, rounding=ROUND_HALF_UP)


def claim_date_problem(spent_on: date) -> str | None:
    today = timezone.localdate()
    if spent_on > today:
        return "The date cannot be in the future."
    if spent_on < today - CLAIM_MAX_AGE:
        return "You can only claim for money spent in the last 12 months."
    return None


def expense_claim_submit(
    *,
    person: Person,
    project: Project,
    category: str,
    spent_on: date,
    amount: Decimal | None = None,
    miles: Decimal | None = None,
    meeting: Meeting | None = None,
    note: str = "",
    receipt: File | None = None,
    recorded_by: User | None = None,
) -> ExpenseClaim:
    """A participant claims back what taking part cost them, or a member of staff
    (`recorded_by`) records the claim for someone who is not online. Mileage is worked out
    from the miles and the project's rate; the receipt is checked by its content and stored
    under a random name. Raises ClaimError."""
    if person.erased_at is not None:
        raise ClaimError("This person's details have been erased, so nothing can be claimed.")
    if project.is_archived:
        raise ClaimError(ARCHIVED_NOTHING_CAN_CHANGE, field="project")
    policy = payment_policy_for(project)
    if category not in claim_categories_covered(policy):
        raise ClaimError(f"{project.name} does not pay for this.", field="category")
    if problem := claim_date_problem(spent_on):
        raise ClaimError(problem, field="spent_on")
    if meeting is not None and meeting.project_id != project.pk:
        raise ClaimError("This meeting is not part of the project you chose.", field="meeting")
    if category == ExpenseCategory.MILEAGE:
        if not miles or miles <= 0:
            raise ClaimError("Say how many miles you drove.", field="miles")
        amount = mileage_amount(policy=policy, miles=miles)
    else:
        miles = None
    if amount is None or not PENNY <= amount <= MAX_PAYMENT:
        raise ClaimError(
            f"The amount must be between £0.01 and £{MAX_PAYMENT:,}.",
            field="miles" if category == ExpenseCategory.MILEAGE else "amount",
        )
    if receipt is None and category != ExpenseCategory.MILEAGE:
        raise ClaimError("Add a photo or scan of your receipt.", field="receipt")
    if receipt is not None:
        try:
            kind = upload_check(receipt, kinds=RECEIPT_KINDS, max_bytes=RECEIPT_MAX_BYTES)
        except ValidationError as error:
            raise ClaimError(error.messages[0], field="receipt") from error
        receipt.name = random_file_name(kind)
    claim = ExpenseClaim(
        person=person,
        project=project,
        meeting=meeting,
        spent_on=spent_on,
        category=category,
        miles=miles,
        amount=amount,
        note=note.strip(),
        receipt=receipt,
        recorded_by=recorded_by,
    )
    claim.full_clean()
    claim.save()
    return claim


def _reminder_once(key: str, send) -> bool:
    """Send a reminder unless one with this key was sent; the row and the email stand or
    fall together, so a failed send is tried again and a repeated run sends nothing."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key)
            send()
    except IntegrityError:
        return False
    return True


def payment_digest_send(*, now: datetime | None = None) -> bool:
    """Email staff, once a day, the fees and claims waiting longer than
    COPROD_PAYMENT_OVERDUE_DAYS, oldest first. Nothing is sent when nothing waits."""
    now = now or timezone.now()
    days = settings.COPROD_PAYMENT_OVERDUE_DAYS
    waiting_since = now - timedelta(days=days)
    fees = (
        Payment.objects.filter(
            status__in=[PaymentStatus.OWED, PaymentStatus.APPROVED], owed_since__lt=waiting_since
        )
        .select_related("person", "project")
        .order_by("owed_since", "pk")
    )
    claims = (
        ExpenseClaim.objects.filter(
            status__in=[ClaimStatus.SUBMITTED, ClaimStatus.APPROVED],
            submitted_at__lt=waiting_since,
        )
        .select_related("person", "project")
        .order_by("submitted_at", "pk")
    )
    fee_count, claim_count = fees.count(), claims.count()
    staff_emails = list(
        User.objects.filter(role=Role.STAFF, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not (fee_count or claim_count) or not staff_emails:
        return False
    context = {
        "days": days,
        "fees": fees[:PAYMENT_DIGEST_LIMIT],
        "fee_count": fee_count,
        "claims": claims[:PAYMENT_DIGEST_LIMIT],
        "claim_count": claim_count,
        "dashboard_url": settings.COPROD_BASE_URL.rstrip("/") + reverse("pages:dashboard"),
    }
    return _reminder_once(
        f"payment-digest:{timezone.localdate(now).isoformat()}",
        partial(send_email, "payment-digest", to=staff_emails, context=context),
    )


def claim_reminders_send(*, now: datetime | None = None) -> int:
    """A few days (COPROD_CLAIM_REMINDER_DAYS) after a meeting, tell each person who came,
    has an email address, may still be contacted and has claimed nothing for it, that they
    can claim expenses. Once per person per meeting; never for meetings more than 30 days
    old."""
    now = now or timezone.now()
    claimed = ExpenseClaim.objects.filter(person=OuterRef("person"), meeting=OuterRef("meeting"))
    attendances = list(
        Attendance.objects.filter(
            status=AttendanceStatus.ATTENDED,
            meeting__cancelled_at=None,
            meeting__ends_at__lte=now - timedelta(days=settings.COPROD_CLAIM_REMINDER_DAYS),
            meeting__starts_at__gte=now - CLAIM_REMINDER_MAX_MEETING_AGE,
            person__involvement_consent_given=True,
            person__erased_at=None,
        )
        .exclude(person__email="")
        .exclude(Exists(claimed))
        .select_related("meeting__project", "person__user")
        .order_by("meeting__starts_at", "pk")
    )
    keys = {
        attendance.pk: f"claim-reminder:{attendance.meeting.public_id}:"
        f"{attendance.person.public_id}"
        for attendance in attendances
    }
    already_sent = set(
        ReminderSent.objects.filter(key__in=keys.values()).values_list("key", flat=True)
    )
    policies = payment_policies_for({a.meeting.project for a in attendances})
    sent = 0
    for attendance in attendances:
        policy = policies[attendance.meeting.project_id]
        if keys[attendance.pk] in already_sent or not claim_categories_covered(policy):
            continue
        sent += _reminder_once(
            keys[attendance.pk], partial(_claim_reminder_email, attendance, policy)
        )
    return sent


def _claim_reminder_email(attendance: Attendance, policy: PaymentPolicy) -> None:
    person, meeting = attendance.person, attendance.meeting
    claim_path = reverse("projects:claim_new") + f"?meeting={meeting.public_id}"
    send_email(
        "claim-reminder",
        to=[person.email],
        context={
            "person": person,
            "meeting": meeting,
            "project": meeting.project,
            "paid_for": claim_categories_in_words(policy),
            "claim_url": settings.COPROD_BASE_URL.rstrip("/") + claim_path,
            "has_login": person.user is not None and person.user.is_active,
        },
    )
