"""Staff pages for a project's valuation (outcomes, staff time, optimism bias and how the
figures were worked out) and the organisation's unit values, with their CSV import."""

import csv
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.csv import csv_safe
from evidence.forms_valuation import (
    OptimismBiasForm,
    StaffTimeForm,
    UnitValueUploadForm,
    ValuationOutcomeForm,
)
from evidence.models import Deflator, StaffTime, UnitValue, ValuationOutcome
from evidence.selectors.valuation import optimism_bias_for, project_valuation
from evidence.services_valuation import (
    IMPORT_COLUMNS,
    IMPORT_EXAMPLE,
    UnitValueFileError,
    optimism_bias_save,
    staff_time_add,
    staff_time_delete,
    unit_values_import,
    valuation_outcome_delete,
    valuation_outcome_save,
)
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.models import Project

UNIT_VALUES_PER_PAGE = 50


def _valuation_url(project: Project, anchor: str = "") -> str:
    url = reverse("evidence:valuation", kwargs={"slug": project.slug})
    return f"{url}#{anchor}" if anchor else url


def _get_outcome_for_staff(request: HttpRequest, slug: str, outcome_id: uuid.UUID):
    project = get_project_for_staff(request, slug)
    outcome = get_object_or_404(ValuationOutcome, project=project, public_id=outcome_id)
    outcome.project = project
    return outcome


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def valuation(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    return render(
        request,
        "evidence/valuation.html",
        {"project": project, "figures": project_valuation(project)},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def valuation_outcome_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    form = ValuationOutcomeForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        outcome = valuation_outcome_save(
            project=project, created_by=request.user, **form.cleaned_data
        )
        messages.success(request, f"{outcome.name} has been added to the valuation.")
        return redirect(_valuation_url(project, "outcomes"))
    return render(
        request,
        "evidence/valuation_outcome_form.html",
        {"project": project, "form": form, "outcome": None},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def valuation_outcome_edit(request: HttpRequest, slug: str, outcome_id: uuid.UUID) -> HttpResponse:
    outcome = _get_outcome_for_staff(request, slug, outcome_id)
    form = ValuationOutcomeForm(
        request.POST or None,
        instance=ValuationOutcome.objects.get(pk=outcome.pk),
        project=outcome.project,
    )
    if request.method == "POST" and form.is_valid():
        valuation_outcome_save(project=outcome.project, outcome=outcome, **form.cleaned_data)
        messages.success(request, "Your changes have been saved.")
        return redirect(_valuation_url(outcome.project, "outcomes"))
    return render(
        request,
        "evidence/valuation_outcome_form.html",
        {"project": outcome.project, "form": form, "outcome": outcome},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def valuation_outcome_remove(
    request: HttpRequest, slug: str, outcome_id: uuid.UUID
) -> HttpResponse:
    outcome = _get_outcome_for_staff(request, slug, outcome_id)
    if request.method == "POST":
        valuation_outcome_delete(outcome=outcome)
        messages.success(request, f"{outcome.name} has been removed from the valuation.")
        return redirect(_valuation_url(outcome.project, "outcomes"))
    return render(
        request,
        "evidence/valuation_outcome_remove.html",
        {"project": outcome.project, "outcome": outcome},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def staff_time_add_page(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    form = StaffTimeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = staff_time_add(project=project, recorded_by=request.user, **form.cleaned_data)
        messages.success(request, f"{entry.hours:f} hours of staff time have been added.")
        return redirect(_valuation_url(project, "staff-time"))
    return render(request, "evidence/staff_time_form.html", {"project": project, "form": form})


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
@require_POST
def staff_time_remove(request: HttpRequest, slug: str, entry_id: uuid.UUID) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    entry = get_object_or_404(StaffTime, project=project, public_id=entry_id)
    staff_time_delete(entry=entry)
    messages.success(request, f"The staff time for “{entry.what}” has been removed.")
    return redirect(_valuation_url(project, "staff-time"))


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def optimism_bias(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    form = OptimismBiasForm(
        request.POST or None, initial={"optimism_bias": optimism_bias_for(project)}
    )
    if request.method == "POST" and form.is_valid():
        optimism_bias_save(project=project, **form.cleaned_data)
        messages.success(request, "The optimism bias has been saved.")
        return redirect(_valuation_url(project, "workings"))
    return render(request, "evidence/optimism_bias.html", {"project": project, "form": form})


# The organisation's unit values ---------------------------------------------------------


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def unit_values(request: HttpRequest) -> HttpResponse:
    page = Paginator(UnitValue.objects.order_by("-shipped", "name"), UNIT_VALUES_PER_PAGE)
    return render(
        request,
        "evidence/unit_values.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "deflators": list(Deflator.objects.order_by("year")),
        },
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def unit_values_import_page(request: HttpRequest) -> HttpResponse:
    template_url = reverse("evidence:unit_values_template")
    form = UnitValueUploadForm(
        request.POST or None, request.FILES or None, template_url=template_url
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = unit_values_import(content=form.cleaned_data["file"], created_by=request.user)
        except UnitValueFileError as error:
            form.add_error("file", str(error))
        else:
            if not outcome.errors:
                added = "unit value" if outcome.added == 1 else "unit values"
                messages.success(request, f"Added {outcome.added} {added}.")
                return redirect("evidence:unit_values")
            errors = outcome.errors
    return render(
        request,
        "evidence/unit_values_import.html",
        {"form": form, "errors": errors, "columns": IMPORT_COLUMNS, "template_url": template_url},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def unit_values_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="coprod-unit-values-template.csv"'
    writer = csv.writer(response)
    writer.writerow(IMPORT_COLUMNS)
    writer.writerow([csv_safe(IMPORT_EXAMPLE[column]) for column in IMPORT_COLUMNS])
    return response
