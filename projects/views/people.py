"""The staff people directory across projects, one person's page, and what staff record
on behalf of someone who is not online: an expense claim and their payment choices."""

import uuid

from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coprod.core.access import permission_required
from coprod.core.blank_forms import blank_form_fields
from coprod.core.html import html_row
from coprod.core.links import link_maker
from projects.access import STAFF_ONLY, get_person_for_staff
from projects.forms.payments import (
    ExpenseClaimForm,
    StaffBankDetailsForm,
    StaffPaymentChoicesForm,
)
from projects.forms.people import PeopleFilterForm
from projects.selectors.payments import (
    meetings_to_claim_for,
    payment_methods_offered_to,
    payment_policies_for,
    projects_of_person,
)
from projects.selectors.people import PERSON_LISTS, people_directory, person_record
from projects.services.payments import (
    BankDetailsError,
    ClaimError,
    bank_details_save,
    claim_categories_in_words,
    expense_claim_submit,
    payment_choices_save,
)
from stakeholders.models import PaymentMethod, Person, StakeholderGroup
from stakeholders.selectors import signin_link_latest

ERASED = "This person's details have been erased, so nothing can be recorded for them."


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def people(request: HttpRequest) -> HttpResponse:
    filters = PeopleFilterForm(request.GET or None)
    chosen = filters.filters() if filters.is_bound else {}
    filtering = any(name in request.GET for name in PeopleFilterForm.base_fields)
    page = people_directory(**chosen, page_number=request.GET.get("page"))
    return render(
        request,
        "projects/people.html",
        {
            "filters": filters,
            "blank_filter_fields": None if filtering else blank_form_fields(PeopleFilterForm),
            "page": page,
            "rows": _directory_rows(page),
            "page_query": _query_without(request, "page"),
        },
    )


_GROUP_LABELS = dict(StakeholderGroup.choices)
# The group labels are ours, so they are escaped once here rather than once a row.
_GROUP_LABELS_HTML = {value: escape(label) for value, label in StakeholderGroup.choices}

# A row of the table as projects/people.html would write it: made by one html_row() call
# per row, as Django's admin makes its change list rows, rather than by the ten template
# variables and tags a row needs, whose cost adds up over a page.
_ROW = (
    "<tr>\n"
    '      <th scope="row"><a href="{url}">{name}</a>{preferred_name}</th>\n'
    "      <td>{group}</td>\n"
    "      <td>{email}</td>\n"
    "      <td>{phone}</td>\n"
    "      <td>{in_pool}</td>\n"
    "      <td>{consent}</td>\n"
    '      <td class="text-end">{project_count}</td>\n'
    "    </tr>"
)
_PREFERRED_NAME = ' <span class="text-body-secondary">({preferred_name})</span>'
_IN_POOL = mark_safe("In the pool")
_NOT_IN_POOL = mark_safe("No")
_CONSENT_STANDS = mark_safe("Consent stands")
_NO_CONSENT = mark_safe("<strong>No consent</strong>")


def _directory_rows(page: Page) -> list[dict]:
    """What each row of the directory shows, and the row as HTML, worked out here rather
    than by template tags per row (their cost adds up over a page); the person URL is
    reversed once a page. The URL is made of the person's UUID (hex digits and dashes), so
    it needs no escaping."""
    person_url = link_maker("projects:person")
    rows = []
    for person in page.object_list:
        group = person["stakeholder_group"]
        row = {
            "url": person_url(person["public_id"]),
            "name": person["full_name"],
            "preferred_name": person["preferred_name"],
            "group": _GROUP_LABELS.get(group, group),
            "email": person["email"] or "–",
            "phone": person["phone"].as_national if person["phone"] else "–",
            "in_pool": person["in_pool"],
            "consent_given": person["involvement_consent_given"],
            "project_count": person["project_count"],
        }
        row["html"] = html_row(
            _ROW,
            url=SafeString(row["url"]),
            name=row["name"],
            preferred_name=(
                html_row(_PREFERRED_NAME, preferred_name=row["preferred_name"])
                if row["preferred_name"]
                else ""
            ),
            group=_GROUP_LABELS_HTML.get(group) or escape(group),
            email=row["email"],
            phone=row["phone"],
            in_pool=_IN_POOL if row["in_pool"] else _NOT_IN_POOL,
            consent=_CONSENT_STANDS if row["consent_given"] else _NO_CONSENT,
            project_count=row["project_count"],
        )
        rows.append(row)
    return rows


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def person(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    someone = get_person_for_staff(request, person_id)
    pages = {name: request.GET.get(f"{name}_page") for name in PERSON_LISTS}
    return render(
        request,
        "projects/person.html",
        {
            "person": someone,
            "record": person_record(someone, pages=pages),
            "signin_link": signin_link_latest(someone),
            "queries": {name: _query_without(request, f"{name}_page") for name in PERSON_LISTS},
        },
    )


def _refuse_if_erased(request: HttpRequest, someone: Person) -> HttpResponse | None:
    if someone.erased_at is None:
        return None
    messages.error(request, ERASED)
    return redirect("projects:person", person_id=someone.public_id)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def person_claim_new(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Staff record an expense claim, with a scanned receipt, for someone not online."""
    someone = get_person_for_staff(request, person_id)
    if refused := _refuse_if_erased(request, someone):
        return refused
    joined = projects_of_person(someone)
    projects = joined.current()
    policies = payment_policies_for(projects)
    posted = request.method == "POST"
    form = ExpenseClaimForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        projects=joined,
        meetings=meetings_to_claim_for(someone),
        policies=policies,
        initial={"project": projects[0]} if len(projects) == 1 else {},
    )
    if posted and form.is_valid():
        try:
            claim = expense_claim_submit(
                person=someone, recorded_by=request.user, **form.claim_fields()
            )
        except ClaimError as error:
            form.add_error(error.field, str(error))
            form.ask_for_receipt_again()
        else:
            messages.success(
                request,
                f"The claim for £{claim.amount:,.2f} is recorded on behalf of "
                f"{someone.full_name}. It now waits for a decision like any other claim.",
            )
            return redirect("projects:person", person_id=someone.public_id)
    return render(
        request,
        "projects/person_claim_form.html",
        {
            "person": someone,
            "form": form,
            "paid_for": [
                (project, claim_categories_in_words(policies[project.pk])) for project in projects
            ],
        },
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def person_payment_choices(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Staff record how someone who is not online wants to be paid."""
    someone = get_person_for_staff(request, person_id)
    if refused := _refuse_if_erased(request, someone):
        return refused
    form = StaffPaymentChoicesForm(
        request.POST or None, person=someone, methods_offered=payment_methods_offered_to(someone)
    )
    if request.method == "POST" and form.is_valid():
        payment_choices_save(person=someone, recorded_by=request.user, **form.cleaned_data)
        if someone.bank_details_needed:
            messages.success(
                request,
                f"{someone.full_name}'s payment choices are recorded on their behalf. Now "
                "record the bank account to pay.",
            )
            return redirect("projects:person_bank_details", person_id=someone.public_id)
        messages.success(
            request, f"{someone.full_name}'s payment choices are recorded on their behalf."
        )
        return redirect("projects:person", person_id=someone.public_id)
    return render(
        request, "projects/person_payment_choices.html", {"person": someone, "form": form}
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def person_bank_details(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Staff record the bank account of someone who is not online."""
    someone = get_person_for_staff(request, person_id)
    if refused := _refuse_if_erased(request, someone):
        return refused
    if someone.payment_method != PaymentMethod.BANK_TRANSFER:
        messages.info(
            request,
            f"To record bank details, first record that {someone.full_name} wants to be paid "
            "by bank transfer.",
        )
        return redirect("projects:person_payment_choices", person_id=someone.public_id)
    form = StaffBankDetailsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bank_details_save(person=someone, recorded_by=request.user, **form.cleaned_data)
        except BankDetailsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{someone.full_name}'s bank details are recorded on their behalf."
            )
        return redirect("projects:person", person_id=someone.public_id)
    return render(
        request, "projects/bank_details.html", {"person": someone, "form": form, "mine": False}
    )
