"""What a person tells us about their benefits: their own page (/me/benefits/) and the one
staff use to record it on their behalf (/people/<id>/benefits/)."""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coprod.core.access import permission_required
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.forms_benefits import BenefitsForm, StaffBenefitsForm, initial_from
from stakeholders.models import BenefitsAnswers, ConsentKind, ConsentMethod, Person
from stakeholders.selectors import standing_consents
from stakeholders.services import PersonDetailsError, benefits_answers_save
from stakeholders.views_privacy import PERM, STAFF_ONLY, get_person_for_staff


def _posted(request: HttpRequest):
    # An empty POST (nothing chosen) is still an answer to check, not a first visit.
    return request.POST if request.method == "POST" else None


def _answers(person: Person) -> BenefitsAnswers | None:
    return BenefitsAnswers.objects.filter(person=person).select_related("recorded_by").first()


def _answers_save(form, *, person: Person, method: str, recorded_by) -> None:
    benefits_answers_save(
        person=person,
        benefits=form.cleaned_data["benefits"],
        uc_period_starts_on=form.cleaned_data["uc_period_starts_on"],
        permitted_work_form=form.cleaned_data["permitted_work_form"],
        method=method,
        recorded_by=recorded_by,
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def benefits(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    answers = _answers(person)
    form = BenefitsForm(_posted(request), initial=initial_from(answers))
    if request.method == "POST" and form.is_valid():
        try:
            _answers_save(
                form, person=person, method=ConsentMethod.ONLINE, recorded_by=request.user
            )
        except PersonDetailsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you. Your answers about your benefits are saved.")
            return redirect("projects:my_payments")
    return render(
        request,
        "stakeholders/benefits.html",
        {
            "form": form,
            "answers": answers,
            "consented": ConsentKind.BENEFITS in standing_consents(person),
            "consent_text": CONSENT_TEXTS[ConsentKind.BENEFITS][1],
        },
    )


@permission_required(PERM, denied=STAFF_ONLY)
def person_benefits(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Staff record what someone who is not online tells them about their benefits, with
    how they agreed to us keeping it."""
    someone = get_person_for_staff(request, person_id)
    if someone.erased_at is not None:
        messages.error(request, "These details have been erased, so nothing can be recorded.")
        return redirect("projects:person", person_id=someone.public_id)
    answers = _answers(someone)
    form = StaffBenefitsForm(_posted(request), initial=initial_from(answers))
    if request.method == "POST" and form.is_valid():
        _answers_save(
            form,
            person=someone,
            method=form.cleaned_data["consent_method"],
            recorded_by=request.user,
        )
        messages.success(
            request, f"What {someone.full_name} told you about their benefits is saved."
        )
        return redirect("projects:person", person_id=someone.public_id)
    return render(
        request,
        "stakeholders/person_benefits.html",
        {
            "person": someone,
            "form": form,
            "answers": answers,
            "consent_text": CONSENT_TEXTS[ConsentKind.BENEFITS][1],
        },
    )
