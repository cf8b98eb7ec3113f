import csv
import functools
import uuid
from datetime import date, timedelta
from decimal import Decimal

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.csv import csv_safe
from coprod.core.html import html_row
from coprod.core.templatetags.coprod_tags import money
from coprod.core.uploads import RECEIPT_KINDS, file_kind
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.forms.payments import (
    BankDetailsForm,
    BenefitsCheckForm,
    ClaimDecisionForm,
    DeclineForm,
    ExpenseClaimForm,
    FeeChoiceForm,
    FinanceMarkPaidForm,
    FinancePeriodForm,
    LedgerFilterForm,
    MarkPaidForm,
    PaymentChoicesForm,
    PaymentPolicyForm,
    ReverseForm,
)
from projects.models import (
    ClaimStatus,
    ExpenseCategory,
    ExpenseClaim,
    FeeChoice,
    Payment,
    PaymentKind,
    PaymentPolicy,
    PaymentRun,
    PaymentStatus,
)
from projects.selectors.fee_benefits import (
    fee_benefit_effect,
    fee_benefit_effects,
    ledger_benefit_effects,
)
from projects.selectors.payments import (
    FINANCE_ROWS_PER_PAGE,
    UNPAID_FEES,
    BankDetails,
    PaymentTotals,
    finance_add_bank_details,
    finance_approved_items,
    finance_approved_total,
    finance_rows,
    meetings_to_claim_for,
    my_claims_page,
    my_payments_page,
    payment_history,
    payment_methods_offered_to,
    payment_policies_for,
    payment_run_items,
    payment_runs_recent,
    project_budget,
    project_claims_page,
    project_fees_page,
    project_payment_totals,
    projects_of_person,
)
from projects.services.payments import (
    BankDetailsError,
    BenefitsWarning,
    ChoiceError,
    ChoiceNeeded,
    ClaimError,
    PaymentError,
    bank_details_save,
    benefits_warning,
    claim_categories_in_words,
    claim_decide,
    claim_mark_paid,
    expense_claim_submit,
    payment_approve,
    payment_choices_save,
    payment_choose,
    payment_decline,
    payment_mark_paid,
    payment_policy_update,
    payment_reverse,
    payment_run_undo,
    payments_mark_paid_in_bulk,
)
from projects.views.ledger_rows import claim_rows, fee_rows
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.models import PaymentMethod
from stakeholders.rules import is_staff_member

CSV_COLUMNS = [
    "name",
    # The person, or the charity they chose to give the fee to.
    "payee",
    "method",
    "amount",
    "project",
    "cost centre",
    "activity",
    # coprod's own reference for the payment, the same in every export.
    "reference",
    "type",
    "date owed",
    "tax year",
    # Filled in only for approved rows paid by bank transfer (finance_add_bank_details).
    "account name",
    "sort code",
    "account number",
]


def _get_payment(request: HttpRequest, slug: str, payment_id: uuid.UUID) -> Payment:
    """The project's payment (404 if it is not this project's), after the staff check."""
    project = get_project_for_staff(request, slug)
    payment = get_object_or_404(
        Payment.objects.select_related("person", "reverses", "choice_made_by"),
        project=project,
        public_id=payment_id,
    )
    payment.project = project
    return payment


def _get_claim(request: HttpRequest, slug: str, claim_id: uuid.UUID) -> ExpenseClaim:
    """The project's expense claim (404 if it is not this project's), after the staff check."""
    project = get_project_for_staff(request, slug)
    claim = get_object_or_404(
        ExpenseClaim.objects.select_related("person", "meeting", "decided_by", "recorded_by"),
        project=project,
        public_id=claim_id,
    )
    claim.project = project
    return claim


def _payment_url(payment: Payment) -> str:
    return reverse(
        "projects:payment", kwargs={"slug": payment.project.slug, "payment_id": payment.public_id}
    )


def _claim_url(claim: ExpenseClaim) -> str:
    return reverse(
        "projects:claim", kwargs={"slug": claim.project.slug, "claim_id": claim.public_id}
    )


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Back to the page the action was taken from (the ledger, with its filters), if it is
    one of ours; otherwise to `fallback`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def payment_policy(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    policy = PaymentPolicy.objects.filter(project=project).first() or PaymentPolicy(project=project)
    form = PaymentPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        payment_policy_update(project=project, **form.cleaned_data)
        messages.success(
            request,
            "The payment policy has been saved. Fees for attendance marked from now on use it.",
        )
        return redirect("projects:payments", slug=project.slug)
    return render(request, "projects/payment_policy.html", {"project": project, "form": form})


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def payments(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    showing_claims = request.GET.get("show") == "claims"
    # Without a status asked for, the filter shows the blank field rendered once per process,
    # so the form (which walks its choices) is made only when there is one.
    filters = (
        LedgerFilterForm(request.GET, claims=showing_claims) if "status" in request.GET else None
    )
    status = filters.cleaned_data["status"] if filters and filters.is_valid() else ""
    totals = project_payment_totals(project)
    # One token for every form of the page, the rows' and the layout's: each token Django
    # hands out is masked afresh, which costs about a tenth of a millisecond.
    csrf_token = get_token(request)
    if showing_claims:
        listing, counts = project_claims_page, totals.claim_counts
    else:
        listing, counts = project_fees_page, totals.fee_counts
    page = listing(
        project,
        status=status or None,
        page_number=request.GET.get("page"),
        count=counts[status] if status else sum(counts.values()),
    )
    if showing_claims:
        rows = claim_rows(project, page.object_list)
    else:
        unpaid = [fee for fee in page.object_list if fee.status in UNPAID_FEES]
        # The rows joined here, as one piece of HTML: the template's loop over them cost
        # more than joining them.
        rows = SafeString(
            "".join(
                fee_rows(
                    project,
                    page.object_list,
                    effects=ledger_benefit_effects(unpaid),
                    post_fields=_post_fields(request, csrf_token),
                    today_iso=timezone.localdate().isoformat(),
                )
            )
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/payments.html",
        {
            "project": project,
            "showing_claims": showing_claims,
            "filters": filters,
            "blank_status_field": None
            if "status" in request.GET
            else _blank_status_field(claims=showing_claims),
            "status": status,
            "page": page,
            "rows": rows,
            "page_query": query.urlencode(),
            "totals": _totals_rows(totals, claims=showing_claims),
            "budget": project_budget(project, totals=totals),
            "here": request.get_full_path(),
            "today_iso": timezone.localdate().isoformat(),
            "csrf_token": csrf_token,
        },
    )


def _post_fields(request: HttpRequest, csrf_token: str) -> str:
    """The hidden fields of every form in the ledger's rows: the csrf token, and the page
    to come back to after the action (with its filters)."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">',
        csrf_token,
        request.get_full_path(),
    )


@functools.cache
def _blank_status_field(*, claims: bool) -> str:
    """The status filter with nothing chosen is the same for everyone, and crispy forms
    takes milliseconds to render it, so it is rendered once per process for each tab."""
    return as_crispy_field(LedgerFilterForm(claims=claims)["status"])


def _attach_benefit_effects(fees) -> None:
    """Each unpaid fee's effect on benefits, for a list: a fixed number of queries."""
    unpaid = [fee for fee in fees if fee.status in (PaymentStatus.OWED, PaymentStatus.APPROVED)]
    effects = fee_benefit_effects(unpaid)
    for fee in unpaid:
        fee.benefit_effect = effects.get(fee.pk)


def _totals_rows(totals: PaymentTotals, *, claims: bool) -> dict:
    """Totals by status for the tab shown, and the total of what is owed, approved or paid."""
    if claims:
        by_status, choices = totals.claims, ClaimStatus.choices
        counted = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID]
    else:
        by_status, choices = totals.fees, PaymentStatus.choices
        counted = [PaymentStatus.OWED, PaymentStatus.APPROVED, PaymentStatus.PAID]
    # One row per status, put together here rather than by the template's loop, whose cost
    # per tag and variable is a noticeable share of this busy page's time. html_row escapes
    # each label and amount, so the rows joined are safe HTML.
    return {
        "rows": SafeString(
            "".join(
                html_row(_TOTAL_ROW, label=label, total=money(by_status[value]))
                for value, label in choices
            )
        ),
        "live": sum((by_status[status] for status in counted), Decimal("0.00")),
    }


_TOTAL_ROW = '<tr><th scope="row">{label}</th><td class="text-end">{total}</td></tr>'


def _payment_page(request: HttpRequest, payment: Payment, **forms) -> HttpResponse:
    is_open = payment.status in (PaymentStatus.OWED, PaymentStatus.APPROVED)
    reversal = Payment.objects.filter(reverses=payment).first()
    can_reverse = (
        payment.kind == PaymentKind.FEE and payment.status == PaymentStatus.PAID and not reversal
    )
    effect = fee_benefit_effect(payment) if is_open else None
    context = {
        "project": payment.project,
        "payment": payment,
        "reversal": reversal,
        "history": payment_history(payment),
        # Where coprod worked out the person's own figures, they replace this warning.
        "benefits_warning": benefits_warning(payment.person)
        if payment.person.receives_benefits and not (effect and effect.worked_out)
        else "",
        "decline_form": forms.get("decline_form") or (DeclineForm() if is_open else None),
        "paid_form": forms.get("paid_form")
        or (
            MarkPaidForm() if payment.status == PaymentStatus.APPROVED and payment.method else None
        ),
        "reverse_form": forms.get("reverse_form") or (ReverseForm() if can_reverse else None),
        "is_open": is_open,
        "benefit_effect": effect,
    }
    return render(request, "projects/payment.html", context)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def payment_detail(request: HttpRequest, slug: str, payment_id: uuid.UUID) -> HttpResponse:
    return _payment_page(request, _get_payment(request, slug, payment_id))


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def payment_approve_view(request: HttpRequest, slug: str, payment_id: uuid.UUID) -> HttpResponse:
    payment = _get_payment(request, slug, payment_id)
    # The confirmation page posts back here with the box, ticked or not.
    form = BenefitsCheckForm(request.POST if "confirming" in request.POST else None)
    try:
        payment_approve(
            payment=payment,
            approved_by=request.user,
            benefits_checked=form.is_bound and form.is_valid(),
        )
    except ChoiceNeeded as refusal:
        return render(
            request,
            "projects/payment_choice_needed.html",
            {"project": payment.project, "payment": payment, "effect": refusal.effect},
        )
    except BenefitsWarning as warning:
        return render(
            request,
            "projects/payment_approve.html",
            {
                "project": payment.project,
                "payment": payment,
                "warning": str(warning),
                "benefit_effect": fee_benefit_effect(payment),
                "form": form,
                "next": request.POST.get("next", ""),
            },
        )
    except PaymentError as error:
        messages.error(request, str(error))
        return _back(request, _payment_url(payment))
    messages.success(
        request, f"Approved {payment.person.display_name}'s fee of £{payment.amount:,}."
    )
    return _back(request, _payment_url(payment))


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def payment_choose_view(request: HttpRequest, slug: str, payment_id: uuid.UUID) -> HttpResponse:
    """Staff record the person's choice for them, as they told it by phone or in person."""
    payment = _get_payment(request, slug, payment_id)
    return _choose(request, payment, done_url=_payment_url(payment), mine=False)


def _choose(request: HttpRequest, payment: Payment, *, done_url: str, mine: bool) -> HttpResponse:
    """The offer and the four answers to it, for the person or for staff on their behalf."""
    if payment.kind != PaymentKind.FEE or payment.status != PaymentStatus.OWED:
        messages.info(
            request,
            f"This payment is {payment.get_status_display().lower()}, so the choice can no "
            "longer be changed." + (" Ask the project team." if mine else ""),
        )
        return redirect(done_url)
    initial = {"choice": payment.choice or None, "charity_name": payment.charity_name}
    if payment.choice == FeeChoice.LOWER:
        initial["amount"] = payment.amount
    posted = request.method == "POST"
    form = FeeChoiceForm(request.POST if posted else None, initial=initial, mine=mine)
    if posted and form.is_valid():
        try:
            payment = payment_choose(payment=payment, made_by=request.user, **form.cleaned_data)
        except ChoiceError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _choice_in_words(payment, mine=mine))
            return redirect(done_url)
    return render(
        request,
        "projects/payment_choose.html",
        {"payment": payment, "project": payment.project, "form": form, "mine": mine},
    )


def _choice_in_words(payment: Payment, *, mine: bool) -> str:
    who = "You" if mine else payment.person.display_name
    what = payment.activity
    if payment.choice == FeeChoice.DECLINE:
        return f"{who} will not be paid for {what}. Expenses for it can still be claimed."
    if payment.choice == FeeChoice.CHARITY:
        return f"£{payment.amount:,.2f} for {what} will be paid to {payment.charity_name}."
    if payment.choice == FeeChoice.LOWER:
        return (
            f"{who} will be paid £{payment.amount:,.2f} for {what}, instead of the "
            f"£{payment.offered_amount:,.2f} offered."
        )
    return f"{who} will be paid the full £{payment.amount:,.2f} for {what}."


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def payment_decline_view(request: HttpRequest, slug: str, payment_id: uuid.UUID) -> HttpResponse:
    payment = _get_payment(request, slug, payment_id)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _payment_page(request, payment, decline_form=form)
    try:
        payment_decline(payment=payment, **form.cleaned_data)
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect(_payment_url(payment))
    outcome = PaymentStatus(form.cleaned_data["new_status"]).label.lower()
    messages.success(request, f"{payment.person.display_name}'s fee is now {outcome}.")
    return _back(request, _payment_url(payment))


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def payment_paid_view(request: HttpRequest, slug: str, payment_id: uuid.UUID) -> HttpResponse:
    payment = _get_payment(request, slug, payment_id)
    return _mark_paid(
        request,
        page=lambda form: _payment_page(request, payment, paid_form=form),
        mark_paid=lambda **paid: payment_mark_paid(payment=payment, **paid),
        url=_payment_url(payment),
        done=f"{payment.person.display_name}'s fee is marked as paid.",
    )


def _mark_paid(request: HttpRequest, *, page, mark_paid, url: str, done: str) -> HttpResponse:
    """Mark a fee or an expense claim as paid, from its page or from the ledger."""
    form = MarkPaidForm(request.POST)
    if not form.is_valid():
        return page(form)
    try:
        mark_paid(**form.cleaned_data)
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect(url)
    messages.success(request, done)
    return _back(request, url)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def payment_reverse_view(request: HttpRequest, slug: str, payment_id: uuid.UUID) -> HttpResponse:
    payment = _get_payment(request, slug, payment_id)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _payment_page(request, payment, reverse_form=form)
    try:
        reversal = payment_reverse(
            payment=payment, reason=form.cleaned_data["reason"], reversed_by=request.user
        )
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect(_payment_url(payment))
    messages.success(
        request,
        f"The fee has been reversed: a new entry of −£{reversal.amount:,} takes it back out "
        "of the totals.",
    )
    return _back(request, _payment_url(payment))


def _claim_page(request: HttpRequest, claim: ExpenseClaim, **forms) -> HttpResponse:
    history = list(
        claim.history.select_related("history_user").order_by("history_date", "history_id")
    )
    context = {
        "project": claim.project,
        "claim": claim,
        "history": history,
        "decision_form": forms.get("decision_form")
        or (ClaimDecisionForm() if claim.status == ClaimStatus.SUBMITTED else None),
        "paid_form": forms.get("paid_form")
        or (MarkPaidForm() if claim.status == ClaimStatus.APPROVED else None),
    }
    return render(request, "projects/payment_claim.html", context)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def claim_detail(request: HttpRequest, slug: str, claim_id: uuid.UUID) -> HttpResponse:
    return _claim_page(request, _get_claim(request, slug, claim_id))


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def claim_decide_view(request: HttpRequest, slug: str, claim_id: uuid.UUID) -> HttpResponse:
    claim = _get_claim(request, slug, claim_id)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, claim, decision_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        claim_decide(
            claim=claim,
            decided_by=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect(_claim_url(claim))
    decided = "approved" if approve else "not approved; they will see your reason"
    messages.success(request, f"{claim.person.display_name}'s expense claim is {decided}.")
    return _back(request, _claim_url(claim))


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def claim_paid_view(request: HttpRequest, slug: str, claim_id: uuid.UUID) -> HttpResponse:
    claim = _get_claim(request, slug, claim_id)
    return _mark_paid(
        request,
        page=lambda form: _claim_page(request, claim, paid_form=form),
        mark_paid=lambda **paid: claim_mark_paid(claim=claim, **paid),
        url=_claim_url(claim),
        done=f"{claim.person.display_name}'s expense claim is marked as paid.",
    )


def _default_period() -> tuple[date, date]:
    """From the first day of last month to today: one month's payment run, and a margin."""
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    return last_month.replace(day=1), today


def _period_form(data) -> FinancePeriodForm:
    default_from, default_to = _default_period()
    return FinancePeriodForm(
        {
            "date_from": data.get("date_from") or default_from.isoformat(),
            "date_to": data.get("date_to") or default_to.isoformat(),
        }
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def finance(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    period = _period_form(request.POST if posted else request.GET)
    mark_form = FinanceMarkPaidForm(
        request.POST if posted else None, initial={"paid_on": timezone.localdate()}
    )
    if posted and period.is_valid() and mark_form.is_valid():
        _mark_paid_in_bulk(request, mark_form.cleaned_data["paid_on"], mark_form)
        return redirect(f"{reverse('projects:finance')}?{urlencode(period.data)}")
    context = {"period": period, "mark_form": mark_form}
    if period.is_valid():
        dates = {key: period.cleaned_data[key] for key in ("date_from", "date_to")}
        items = finance_approved_items(**dates)
        if request.GET.get("format") == "csv":
            return _finance_csv(items, **dates)
        page = Paginator(items, FINANCE_ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            page=page,
            rows=finance_add_bank_details(finance_rows(page.object_list)),
            summary=finance_approved_total(**dates),
            period_query=urlencode(period.data),
        )
    context["runs"] = payment_runs_recent()
    return render(request, "projects/finance.html", context)


def _get_run(run_id: uuid.UUID) -> PaymentRun:
    return get_object_or_404(
        PaymentRun.objects.select_related("made_by", "undone_by"), public_id=run_id
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def payment_run(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """One payment run: what was paid in it, its file, and undoing it."""
    run = _get_run(run_id)
    if request.GET.get("format") == "csv":
        rows = finance_rows(payment_run_items(run).iterator())
        return _payments_csv(
            finance_add_bank_details(rows, statuses=(PaymentStatus.PAID,)),
            filename=f"payment-run-{run.paid_on:%Y-%m-%d}-{str(run.public_id)[:8]}.csv",
        )
    page = Paginator(payment_run_items(run), FINANCE_ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "projects/payment_run.html",
        {"run": run, "page": page, "rows": finance_rows(page.object_list)},
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def payment_run_undo_view(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    run = _get_run(run_id)
    count = run.item_count
    try:
        payment_run_undo(run=run, undone_by=request.user)
    except PaymentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"The payment run is undone: its {count} {'item is' if count == 1 else 'items are'}"
            " approved again and waiting to be paid.",
        )
    return redirect("projects:payment_run", run_id=run.public_id)


def _finance_csv(items, *, date_from: date, date_to: date) -> HttpResponse:
    return _payments_csv(
        finance_add_bank_details(finance_rows(items.iterator())),
        filename=f"approved-payments-{date_from:%Y-%m-%d}-to-{date_to:%Y-%m-%d}.csv",
    )


def _payments_csv(rows: list, *, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    # The byte order mark tells spreadsheet programs the file is UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        bank = row.bank or BankDetails("", "", "")
        writer.writerow(
            [
                csv_safe(value)
                for value in (
                    row.name,
                    row.payee,
                    row.method,
                    f"{row.amount:.2f}",
                    row.project,
                    row.cost_centre,
                    row.activity,
                    row.reference,
                    row.type,
                    row.owed_on.isoformat(),
                    row.tax_year,
                    bank.account_name,
                    bank.sort_code,
                    bank.account_number,
                )
            ]
        )
    return response


def _mark_paid_in_bulk(request: HttpRequest, paid_on: date, form: FinanceMarkPaidForm) -> None:
    """Mark the approved rows the page showed as paid: all of them, or none."""
    wanted = {"fee": [], "expense": []}
    for item in request.POST.getlist("item"):
        kind, _, public_id = item.partition(":")
        try:
            wanted[kind].append(uuid.UUID(public_id))
        except (KeyError, ValueError):
            messages.error(request, "Nothing was marked as paid: the list was not recognised.")
            return
    if not wanted["fee"] and not wanted["expense"]:
        messages.error(request, "There was nothing to mark as paid.")
        return
    approved = [
        *Payment.objects.filter(public_id__in=wanted["fee"], status=PaymentStatus.APPROVED)
        .select_related("person")
        .order_by("owed_since", "pk"),
        *ExpenseClaim.objects.filter(public_id__in=wanted["expense"], status=ClaimStatus.APPROVED)
        .select_related("person")
        .order_by("submitted_at", "pk"),
    ]
    if len(approved) != len(wanted["fee"]) + len(wanted["expense"]):
        messages.error(
            request,
            "Nothing was marked as paid: some of these are no longer approved (someone may "
            "have just paid or changed them). Check the list below and try again.",
        )
        return
    shared_reference = form.cleaned_data["reference"].strip()
    items = [
        (item, request.POST.get(f"reference-{item.public_id}", "").strip() or shared_reference)
        for item in approved
    ]
    try:
        run = payments_mark_paid_in_bulk(items=items, paid_on=paid_on, made_by=request.user)
    except PaymentError as error:
        messages.error(request, f"Nothing was marked as paid. {error}")
        return
    count = run.item_count
    messages.success(
        request,
        f"Marked {count} {'payment' if count == 1 else 'payments'} as paid. They are one "
        "payment run: find it under 'Payment runs' below to download its file or undo it.",
    )


RECEIPTS_ONLY = "Receipts are only for the person who claimed and for staff."


def _get_own_payment(request: HttpRequest, payment_id) -> Payment:
    """The signed-in participant's own payment; anyone else's is a 404."""
    person = get_own_person(request)
    return get_object_or_404(
        Payment.objects.select_related("person", "project"), person=person, public_id=payment_id
    )


def _get_own_claim(request: HttpRequest, claim_id) -> ExpenseClaim:
    """The signed-in participant's own expense claim; anyone else's is a 404."""
    person = get_own_person(request)
    return get_object_or_404(ExpenseClaim, person=person, public_id=claim_id)


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_payments(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    fees = my_payments_page(person, page_number=request.GET.get("fees_page"))
    _attach_benefit_effects(fees.object_list)
    return render(
        request,
        "projects/my_payments.html",
        {
            "person": person,
            "fees": fees,
            "claims": my_claims_page(person, page_number=request.GET.get("claims_page")),
            "can_decline": (PaymentStatus.OWED, PaymentStatus.APPROVED),
        },
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def payment_choices(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    form = PaymentChoicesForm(
        request.POST or None, person=person, methods_offered=payment_methods_offered_to(person)
    )
    if request.method == "POST" and form.is_valid():
        payment_choices_save(person=person, recorded_by=request.user, **form.cleaned_data)
        if person.bank_details_needed:
            messages.success(
                request,
                "Thank you. Your payment choices have been saved. Now tell us the bank "
                "account to pay.",
            )
            return redirect("projects:bank_details")
        messages.success(request, "Thank you. Your payment choices have been saved.")
        return redirect("projects:my_payments")
    return render(request, "projects/payment_choices.html", {"form": form, "person": person})


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def bank_details(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    if person.payment_method != PaymentMethod.BANK_TRANSFER:
        messages.info(
            request, "To give your bank details, first choose to be paid by bank transfer."
        )
        return redirect("projects:payment_choices")
    form = BankDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bank_details_save(person=person, recorded_by=request.user, **form.cleaned_data)
        except BankDetailsError as error:
            messages.error(request, str(error))
            return redirect("projects:my_payments")
        messages.success(
            request,
            "Thank you. Your bank details have been saved. To keep them safe, we only ever "
            "show the last few digits.",
        )
        return redirect("projects:my_payments")
    return render(
        request, "projects/bank_details.html", {"form": form, "person": person, "mine": True}
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def payment_choose_mine(request: HttpRequest, payment_id) -> HttpResponse:
    payment = _get_own_payment(request, payment_id)
    return _choose(request, payment, done_url=reverse("projects:my_payments"), mine=True)


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_POST
def payment_decline_mine(request: HttpRequest, payment_id) -> HttpResponse:
    payment = _get_own_payment(request, payment_id)
    try:
        payment_choose(payment=payment, choice=FeeChoice.DECLINE, made_by=request.user)
    except PaymentError:
        messages.error(request, "This payment can no longer be changed. Ask the project team.")
    else:
        messages.success(
            request,
            f"You will not be paid for {payment.activity}. You can still claim expenses for it.",
        )
    return redirect("projects:my_payments")


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def claim_new(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    joined = projects_of_person(person)
    projects = joined.current()
    policies = payment_policies_for(projects)
    meetings = meetings_to_claim_for(person)
    posted = request.method == "POST"
    form = ExpenseClaimForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        projects=joined,
        meetings=meetings,
        policies=policies,
        initial=_claim_initial(request, projects, meetings),
    )
    if posted and form.is_valid():
        try:
            claim = expense_claim_submit(person=person, **form.claim_fields())
        except ClaimError as error:
            form.add_error(error.field, str(error))
            form.ask_for_receipt_again()
        else:
            messages.success(request, _claim_sent_message(claim, policies[claim.project_id]))
            return redirect("projects:my_payments")
    return render(
        request,
        "projects/claim_form.html",
        {
            "form": form,
            "paid_for": [
                (project, claim_categories_in_words(policies[project.pk])) for project in projects
            ],
        },
    )


def _claim_initial(request: HttpRequest, projects, meetings) -> dict:
    """A link from the reminder email names the meeting, so its project is chosen too."""
    initial = {}
    if len(projects) == 1:
        initial["project"] = projects[0]
    try:
        meeting_id = uuid.UUID(request.GET.get("meeting", ""))
    except ValueError:
        return initial
    meeting = meetings.filter(public_id=meeting_id).first()
    if meeting is not None:
        initial.update(project=meeting.project, meeting=meeting)
    return initial


def _claim_sent_message(claim: ExpenseClaim, policy: PaymentPolicy) -> str:
    if claim.category == ExpenseCategory.MILEAGE:
        what = f"{claim.miles} miles at £{policy.mileage_rate:.2f} a mile, which comes to "
    else:
        what = ""
    return (
        f"Thank you. We have sent your claim for {what}£{claim.amount:,.2f}. "
        "We will tell you when staff have looked at it."
    )


@permission_required("projects.view_claim_receipt", denied=RECEIPTS_ONLY)
def claim_receipt(request: HttpRequest, claim_id) -> HttpResponse:
    if is_staff_member(request.user):
        claim = get_object_or_404(ExpenseClaim, public_id=claim_id)
    else:
        claim = _get_own_claim(request, claim_id)
    if not claim.receipt:
        raise Http404("There is no receipt with this claim.")
    try:
        file = claim.receipt.open("rb")
    except FileNotFoundError as missing:
        raise Http404("We cannot find this receipt.") from missing
    kind = file_kind(file, RECEIPT_KINDS)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"receipt-{claim.spent_on:%Y-%m-%d}.{kind.extension if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
