import functools

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.core.paginator import Page
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.days import day_text
from coprod.core.links import link_maker
from coprod.core.pagecache import deferred
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.forms.roster import CoverageTargetsForm, RosterFilter
from projects.models import CoverageTarget, Membership, MembershipStatus, Project
from projects.selectors.roster import (
    equality_summary,
    project_coverage,
    roster_memberships,
    roster_page,
)
from projects.services.memberships import membership_set_status, person_add_assisted
from stakeholders.forms import (
    THEIR_EQUALITY_ANSWERS_NEED_CONSENT,
    AssistedSignUpForm,
    EqualityForm,
    equality_answers_have_consent,
)
from stakeholders.models import AccessNeed, Availability, StakeholderGroup
from stakeholders.services import DuplicatePerson


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    memberships = roster_memberships(project)
    # The filter set is made only when something is filtered by: unfiltered, it would
    # only copy its filters and hand back the same memberships.
    filter_form = None
    if any(name in request.GET for name in RosterFilter.base_filters):
        filters = RosterFilter(request.GET, queryset=memberships)
        memberships, filter_form = filters.qs, filters.form
    page = deferred(roster_page, memberships, page_number=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/roster.html",
        {
            "project": project,
            "filters_bound": bool(request.GET),
            "filter_form": filter_form,
            "blank_filter_fields": None if filter_form else _blank_filter_fields(),
            "page": page,
            "rows": deferred(_roster_rows, project, page),
            "page_query": query.urlencode(),
            "coverage": deferred(project_coverage, project),
            "equality": deferred(equality_summary, project),
        },
    )


@functools.cache
def _blank_filter_fields() -> str:
    """The filter form with nothing chosen is the same for everyone, and crispy forms takes
    milliseconds to render it, so it is rendered once per process."""
    return as_crispy_form(RosterFilter().form)


# The status <select> of a row differs only by the option selected: one per status.
_STATUS_OPTIONS = {
    status: format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == status else "", label)
            for value, label in MembershipStatus.choices
        ),
    )
    for status in MembershipStatus.values
}
_STATUS_LABELS = dict(MembershipStatus.choices)
_GROUP_LABELS = dict(StakeholderGroup.choices)
_ACCESS_NEEDS = AccessNeed.choices
_AVAILABILITY = Availability.choices
_CONSENT_WITHDRAWN = mark_safe(' <span class="badge text-bg-warning">consent withdrawn</span>')

# A row of the table as projects/roster.html would write it: made by one format_html() call
# per row, as Django's admin makes its change list rows, rather than by the 17 template
# variables and tags a row needs, which cost more than all the rest of the page. The
# template puts the csrf token between the two halves (so the page cache can put each
# visitor's own there).
_ROW_START = (
    "<tr>\n"
    '        <th scope="row"><a class="d-inline-block py-1" href="{person_url}">{name}</a>'
    "{consent_withdrawn}\n"
    '          <div class="small"><a class="d-inline-block py-1" href="{data_url}">Their data'
    '<span class="visually-hidden"> ({name})</span></a></div></th>\n'
    '        <td data-label="Group">{group}</td>\n'
    '        <td data-label="Status">{status}\n'
    '          <div class="small text-body-secondary">{status_since}</div>\n'
    "        </td>\n"
    '        <td data-label="Support to take part">{support}</td>\n'
    '        <td data-label="Usually free">{free}</td>\n'
    '        <td data-label="Change status">\n'
    '          <form method="post" action="{status_url}" class="d-flex gap-1">\n'
    "            "
)
_ROW_END = (
    "\n"
    '            <label class="visually-hidden" for="status-{public_id}">New status for {name}'
    "</label>\n"
    '            <select class="form-select form-select-sm" name="status" id="status-{public_id}">'
    "{status_options}</select>\n"
    '            <button type="submit" class="btn btn-sm btn-outline-primary">Save</button>\n'
    "          </form>\n"
    "        </td>\n"
    "      </tr>"
)


def _roster_rows(project: Project, page: Page) -> list[tuple[str, str]]:
    """Each row of the roster as HTML, in two halves around its form's csrf token: what it
    shows is worked out here rather than by template tags per row, whose cost adds up over
    a page, and each link is reversed once a page."""
    person_url = link_maker("projects:person")
    data_url = link_maker("stakeholders:sar")
    status_url = link_maker("projects:membership_status", project.slug)
    rows = []
    for membership in page.object_list:
        person = membership["person"]
        public_id = str(person["public_id"])
        status, group = membership["status"], person["stakeholder_group"]
        name = person["full_name"]
        rows.append(
            (
                format_html(
                    _ROW_START,
                    person_url=person_url(public_id),
                    name=name,
                    consent_withdrawn=(
                        "" if person["involvement_consent_given"] else _CONSENT_WITHDRAWN
                    ),
                    data_url=data_url(public_id),
                    group=_GROUP_LABELS.get(group, group),
                    status=_STATUS_LABELS.get(status, status),
                    status_since=_status_since(membership),
                    support=", ".join(label for need, label in _ACCESS_NEEDS if person[need])
                    or "–",
                    free=", ".join(label for time, label in _AVAILABILITY if person[time]) or "–",
                    status_url=status_url(public_id),
                ),
                format_html(
                    _ROW_END,
                    public_id=public_id,
                    name=name,
                    status_options=_STATUS_OPTIONS.get(status, ""),
                ),
            )
        )
    return rows


def _status_since(membership: dict) -> str:
    """ "since 4 Mar 2026": when the membership took on its status, in local time."""
    if membership["status"] == MembershipStatus.ACTIVE:
        since, words = membership["active_at"], "since"
    elif membership["status"] == MembershipStatus.LEFT:
        since, words = membership["left_at"], "on"
    else:
        since, words = membership["interested_at"], "since"
    if since is None:
        return "date not recorded"
    return f"{words} {day_text(since)}"


@permission_required("projects.manage_project", denied=STAFF_ONLY)
@require_POST
def membership_status(request: HttpRequest, slug: str, person_id: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("person"), project=project, person__public_id=person_id
    )
    status = request.POST.get("status", "")
    if status not in MembershipStatus.values:
        messages.error(request, "Choose interested, active or left.")
    elif status == MembershipStatus.ACTIVE and not membership.person.involvement_consent_given:
        messages.error(
            request,
            f"{membership.person} has withdrawn consent, so they cannot be made active.",
        )
    else:
        membership_set_status(membership=membership, status=status)
        messages.success(
            request, f"{membership.person} is now {MembershipStatus(status).label.lower()}."
        )
    return redirect("projects:roster", slug=project.slug)


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def roster_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    form = AssistedSignUpForm(request.POST or None)
    equality_form = EqualityForm(request.POST or None, prefix="equality")
    if (
        request.method == "POST"
        and form.is_valid()
        and equality_form.is_valid()
        and equality_answers_have_consent(
            form, equality_form, message=THEIR_EQUALITY_ANSWERS_NEED_CONSENT
        )
    ):
        try:
            person = person_add_assisted(
                staff=request.user,
                project=project,
                person_fields=form.person_fields(),
                skills=form.cleaned_data["skills"],
                consent_method=form.cleaned_data["consent_method"],
                equality_consent=form.cleaned_data["consent_equality"],
                equality_answers=equality_form.cleaned_data,
            )
        except DuplicatePerson as duplicate:
            form.add_error(
                None,
                f"{duplicate.person.full_name} is already on the roster with this email or "
                "phone number. Add them to the project from the finder instead.",
            )
        else:
            messages.success(request, f"{person.full_name} has been added to {project.name}.")
            return redirect("projects:roster", slug=project.slug)
    return render(
        request,
        "projects/roster_add.html",
        {"project": project, "form": form, "equality_form": equality_form},
    )


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def coverage_targets(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    current = dict(project.coverage_targets.values_list("stakeholder_group", "target"))
    form = CoverageTargetsForm(request.POST or None, targets=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for group, target in form.cleaned_data.items():
                if target:
                    CoverageTarget.objects.update_or_create(
                        project=project, stakeholder_group=group, defaults={"target": target}
                    )
                else:
                    CoverageTarget.objects.filter(project=project, stakeholder_group=group).delete()
        messages.success(request, "The coverage targets have been saved.")
        return redirect("projects:roster", slug=project.slug)
    return render(request, "projects/coverage_targets.html", {"project": project, "form": form})
