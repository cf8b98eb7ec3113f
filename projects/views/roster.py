import functools

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.contrib import messages
from django.core.paginator import Page
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
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
from stakeholders.services import DuplicatePerson


@permission_required("projects.manage_project", denied=STAFF_ONLY)
def roster(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    filters = RosterFilter(request.GET or None, queryset=roster_memberships(project))
    page = deferred(roster_page, filters.qs, page_number=request.GET.get("page"))
    filtering = any(name in request.GET for name in RosterFilter.base_filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/roster.html",
        {
            "project": project,
            "filters": filters,
            "blank_filter_fields": None if filtering else _blank_filter_fields(),
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


def _roster_rows(project: Project, page: Page) -> list[dict]:
    """What each row of the roster shows, worked out here rather than by template tags per
    row, whose cost adds up over a page."""
    person_url = link_maker("projects:person")
    data_url = link_maker("stakeholders:sar")
    status_url = link_maker("projects:membership_status", project.slug)
    rows = []
    for membership in page.object_list:
        person = membership.person
        public_id = str(person.public_id)
        rows.append(
            {
                "public_id": public_id,
                "name": person.full_name,
                "consent_withdrawn": not person.involvement_consent_given,
                "person_url": person_url(public_id),
                "data_url": data_url(public_id),
                "status_url": status_url(public_id),
                "group": person.get_stakeholder_group_display(),
                "status": membership.get_status_display(),
                "status_since": _status_since(membership),
                "status_options": _STATUS_OPTIONS[membership.status],
                "support": ", ".join(person.access_needs) or "–",
                "free": ", ".join(person.availability) or "–",
            }
        )
    return rows


def _status_since(membership: Membership) -> str:
    if membership.status == MembershipStatus.ACTIVE:
        since, words = membership.active_at, "since"
    elif membership.status == MembershipStatus.LEFT:
        since, words = membership.left_at, "on"
    else:
        since, words = membership.interested_at, "since"
    if since is None:
        return "date not recorded"
    return f"{words} {date_format(timezone.localtime(since), 'j M Y')}"


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
