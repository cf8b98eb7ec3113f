"""What each row of a project's payments page shows (its fees, or its expense claims),
worked out once per row here rather than by template tags and includes per row, whose cost
adds up over a page: each URL is reversed once for the page, each date formatted once."""

from collections.abc import Callable, Iterable
from html import escape

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from coprod.core.days import day_text
from coprod.core.html import html_row
from coprod.core.links import link_maker
from coprod.core.templatetags.coprod_tags import money
from projects.models import ClaimStatus, ExpenseClaim, PaymentKind, PaymentStatus, Project
from projects.selectors.fee_benefits import FeeBenefitEffect
from projects.selectors.payments import LedgerFee
from stakeholders.models import PaymentMethod

# Labels escaped for HTML once per process.
_FEE_STATUSES = {value: escape(label) for value, label in PaymentStatus.choices}
# Stands in for a row's id while a link is reversed: it matches the <uuid:...> converter.
_ROW_ID = "00000000-0000-0000-0000-000000000000"
_METHODS = {value: escape(label) for value, label in PaymentMethod.choices}


def _day(value) -> str:
    """A date as {{ value|date:"j M Y" }} shows it (3 Dec 2026); a date and time in local
    time."""
    return "" if value is None else day_text(value)


def _status_notes(row: LedgerFee | ExpenseClaim, *, reversed_: bool = False) -> list[str]:
    """The small print under a ledger row's status: when and how it was paid, why it was
    declined, cancelled or reversed, whether it was reversed."""
    notes = []
    if row.status == "paid":
        paid = f"on {_day(row.paid_on)}"
        notes.append(f"{paid}, reference {row.reference}" if row.reference else paid)
    if row.reason:
        notes.append(row.reason)
    if reversed_:
        notes.append("Reversed.")
    return notes


def fee_rows(
    project: Project,
    fees: Iterable[LedgerFee],
    *,
    effects: dict[int, FeeBenefitEffect],
    post_fields: str,
    today_iso: str,
) -> list[SafeString]:
    """Each fee's table row, as HTML. A page of fees has up to 25 rows of up to three small
    forms each, and the template engine's cost per tag and variable came to most of the
    page's time, so the rows are put together here from the fragments below. Each value is
    escaped as format_html would (html.escape), once per row however many fragments show
    it: a row's name, say, is in up to five. `effects` are the unpaid fees' effects on
    benefits, by fee pk (fee_benefit_effects); `post_fields` are the hidden fields every
    form posts (the csrf token and where to come back to), rendered once for the page."""
    detail_url, choose_url, approve_url, paid_url, decline_url, reverse_url, choices_url = (
        _fee_links(project.slug)
    )
    post_fields = conditional_escape(post_fields)
    today_iso = escape(today_iso)
    # Each owed_since put into local time here: timezone.localtime looks the zone up anew
    # every time.
    zone = timezone.get_current_timezone()
    rows = []
    for fee in fees:
        status = fee.status
        # Escaped once each, for every fragment of the row that shows them. A link is its
        # pattern, escaped once per page, around the row's id (hex digits and hyphens).
        name, activity, row_id = escape(fee.person_name), escape(fee.activity), str(fee.public_id)
        effect = effects.get(fee.pk)
        unpaid = status == PaymentStatus.OWED or status == PaymentStatus.APPROVED
        actions = ""
        if status == PaymentStatus.OWED and effect and effect.is_over and not fee.choice:
            actions += _choose(url=choose_url(row_id), name=name)
        elif status == PaymentStatus.OWED:
            actions += _approve(
                url=approve_url(row_id), post_fields=post_fields, name=name, activity=activity
            )
        account = ""
        if status == PaymentStatus.APPROVED:
            if not fee.method:
                actions += _choices(url=choices_url(str(fee.person_public_id)), name=name)
            else:
                actions += _mark_paid(
                    url=paid_url(row_id),
                    post_fields=post_fields,
                    row_id=row_id,
                    today_iso=today_iso,
                    name=name,
                )
                if fee.method == PaymentMethod.BANK_TRANSFER:
                    account = escape(
                        f"account {fee.bank_account_number_masked}"
                        if fee.has_bank_details
                        else "no bank details yet"
                    )
        if unpaid:
            actions += _decline(
                url=decline_url(row_id), post_fields=post_fields, row_id=row_id, name=name
            )
        if status == PaymentStatus.PAID and fee.kind == PaymentKind.FEE and not fee.is_reversed:
            actions += _reverse(
                url=reverse_url(row_id), post_fields=post_fields, row_id=row_id, name=name
            )
        if fee.method:
            method = _METHODS.get(fee.method) or escape(fee.method)
            if account:
                method = _method_account(method=method, account=account)
        else:
            method = _NOT_CHOSEN if unpaid else "–"
        url = detail_url(row_id)
        rows.append(
            SafeString(
                _fee_row(
                    name=name,
                    benefits=_RECEIVES_BENEFITS if fee.receives_benefits else "",
                    url=url,
                    activity=activity,
                    effect=_effect_box(effect) if effect and effect.worth_showing else "",
                    amount=escape(money(fee.signed_amount)),
                    method=method,
                    status=_FEE_STATUSES.get(status) or escape(status),
                    notes=escape(" ".join(_status_notes(fee, reversed_=fee.is_reversed))),
                    owed_since=day_text(fee.owed_since.astimezone(zone).date()),
                    actions=actions,
                )
            )
        )
    return rows


# The fee links, reversed once per process with stand-ins for the project's slug and the
# row's id (reverse() costs tens of microseconds, and a page of fees needs seven).
_SLUG = "project-slug-stand-in"
_fee_link_patterns: dict[tuple, tuple[str, ...]] = {}


def _fee_links(slug: str) -> tuple[Callable[[str], str], ...]:
    key = (get_urlconf(), get_script_prefix())
    patterns = _fee_link_patterns.get(key)
    if patterns is None:
        patterns = _fee_link_patterns[key] = (
            *(
                reverse(f"projects:{name}", args=[_SLUG, _ROW_ID])
                for name in (
                    "payment",
                    "payment_choose",
                    "payment_approve",
                    "payment_paid",
                    "payment_decline",
                    "payment_reverse",
                )
            ),
            reverse("projects:person_payment_choices", args=[_ROW_ID]),
        )
    return tuple(_link(pattern.replace(_SLUG, slug)) for pattern in patterns)


def _link(pattern: str) -> Callable[[str], str]:
    """The link for a row's id (as text), escaped for HTML: the id, hex digits and hyphens,
    needs no escaping, so the pattern around it is escaped once."""
    before, after = (escape(part) for part in pattern.split(_ROW_ID))
    return lambda row_id: f"{before}{row_id}{after}"


@receiver(setting_changed, dispatch_uid="ledger_rows_fee_links_reset")
def _forget_fee_links(**kwargs) -> None:
    _fee_link_patterns.clear()


def _effect_box(effect) -> SafeString:
    """What the fee does to their benefits or tax, in short: what is wrong, or else the
    benefit's own check."""
    return html_row(
        _EFFECT,
        look="alert alert-warning" if effect.is_over else "border-start border-3 ps-2",
        over=_OVER if effect.is_over else "",
        # Each line is escaped by html_row, so the lines joined are safe too.
        lines=SafeString(
            "".join(html_row("<li>{line}</li>", line=line) for line in effect.staff_summary)
        ),
    )


# The fees table's rows (projects/payments_fees_table.html holds the table around them):
# the same markup, names, ids and hidden labels a template would give them. Each fragment
# is an f-string in a function: str.format took seven times as long to fill them in, half
# a millisecond for a page of fees.
def _fee_row(
    *,
    name: str,
    benefits: str,
    url: str,
    activity: str,
    effect: str,
    amount: str,
    method: str,
    status: str,
    notes: str,
    owed_since: str,
    actions: str,
) -> str:
    return f"""<tr>
  <th scope="row">{name}{benefits}</th>
  <td><a href="{url}">{activity}</a>{effect}</td>
  <td class="text-end">{amount}</td>
  <td>{method}</td>
  <td>{status}
    <div class="small text-body-secondary">{notes}</div>
  </td>
  <td>{owed_since}</td>
  <td>
    {actions}
    <a class="small" href="{url}">History<span class="visually-hidden"> of {name}'s fee for \
{activity}</span></a>
  </td>
</tr>
"""


_RECEIVES_BENEFITS = mark_safe(' <span class="badge text-bg-warning">receives benefits</span>')
_NOT_CHOSEN = mark_safe("<strong>Not chosen yet</strong>")


def _method_account(*, method: str, account: str) -> str:
    return f'{method}<br><span class="small text-body-secondary">{account}</span>'


_EFFECT = """<div class="fee-benefit-effect {look} small mt-1 mb-0 p-2">
  {over}
  <ul class="mb-0 ps-3">{lines}</ul>
</div>"""
_OVER = mark_safe(
    '<p class="fw-bold mb-1">Paying all of this could affect their benefits or tax.</p>'
)


def _choose(*, url: str, name: str) -> str:
    return f"""<p class="small mb-1">Needs their choice before it can be approved: \
<a href="{url}">record {name}'s choice</a></p>
"""


def _approve(*, url: str, post_fields: str, name: str, activity: str) -> str:
    return f"""<form method="post" action="{url}" class="mb-1">
  {post_fields}
  <button type="submit" class="btn btn-sm btn-primary">Approve<span class="visually-hidden"> \
{name}'s fee for {activity}</span></button>
</form>
"""


def _choices(*, url: str, name: str) -> str:
    return f"""<p class="small mb-1">Cannot be paid until they choose how: \
<a href="{url}">record how {name} wants to be paid</a></p>
"""


def _mark_paid(*, url: str, post_fields: str, row_id: str, today_iso: str, name: str) -> str:
    return f"""<details class="mb-1"><summary>Mark as paid</summary>
  <form method="post" action="{url}" class="mt-1">
    {post_fields}
    <label class="form-label small mb-0" for="paid-on-{row_id}">Paid on</label>
    <input class="form-control form-control-sm" type="date" name="paid_on" id="paid-on-{row_id}" \
value="{today_iso}" required>
    <label class="form-label small mb-0" for="reference-{row_id}">Payment reference</label>
    <input class="form-control form-control-sm" type="text" name="reference" \
id="reference-{row_id}" maxlength="100" required>
    <button type="submit" class="btn btn-sm btn-primary mt-1">Mark as paid\
<span class="visually-hidden">: {name}'s fee</span></button>
  </form>
</details>
"""


def _decline(*, url: str, post_fields: str, row_id: str, name: str) -> str:
    return f"""<details class="mb-1"><summary>Decline or cancel</summary>
  <form method="post" action="{url}" class="mt-1">
    {post_fields}
    <fieldset>
      <legend class="form-label small mb-0">What happened</legend>
      <div class="form-check"><input class="form-check-input" type="radio" name="new_status" \
value="declined" id="declined-{row_id}"><label class="form-check-label small" \
for="declined-{row_id}">Declined: they chose not to be paid</label></div>
      <div class="form-check"><input class="form-check-input" type="radio" name="new_status" \
value="cancelled" id="cancelled-{row_id}" checked><label class="form-check-label small" \
for="cancelled-{row_id}">Cancelled: this fee should not be paid</label></div>
    </fieldset>
    <label class="form-label small mb-0" for="reason-{row_id}">Reason (everyone who sees this fee \
sees it)</label>
    <textarea class="form-control form-control-sm" name="reason" id="reason-{row_id}" rows="2" \
required></textarea>
    <button type="submit" class="btn btn-sm btn-outline-danger mt-1">Save\
<span class="visually-hidden">: decline or cancel {name}'s fee</span></button>
  </form>
</details>
"""


def _reverse(*, url: str, post_fields: str, row_id: str, name: str) -> str:
    return f"""<details class="mb-1"><summary>Reverse</summary>
  <form method="post" action="{url}" class="mt-1">
    {post_fields}
    <label class="form-label small mb-0" for="reverse-reason-{row_id}">Why it is being reversed\
</label>
    <textarea class="form-control form-control-sm" name="reason" id="reverse-reason-{row_id}" \
rows="2" required></textarea>
    <button type="submit" class="btn btn-sm btn-outline-danger mt-1">Reverse the payment\
<span class="visually-hidden">: {name}'s fee</span></button>
  </form>
</details>
"""


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
