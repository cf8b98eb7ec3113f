"""Staff pages for a project's evidence: records, outcome values, the GRIPP2 impact
summary, the cost–benefit view, and which commissioners may read the report."""

import copy
import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from coprod.core.access import permission_required
from coprod.core.uploads import file_kind
from evidence.access import get_evidence_for_staff
from evidence.forms import (
    DOCUMENT_KINDS,
    EvidenceForm,
    ImpactSummaryForm,
    OutcomeValueForm,
    ReportGrantForm,
)
from evidence.models import EvidenceKind, EvidenceRecord, ImpactSummary
from evidence.selectors import (
    commissioners,
    cost_benefit,
    project_evidence_page,
    project_report_grants,
)
from evidence.services import (
    evidence_create,
    evidence_delete,
    evidence_update,
    impact_summary_save,
    outcome_value_add,
    report_grant_give,
    report_grant_revoke,
)
from projects.access import STAFF_ONLY, get_project_for_staff

KIND_HINTS = {
    EvidenceKind.OUTCOME: "A measure taken before and after, like waiting times or how many "
    "people came back.",
    EvidenceKind.FEEDBACK: "What someone said about the service or the project.",
    EvidenceKind.STORY: "One person's or one family's experience, told in full.",
    EvidenceKind.COST: "Money the involvement cost that is not a fee or an expense paid "
    "through coprod, like room hire.",
    EvidenceKind.SAVING: "Money saved because of the work, with how it was worked out.",
    EvidenceKind.DOCUMENT: "A report, a leaflet or a photo of flipchart notes.",
}


def _evidence_url(record: EvidenceRecord) -> str:
    return reverse(
        "evidence:evidence",
        kwargs={"slug": record.project.slug, "evidence_id": record.public_id},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def project_evidence(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    kind = request.GET.get("kind", "")
    if kind not in EvidenceKind.values:
        kind = ""
    page = project_evidence_page(project, kind=kind or None, page_number=request.GET.get("page"))
    return render(
        request,
        "evidence/evidence_list.html",
        {
            "project": project,
            "page": page,
            "kind": kind,
            "kinds": EvidenceKind.choices,
        },
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def evidence_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    kind = request.GET.get("kind", "")
    if kind not in EvidenceKind.values:
        if request.method == "POST" or kind:
            messages.error(request, "Choose what kind of evidence you are adding.")
        return render(
            request,
            "evidence/evidence_kind.html",
            {
                "project": project,
                "kinds": [
                    (value, label, KIND_HINTS[value]) for value, label in EvidenceKind.choices
                ],
            },
        )
    form = EvidenceForm(request.POST or None, request.FILES or None, kind=kind, project=project)
    if request.method == "POST" and form.is_valid():
        record = evidence_create(
            project=project, kind=kind, created_by=request.user, **form.cleaned_data
        )
        messages.success(request, f"{record.title} has been added to the evidence.")
        return redirect(_evidence_url(record))
    return render(
        request,
        "evidence/evidence_form.html",
        {"project": project, "form": form, "record": None, "kind_label": EvidenceKind(kind).label},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def evidence_detail(request: HttpRequest, slug: str, evidence_id: uuid.UUID) -> HttpResponse:
    record = get_evidence_for_staff(request, slug, evidence_id)
    return _render_detail(request, record, OutcomeValueForm(record=record))


def _render_detail(
    request: HttpRequest, record: EvidenceRecord, value_form: OutcomeValueForm
) -> HttpResponse:
    is_outcome = record.kind == EvidenceKind.OUTCOME
    return render(
        request,
        "evidence/evidence_detail.html",
        {
            "project": record.project,
            "record": record,
            "values": list(record.values.all()) if is_outcome else [],
            "decisions": list(record.decisions.order_by("-decided_on")),
            "value_form": value_form if is_outcome else None,
        },
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def evidence_edit(request: HttpRequest, slug: str, evidence_id: uuid.UUID) -> HttpResponse:
    record = get_evidence_for_staff(request, slug, evidence_id)
    # The form writes what was typed onto its instance while it checks it; a copy keeps
    # the page's headings right when the form has errors.
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        instance=copy.copy(record),
        kind=record.kind,
        project=record.project,
    )
    if request.method == "POST" and form.is_valid():
        evidence_update(record=record, **form.cleaned_data)
        messages.success(request, "Your changes have been saved.")
        return redirect(_evidence_url(record))
    return render(
        request,
        "evidence/evidence_form.html",
        {
            "project": record.project,
            "form": form,
            "record": record,
            "kind_label": record.get_kind_display(),
        },
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def evidence_delete_page(request: HttpRequest, slug: str, evidence_id: uuid.UUID) -> HttpResponse:
    record = get_evidence_for_staff(request, slug, evidence_id)
    if request.method == "POST":
        evidence_delete(record=record)
        messages.success(request, f"{record.title} has been deleted.")
        return redirect("evidence:project_evidence", slug=slug)
    return render(
        request, "evidence/evidence_delete.html", {"project": record.project, "record": record}
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def evidence_document(request: HttpRequest, slug: str, evidence_id: uuid.UUID) -> FileResponse:
    """The stored file, downloaded (never shown inline) under a name made from its title."""
    record = get_evidence_for_staff(request, slug, evidence_id)
    if not record.document:
        raise Http404("This evidence has no file.")
    try:
        file = record.document.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing from storage.") from missing
    kind = file_kind(file, DOCUMENT_KINDS)
    if kind is None:
        file.close()
        raise Http404("The stored file is not a kind that can be downloaded.")
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"{slugify(record.title) or 'evidence'}.{kind.extension}",
        content_type=kind.content_type,
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
@require_POST
def outcome_value_add_page(request: HttpRequest, slug: str, evidence_id: uuid.UUID) -> HttpResponse:
    record = get_evidence_for_staff(request, slug, evidence_id)
    if record.kind != EvidenceKind.OUTCOME:
        messages.error(request, "Only an outcome measure has values over time.")
        return redirect(_evidence_url(record))
    form = OutcomeValueForm(request.POST, record=record)
    if not form.is_valid():
        return _render_detail(request, record, form)
    reading = outcome_value_add(record=record, **form.cleaned_data)
    messages.success(
        request,
        f"Added {reading.value:f} {record.unit} on "
        f"{reading.measured_on.day} {reading.measured_on:%B %Y}.",
    )
    return redirect(f"{_evidence_url(record)}#values")


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def impact_summary(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    summary = ImpactSummary.objects.filter(project=project).first()
    form = ImpactSummaryForm(request.POST or None, instance=summary)
    if request.method == "POST" and form.is_valid():
        impact_summary_save(project=project, **form.cleaned_data)
        messages.success(request, "The impact summary has been saved.")
        return redirect("evidence:impact_summary", slug=slug)
    return render(
        request,
        "evidence/impact_summary.html",
        {"project": project, "form": form, "summary": summary},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def cost_benefit_page(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    figures = cost_benefit(project)
    return render(
        request,
        "evidence/cost_benefit.html",
        {"project": project, "figures": figures, "shortfall": -figures["net"]},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
def grants(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    form = ReportGrantForm(request.POST or None, commissioners=commissioners())
    if request.method == "POST" and form.is_valid():
        commissioner = form.cleaned_data["commissioner"]
        _, granted = report_grant_give(
            project=project, commissioner=commissioner, granted_by=request.user
        )
        if granted:
            messages.success(request, f"{commissioner} can now read this project's report.")
        else:
            messages.info(request, f"{commissioner} could already read this project's report.")
        return redirect("evidence:grants", slug=slug)
    return render(
        request,
        "evidence/grants.html",
        {"project": project, "form": form, "grants": project_report_grants(project)},
    )


@permission_required("evidence.manage_evidence", denied=STAFF_ONLY)
@require_POST
def grant_revoke(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    grant = (
        project_report_grants(project)
        .filter(commissioner__email=request.POST.get("commissioner", ""))
        .first()
    )
    if grant and report_grant_revoke(project=project, commissioner=grant.commissioner):
        messages.success(request, f"{grant.commissioner} can no longer read this project's report.")
    else:
        messages.info(request, "That person could not read this project's report anyway.")
    return redirect("evidence:grants", slug=slug)
