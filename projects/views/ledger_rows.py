"""What each row of a project's payments page shows (its fees, or its expense claims),
worked out once per row here rather than by template tags and includes per row, whose cost
adds up over a page: each URL is reversed once for the page, each date formatted once."""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator

from coprod.core.links import link_maker
from coprod.core.templatetags.coprod_tags import money
from projects.models import (
    ClaimStatus,
    ExpenseClaim,
    Payment,
    PaymentKind,
    PaymentStatus,
    Project,
)
from stakeholders.models import PaymentMethod

DAY = "j M Y"


def _day(value) -> str:
    """A date as {{ value|date:"j M Y" }} shows it; a date and time in local time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return date_format(value, DAY)


def _status_notes(row: Payment | ExpenseClaim) -> list[str]:
    """The small print under a ledger row's status: when and how it was paid, why it was
    declined, cancelled or reversed, whether it was reversed."""
    notes = []
    if row.status == "paid":
        paid = f"on {_day(row.paid_on)}"
        notes.append(f"{paid}, reference {row.reference}" if row.reference else paid)
    if row.reason:
        notes.append(row.reason)
    if _reversal_of(row):
        notes.append("Reversed.")
    return notes


def _reversal_of(row: Payment | ExpenseClaim) -> Payment | None:
    # A fee not reversed has no reversed_by, and asking for it raises an AttributeError.
    return getattr(row, "reversed_by", None)


def fee_rows(project: Project, fees: Iterable[Payment]) -> list[dict]:
    """Fees need `benefit_effect` set where they are unpaid (views.payments does)."""
    detail_url = link_maker("projects:payment", project.slug)
    choose_url = link_maker("projects:payment_choose", project.slug)
    approve_url = link_maker("projects:payment_approve", project.slug)
    paid_url = link_maker("projects:payment_paid", project.slug)
    decline_url = link_maker("projects:payment_decline", project.slug)
    reverse_url = link_maker("projects:payment_reverse", project.slug)
    choices_url = link_maker("projects:person_payment_choices")
    rows = []
    for fee in fees:
        person = fee.person
        effect = getattr(fee, "benefit_effect", None)
        unpaid = fee.status in (PaymentStatus.OWED, PaymentStatus.APPROVED)
        needs_choice = (
            fee.status == PaymentStatus.OWED and effect and effect.is_over and not fee.choice
        )
        row = {
            "public_id": fee.public_id,
            "name": person.full_name,
            "receives_benefits": person.receives_benefits,
            "url": detail_url(fee.public_id),
            "activity": fee.activity,
            "effect": effect if effect and effect.worth_showing else None,
            "amount": money(fee.signed_amount),
            "method": fee.get_method_display() if fee.method else "",
            "account": "",
            "method_missing": unpaid and not fee.method,
            "status": fee.get_status_display(),
            "status_notes": _status_notes(fee),
            "owed_since": _day(fee.owed_since),
            "choose_url": choose_url(fee.public_id) if needs_choice else "",
            "approve_url": ""
            if needs_choice or fee.status != PaymentStatus.OWED
            else approve_url(fee.public_id),
            "choices_url": "",
            "paid_url": "",
            "decline_url": decline_url(fee.public_id) if unpaid else "",
            "reverse_url": reverse_url(fee.public_id)
            if fee.status == PaymentStatus.PAID
            and fee.kind == PaymentKind.FEE
            and not _reversal_of(fee)
            else "",
        }
        if fee.status == PaymentStatus.APPROVED:
            if not fee.method:
                row["choices_url"] = choices_url(person.public_id)
            else:
                row["paid_url"] = paid_url(fee.public_id)
                if fee.method == PaymentMethod.BANK_TRANSFER:
                    row["account"] = (
                        f"account {person.bank_account_number_masked}"
                        if person.has_bank_details
                        else "no bank details yet"
                    )
        rows.append(row)
    return rows


def claim_rows(project: Project, claims: Iterable[ExpenseClaim]) -> list[dict]:
    detail_url = link_maker("projects:claim", project.slug)
    decide_url = link_maker("projects:claim_decide", project.slug)
    paid_url = link_maker("projects:claim_paid", project.slug)
    receipt_url = link_maker("projects:claim_receipt")
    rows = []
    for claim in claims:
        person = claim.person
        rows.append(
            {
                "public_id": claim.public_id,
                "name": person.full_name,
                "display_name": person.display_name,
                "url": detail_url(claim.public_id),
                "category": claim.get_category_display(),
                "spent_on": _day(claim.spent_on),
                "meeting": claim.meeting.title if claim.meeting else "",
                "miles": claim.miles,
                "note": Truncator(claim.note).chars(120),
                "recorded_by": str(claim.recorded_by) if claim.recorded_by else "",
                "amount": money(claim.amount),
                "receipt_url": receipt_url(claim.public_id) if claim.receipt else "",
                "status": claim.get_status_display(),
                "status_notes": _status_notes(claim),
                "submitted_at": _day(claim.submitted_at),
                "decide_url": decide_url(claim.public_id)
                if claim.status == ClaimStatus.SUBMITTED
                else "",
                "paid_url": paid_url(claim.public_id)
                if claim.status == ClaimStatus.APPROVED
                else "",
            }
        )
    return rows
