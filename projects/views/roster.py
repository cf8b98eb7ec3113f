import functools
import operator
from datetime import tzinfo
from html import escape as html_escape

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.csrf_slot import CSRF_FIELD
from coprod.core.days import day_text
from coprod.core.html import html_row
from coprod.core.pagecache import deferred
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.forms.roster import CoverageTargetsForm, RosterFilter
from projects.models import CoverageTarget, Membership, MembershipStatus, Project
from projects.selectors.roster import roster_memberships, roster_page, roster_summary
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
    # The filter set is made only when something is filtered by: unfiltered, it would
    # only copy its filters and hand back the same memberships.
    filtered = filter_form = None
    if any(name in request.GET for name in RosterFilter.base_filters):
        filters = RosterFilter(request.GET, queryset=roster_memberships(project))
        filtered, filter_form = filters.qs, filters.form
    page = deferred(roster_page, project, page_number=request.GET.get("page"), filtered=filtered)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/roster.html",
        {
            "project": project,
            "filters_bound": bool(request.GET),
            "filter_fields": deferred(_filter_fields, filter_form),
            "page": page,
            "rows": deferred(_roster_rows, project, page),
            "page_query": query.urlencode(),
            "summary": deferred(_summary_sections, project),
        },
    )


def _filter_fields(form: forms.Form | None) -> SafeString:
    """The filter form's fields as `{{ form|crispy }}` writes them. Crispy forms takes
    milliseconds to render them, walking every choice of every field, so they are rendered
    blank once per process and what was asked for is marked in that (a test checks each
    choice against crispy's own); a form with errors, which crispy shows beside their
    fields, is rendered afresh."""
    before_fields, blank_fields = _blank_filter_form()
    if form is None:
        return SafeString(before_fields + "".join(blank_fields.values()))
    if form.errors:
        return as_crispy_form(form)
    fields = []
    for name, html in blank_fields.items():
        widget, value = form.fields[name].widget, form[name].value()
        if isinstance(widget, forms.CheckboxSelectMultiple):
            for chosen in dict.fromkeys(value or ()):
                # A box's attributes end with its id, and ` checked` comes after that.
                end = html.index(">", html.index(f' value="{escape(chosen)}" '))
                html = f"{html[:end]} checked{html[end:]}"
        elif isinstance(widget, forms.Select):
            if value not in (None, ""):
                option = f'<option value="{escape(value)}">'
                html = html.replace('<option value="" selected>', '<option value="">', 1)
                html = html.replace(option, f"{option[:-1]} selected>", 1)
        elif value not in (None, ""):
            html = html.replace(f'name="{name}"', f'name="{name}" value="{escape(value)}"', 1)
        fields.append(html)
    # Crispy's HTML, with only escaped values put in.
    return SafeString(before_fields + "".join(fields))


@functools.cache
def _blank_filter_form() -> tuple[str, dict[str, str]]:
    """The filter form rendered by crispy forms with nothing chosen, once per process: what
    comes before its fields, and each field's HTML, from its <div> to the next field's."""
    html = as_crispy_form(RosterFilter().form)
    names = list(RosterFilter.base_filters)
    starts = [html.index(f'<div id="div_id_{name}"') for name in names]
    ends = [*starts[1:], len(html)]
    return html[: starts[0]], {
        name: html[start:end] for name, start, end in zip(names, starts, ends, strict=True)
    }


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
# Labels from our own choices, escaped once here rather than once per row.
_STATUS_LABELS = {value: escape(label) for value, label in MembershipStatus.choices}
_GROUP_LABELS = {value: escape(label) for value, label in StakeholderGroup.choices}
_CONSENT_WITHDRAWN = mark_safe(' <span class="badge text-bg-warning">consent withdrawn</span>')


@functools.cache
def _labels_of(choices: tuple[tuple[str, str], ...], chosen: tuple) -> SafeString:
    """ "BSL interpreter, Step-free access": the labels of the choices a person ticked, or
    a dash; there are few enough combinations to work each out once per process."""
    return escape(
        ", ".join(label for (_, label), on in zip(choices, chosen, strict=True) if on) or "–"
    )


_ACCESS_NEEDS = tuple(AccessNeed.choices)
_AVAILABILITY = tuple(Availability.choices)
# A person's access needs and times free, as one tuple each.
_needs_of = operator.itemgetter(*AccessNeed.values)
_times_free_of = operator.itemgetter(*Availability.values)

# Stand in for the project's slug and the person's UUID in the links of each row, which are
# reversed with these once per process (for each URL configuration and script prefix, as
# {% fixed_url %} does): three reverse() calls cost a page a tenth of a millisecond.
_SOME_SLUG = "roster-project-slug-stand-in"
_SOME_ID = "00000000-0000-0000-0000-000000000000"


@functools.cache
def _row_links(urlconf, script_prefix: str) -> tuple[str, str, str]:
    return (
        reverse("projects:person", args=[_SOME_ID]),
        reverse("stakeholders:sar", args=[_SOME_ID]),
        reverse("projects:membership_status", args=[_SOME_SLUG, _SOME_ID]),
    )


@receiver(setting_changed, dispatch_uid="roster_row_links_reset")
def _forget_row_links(**kwargs) -> None:
    _row_links.cache_clear()


def _roster_rows(project: Project, page: Page) -> SafeString:
    """The rows of the roster as projects/roster.html would write them, each form's csrf
    token left as the slot (roster_tags.with_csrf_token puts the visitor's in, once for
    the whole table). Each row is one f-string, as Django's admin makes its change list
    rows in Python: the 17 template variables and tags a row needs cost more than all the
    rest of the page, and html_row's escaping of each value a third of a row. Only the
    person's name is escaped per row; the labels are ours, escaped once at import, and
    the dates are made of digits and month names. Each link is split around the person's
    UUID, which is made of hex digits and dashes, so the links need no escaping; a slug
    needs none in a URL either."""
    person_link, data_link, status_link = _row_links(get_urlconf(), get_script_prefix())
    person_before, person_after = person_link.split(_SOME_ID)
    data_before, data_after = data_link.split(_SOME_ID)
    status_before, status_after = status_link.replace(_SOME_SLUG, project.slug).split(_SOME_ID)
    local_zone = timezone.get_current_timezone()
    rows = []
    for membership in page.object_list:
        person = membership["person"]
        public_id = str(person["public_id"])
        status, group = membership["status"], person["stakeholder_group"]
        name = html_escape(person["full_name"])
        rows.append(
            "<tr>\n"
            f'        <th scope="row"><a class="d-inline-block py-1" '
            f'href="{person_before}{public_id}{person_after}">{name}</a>'
            f"{'' if person['involvement_consent_given'] else _CONSENT_WITHDRAWN}\n"
            '          <div class="small"><a class="d-inline-block py-1" '
            f'href="{data_before}{public_id}{data_after}">Their data'
            f'<span class="visually-hidden"> ({name})</span></a></div></th>\n'
            f'        <td data-label="Group">{_GROUP_LABELS.get(group) or escape(group)}</td>\n'
            '        <td data-label="Status">'
            f"{_STATUS_LABELS.get(status) or escape(status)}\n"
            '          <div class="small text-body-secondary">'
            f"{_status_since(membership, local_zone)}</div>\n"
            "        </td>\n"
            '        <td data-label="Support to take part">'
            f"{_labels_of(_ACCESS_NEEDS, _needs_of(person))}</td>\n"
            '        <td data-label="Usually free">'
            f"{_labels_of(_AVAILABILITY, _times_free_of(person))}</td>\n"
            '        <td data-label="Change status">\n'
            '          <form method="post" '
            f'action="{status_before}{public_id}{status_after}" class="d-flex gap-1">\n'
            f"            {CSRF_FIELD}\n"
            f'            <label class="visually-hidden" for="status-{public_id}">'
            f"New status for {name}</label>\n"
            '            <select class="form-select form-select-sm" name="status" '
            f'id="status-{public_id}">{_STATUS_OPTIONS.get(status, "")}</select>\n'
            '            <button type="submit" class="btn btn-sm btn-outline-primary">Save'
            "</button>\n"
            "          </form>\n"
            "        </td>\n"
            "      </tr>"
        )
    return SafeString("\n      ".join(rows))


_COVERAGE_ROW = (
    "<tr>\n"
    '        <th scope="row">{label}</th>\n'
    "        <td>{active}</td>\n"
    "        <td>{target}</td>\n"
    "        <td>{gap}</td>\n"
    "      </tr>"
)
_GAP = "<strong>{gap} more needed</strong>"
_TARGET_MET = mark_safe("Target met")
_EQUALITY_QUESTION = (
    '<div class="col-md-4">\n      <h3 class="h6">{question}</h3>\n      {answers}\n    </div>'
)
_EQUALITY_ANSWER = "<li>{label}: {count}</li>"
_NO_ANSWERS = mark_safe('<p class="panel-empty">No answers.</p>')


def _summary_sections(project: Project) -> dict[str, str]:
    """The coverage table's rows, its gaps, and the equality monitoring counts, as HTML:
    worked out here rather than by template loops, whose tags and variables cost more than
    the queries behind them. The same for every visitor."""
    coverage, equality = roster_summary(project)
    gaps = sorted((row for row in coverage if row["gap"]), key=lambda row: -row["gap"])
    return {
        "coverage_rows": SafeString(
            "\n      ".join(
                html_row(
                    _COVERAGE_ROW,
                    label=row["label"],
                    active=row["active"],
                    target=row["target"] or "no target",
                    gap=html_row(_GAP, gap=row["gap"]) if row["gap"] else _TARGET_MET,
                )
                for row in coverage
            )
        ),
        "coverage_gaps": "; ".join(f"{row['label']} ({row['gap']})" for row in gaps),
        "equality": SafeString(
            "\n  ".join(
                html_row(
                    _EQUALITY_QUESTION,
                    question=question["question"],
                    answers=SafeString(
                        '<ul class="list-unstyled">'
                        + "".join(
                            html_row(_EQUALITY_ANSWER, label=label, count=count)
                            for label, count in question["answers"]
                        )
                        + "</ul>"
                    )
                    if question["answers"]
                    else _NO_ANSWERS,
                )
                for question in equality
            )
        ),
    }


# Which date a row shows beside each status, and the word before it.
_SINCE = {
    MembershipStatus.INTERESTED.value: ("interested_at", "since"),
    MembershipStatus.ACTIVE.value: ("active_at", "since"),
    MembershipStatus.LEFT.value: ("left_at", "on"),
}
_SINCE_OTHERWISE = _SINCE[MembershipStatus.INTERESTED.value]


def _status_since(membership: dict, local_zone: tzinfo) -> str:
    """ "since 4 Mar 2026": when the membership took on its status, in local time (the
    zone looked up once a page rather than by day_text once a row)."""
    field, words = _SINCE.get(membership["status"], _SINCE_OTHERWISE)
    since = membership[field]
    if since is None:
        return "date not recorded"
    return f"{words} {day_text(since.astimezone(local_zone).date())}"


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
