import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from coprod.core.access import permission_required
from stakeholders.access import PARTICIPANTS_ONLY, get_own_person
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.forms import (
    ConsentAgainForm,
    EqualityForm,
    ProfileForm,
    StaffPersonDetailsForm,
)
from stakeholders.models import ConsentKind, ConsentMethod
from stakeholders.selectors import standing_consents
from stakeholders.services import (
    PersonDetailsError,
    consent_give,
    consent_withdraw,
    equality_answers_save,
    involvement_consent_give_again,
    person_details_correct,
)
from stakeholders.views_privacy import PERM, STAFF_ONLY, get_person_for_staff


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def profile(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details have been saved.")
        return redirect("pages:me")
    return render(request, "stakeholders/profile.html", {"form": form})


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def equality(request: HttpRequest) -> HttpResponse:
    person = get_own_person(request)
    consents = standing_consents(person)
    instance = getattr(person, "equality", None)
    form = EqualityForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            consent_give(
                person=person,
                kind=ConsentKind.EQUALITY,
                method=ConsentMethod.ONLINE,
                recorded_by=request.user,
            )
            equality_answers_save(person=person, answers=form.cleaned_data)
        messages.success(request, "Thank you. Your answers have been saved.")
        return redirect("pages:me")
    return render(
        request,
        "stakeholders/equality.html",
        {
            "form": form,
            "consented": ConsentKind.EQUALITY in consents,
            "consent_text": CONSENT_TEXTS[ConsentKind.EQUALITY][1],
        },
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def consent_withdraw_view(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ConsentKind.values:
        raise Http404("No such consent.")
    person = get_own_person(request)
    if request.method == "POST":
        if consent_withdraw(person=person, kind=kind, withdrawn_by=request.user):
            messages.success(request, WITHDRAWN_MESSAGES[kind])
        else:
            messages.info(
                request, "You had not given this consent, so there was nothing to withdraw."
            )
        return redirect("pages:me")
    return render(request, "stakeholders/consent_withdraw.html", {"kind": ConsentKind(kind)})


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def consent_give_again(request: HttpRequest) -> HttpResponse:
    """Someone who withdrew their involvement consent agrees again themselves, to the words
    shown. `next` (one of our own pages, such as a project's join page) is where they go
    on to."""
    person = get_own_person(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if person.involvement_consent_given:
        if request.method == "POST":
            messages.info(request, "You had already agreed, so nothing has changed.")
            return redirect(next_url or "pages:me")
        return render(
            request, "stakeholders/consent_give.html", {"already": True, "next_url": next_url}
        )
    # Pressing "I agree" with nothing ticked sends no data, and still agrees.
    form = ConsentAgainForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            involvement_consent_give_again(
                person=person,
                recorded_by=request.user,
                join_pool=form.cleaned_data["join_pool"],
            )
        except PersonDetailsError as error:
            messages.error(request, str(error))
            return redirect("pages:me")
        messages.success(
            request,
            "Thank you. You have agreed again, so you can join projects and be invited to "
            "them." + (" Now say whether you are interested in this project." if next_url else ""),
        )
        return redirect(next_url or "pages:me")
    return render(
        request,
        "stakeholders/consent_give.html",
        {
            "form": form,
            "consent_text": CONSENT_TEXTS[ConsentKind.INVOLVEMENT][1],
            "next_url": next_url,
            "person": person,
        },
    )


WITHDRAWN_MESSAGES = {
    ConsentKind.INVOLVEMENT: "You have withdrawn your consent. You have left your projects and "
    "the involvement pool, and nobody can invite you any more. If you change your mind, you "
    "can agree again from this page.",
    ConsentKind.EQUALITY: "You have withdrawn your consent. Your equality answers have been "
    "deleted.",
    ConsentKind.BENEFITS: "You have withdrawn your consent. What you told us about your "
    "benefits has been deleted.",
    ConsentKind.MEASURES: "You have withdrawn your consent. Your answers to questions about "
    "how you are have been deleted, and we will not ask you them again.",
}


@permission_required(PERM, denied=STAFF_ONLY)
def person_details(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Staff put right someone's details (not the participant's own form)."""
    person = get_person_for_staff(request, person_id)
    if person.erased_at is not None:
        return render(request, "stakeholders/person_details.html", {"person": person})
    form = StaffPersonDetailsForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            person_details_correct(
                person=person,
                corrected_by=request.user,
                details=form.person_details(),
                skills=form.cleaned_data["skills"],
            )
        except PersonDetailsError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{person.full_name}'s details have been saved.")
            return redirect("projects:person", person_id=person.public_id)
    return render(request, "stakeholders/person_details.html", {"person": person, "form": form})
