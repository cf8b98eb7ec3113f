"""Measures people answer themselves: the registry (staff), a project's measures and
rounds (staff, with paper answers typed in on someone's behalf), and the questions a
participant answers from their page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from coprod.core.access import permission_required
from evidence.forms_measures import (
    MeasureForm,
    MeasureRoundForm,
    MyAnswersForm,
    PaperAnswersForm,
    ProjectMeasureForm,
)
from evidence.models import Measure, MeasureQuestion, MeasureResponse, MeasureRound
from evidence.selectors.measures import (
    measures_registry,
    my_measure_responses,
    project_measures_with_rounds,
    recent_paper_responses,
)
from evidence.services_measures import (
    MeasureError,
    measure_answers_save,
    measure_create,
    measure_round_schedule,
    project_measure_add,
)
from projects.access import STAFF_ONLY, get_project_for_staff
from projects.models import MembershipStatus, Project
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import ConsentKind, Person
from stakeholders.selectors import standing_consents

MANAGE = "evidence.manage_evidence"
MEASURES_PER_PAGE = 25


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# The registry ------------------------------------------------------------------------------


@require_safe
@permission_required(MANAGE, denied=STAFF_ONLY)
def measures(request: HttpRequest) -> HttpResponse:
    page = Paginator(measures_registry(), MEASURES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "evidence/measures.html", {"page": page})


@require_safe
@permission_required(MANAGE, denied=STAFF_ONLY)
def measure_detail(request: HttpRequest, code: str) -> HttpResponse:
    measure = get_object_or_404(Measure, code=code)
    return render(
        request,
        "evidence/measure_detail.html",
        {"measure": measure, "questions": list(measure.questions.all())},
    )


@permission_required(MANAGE, denied=STAFF_ONLY)
def measure_add(request: HttpRequest) -> HttpResponse:
    form = MeasureForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            measure = measure_create(
                measure=form.save(commit=False),
                higher_better=form.cleaned_data["higher_better"],
                lower_better=form.cleaned_data["lower_better"],
                created_by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{measure.name} has been added to the registry.")
            return redirect("evidence:measure", code=measure.code)
    return render(request, "evidence/measure_form.html", {"form": form})


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# A project's measures ----------------------------------------------------------------------


def _project_measure_context(project: Project, **extra) -> dict:
    project_measures = project_measures_with_rounds(project)
    return {
        "project": project,
        "project_measures": project_measures,
        "add_form": ProjectMeasureForm(used_ids=[pm.measure_id for pm in project_measures]),
        "paper_responses": recent_paper_responses(project),
        "today": timezone.localdate(),
        **extra,
    }


@require_safe
@permission_required(MANAGE, denied=STAFF_ONLY)
def project_measures(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    return render(request, "evidence/project_measures.html", _project_measure_context(project))


@permission_required(MANAGE, denied=STAFF_ONLY)
@require_POST
def project_measure_add_view(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_project_for_staff(request, slug)
    used = list(project.measures.values_list("measure_id", flat=True))
    form = ProjectMeasureForm(request.POST, used_ids=used)
    if not form.is_valid():
        context = _project_measure_context(project)
        context["add_form"] = form
        return render(request, "evidence/project_measures.html", context)
    measure = form.cleaned_data["measure"]
    project_measure_add(project=project, measure=measure, added_by=request.user)
    messages.success(
        request, f"{project.name} now uses {measure.name}. Schedule its baseline round next."
    )
    return redirect("evidence:project_measures", slug=project.slug)


def _get_project_measure(request: HttpRequest, slug: str, project_measure_id: int):
    project = get_project_for_staff(request, slug)
    project_measure = get_object_or_404(
        project.measures.select_related("measure"), pk=project_measure_id
    )
    return project, project_measure


@permission_required(MANAGE, denied=STAFF_ONLY)
def measure_round_add(request: HttpRequest, slug: str, project_measure_id: int) -> HttpResponse:
    project, project_measure = _get_project_measure(request, slug, project_measure_id)
    has_baseline = project_measure.rounds.filter(kind="baseline").exists()
    form = MeasureRoundForm(
        _posted(request),
        initial={"kind": "follow_up" if has_baseline else "baseline"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure_round = measure_round_schedule(
                project_measure=project_measure, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"{measure_round.name} is scheduled: open from "
                f"{measure_round.opens_on:%-d %B} to {measure_round.closes_on:%-d %B %Y}.",
            )
            return redirect("evidence:project_measures", slug=project.slug)
    return render(
        request,
        "evidence/measure_round_form.html",
        {"project": project, "project_measure": project_measure, "form": form},
    )


def _members(project: Project):
    return Person.objects.filter(
        memberships__project=project,
        memberships__status=MembershipStatus.ACTIVE,
        erased_at=None,
    ).order_by("full_name", "pk")


@permission_required(MANAGE, denied=STAFF_ONLY)
def paper_answers(request: HttpRequest, slug: str, round_id: int) -> HttpResponse:
    """Staff type in the answers someone gave on paper (or by phone) for a round."""
    project = get_project_for_staff(request, slug)
    measure_round = get_object_or_404(
        MeasureRound.objects.select_related("project_measure__measure"),
        pk=round_id,
        project_measure__project=project,
    )
    measure = measure_round.project_measure.measure
    if measure_round.opens_on > timezone.localdate():
        messages.error(
            request,
            f"{measure_round.name} opens on {measure_round.opens_on:%-d %B %Y}: answers can "
            f"be typed in from then.",
        )
        return redirect("evidence:project_measures", slug=project.slug)
    answered = MeasureResponse.objects.filter(round=measure_round).values("person")
    form = PaperAnswersForm(
        _posted(request),
        measure=measure,
        questions=MeasureQuestion.objects.filter(measure=measure),
        people=_members(project).exclude(pk__in=answered),
    )
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            measure_answers_save(
                measure_round=measure_round,
                person=person,
                values=form.values(),
                recorded_by=request.user,
                method=form.cleaned_data["consent_method"],
            )
        except MeasureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{person.full_name}’s answers for {measure_round.name} are saved, marked as "
                f"entered by staff from a paper form.",
            )
            return redirect("evidence:project_measures", slug=project.slug)
    return render(
        request,
        "evidence/paper_answers.html",
        {
            "project": project,
            "round": measure_round,
            "measure": measure,
            "form": form,
            "consent_text": CONSENT_TEXTS[ConsentKind.MEASURES][1],
        },
    )


# A participant's own -----------------------------------------------------------------------


@require_safe
@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def my_measures(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    return render(
        request,
        "evidence/my_measures.html",
        {
            "responses": my_measure_responses(person),
            "consented": ConsentKind.MEASURES in standing_consents(person),
        },
    )


def _get_round_for_participant(person: Person, round_id: int) -> MeasureRound:
    """A round of a project the person takes part in; any other is not found."""
    return get_object_or_404(
        MeasureRound.objects.select_related(
            "project_measure__project", "project_measure__measure"
        ).distinct(),
        pk=round_id,
        project_measure__project__memberships__person=person,
        project_measure__project__memberships__status=MembershipStatus.ACTIVE,
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def measure_answer(request: HttpRequest, round_id: int) -> HttpResponse:
    person = get_own_person(request)
    measure_round = _get_round_for_participant(person, round_id)
    project_measure = measure_round.project_measure
    measure, project = project_measure.measure, project_measure.project
    if MeasureResponse.objects.filter(round=measure_round, person=person).exists():
        messages.info(request, f"You have already answered the questions for {measure_round.name}.")
        return redirect("evidence:my_measures")
    today = timezone.localdate()
    if not measure_round.opens_on <= today <= measure_round.closes_on:
        raise Http404("These questions are not open.")
    consented = ConsentKind.MEASURES in standing_consents(person)
    form = MyAnswersForm(
        _posted(request),
        measure=measure,
        questions=MeasureQuestion.objects.filter(measure=measure),
        consented=consented,
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure_answers_save(
                measure_round=measure_round,
                person=person,
                values=form.values(),
                recorded_by=request.user,
            )
        except MeasureError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you. Your answers are saved.")
            return redirect("evidence:my_measures")
    return render(
        request,
        "evidence/measure_answer.html",
        {
            "round": measure_round,
            "measure": measure,
            "project": project,
            "form": form,
            "consented": consented,
            "consent_text": CONSENT_TEXTS[ConsentKind.MEASURES][1],
        },
    )
