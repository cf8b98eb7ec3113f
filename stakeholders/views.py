from allauth.account.internal.flows.signup import complete_signup
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.decorators import rate_limit
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.access import permission_required
from projects.calendar import meeting_ics
from projects.models import Invitation, Project, Response
from projects.rsvp import RsvpAction
from projects.selectors import upcoming_invitations_of
from projects.services import MeetingClosed, invitation_respond
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.forms import EqualityForm, JoinForm, ProfileForm
from stakeholders.models import ConsentKind, ConsentMethod, Person
from stakeholders.rules import is_participant
from stakeholders.selectors import memberships_of, person_for_user, standing_consents
from stakeholders.services import (
    DuplicatePerson,
    consent_give,
    consent_withdraw,
    equality_answers_save,
    membership_express_interest,
    person_register_online,
)

PARTICIPANTS_ONLY = "This page is for people taking part in projects."
MY_MEETINGS_LIMIT = 20


def _get_own_person(request: HttpRequest) -> Person:
    """The signed-in participant's own roster entry; nobody else's is ever reachable."""
    person = person_for_user(request.user)
    if person is None:
        raise Http404("You have no details with us yet.")
    return person


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def me(request: HttpRequest) -> HttpResponse:
    person = person_for_user(request.user)
    context = {"person": person}
    if person is not None:
        context["memberships"] = memberships_of(person)
        context["consents"] = standing_consents(person)
        context["invitations"] = upcoming_invitations_of(person)[:MY_MEETINGS_LIMIT]
        context["Response"] = Response
    return render(request, "stakeholders/me.html", context)


def _get_own_invitation(request: HttpRequest, meeting_id) -> Invitation:
    """The signed-in participant's invitation to this meeting; anyone else's is a 404."""
    person = _get_own_person(request)
    return get_object_or_404(
        Invitation.objects.select_related("meeting__project", "person"),
        person=person,
        meeting__public_id=meeting_id,
    )


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
@require_POST
def meeting_answer(request: HttpRequest, meeting_id) -> HttpResponse:
    invitation = _get_own_invitation(request, meeting_id)
    action = request.POST.get("action", "")
    if action not in (RsvpAction.ACCEPT, RsvpAction.DECLINE):
        messages.error(request, "Choose whether you can come or not.")
        return redirect("stakeholders:me")
    try:
        invitation = invitation_respond(invitation=invitation, action=action)
    except MeetingClosed:
        messages.error(
            request, "This meeting is over or was cancelled, so your answer cannot change."
        )
        return redirect("stakeholders:me")
    messages.success(request, ANSWER_MESSAGES[invitation.response])
    return redirect("stakeholders:me")


ANSWER_MESSAGES = {
    Response.ACCEPTED: "Thank you. You are coming.",
    Response.WAITLISTED: "The meeting is full, so you are on the waiting list.",
    Response.DECLINED: "Thank you for letting us know you cannot come.",
}


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def meeting_calendar(request: HttpRequest, meeting_id) -> HttpResponse:
    invitation = _get_own_invitation(request, meeting_id)
    response = HttpResponse(
        meeting_ics(invitation.meeting, invitation), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="meeting.ics"'
    return response


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def profile(request: HttpRequest) -> HttpResponse:
    person = _get_own_person(request)
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your details have been saved.")
        return redirect("stakeholders:me")
    return render(request, "stakeholders/profile.html", {"form": form})


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def equality(request: HttpRequest) -> HttpResponse:
    person = _get_own_person(request)
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
        return redirect("stakeholders:me")
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
    person = _get_own_person(request)
    if request.method == "POST":
        if consent_withdraw(person=person, kind=kind, withdrawn_by=request.user):
            messages.success(request, WITHDRAWN_MESSAGES[kind])
        else:
            messages.info(
                request, "You had not given this consent, so there was nothing to withdraw."
            )
        return redirect("stakeholders:me")
    return render(request, "stakeholders/consent_withdraw.html", {"kind": ConsentKind(kind)})


WITHDRAWN_MESSAGES = {
    ConsentKind.INVOLVEMENT: "You have withdrawn your consent. You have left your projects and "
    "the involvement pool, and nobody can invite you any more.",
    ConsentKind.EQUALITY: "You have withdrawn your consent. Your equality answers have been "
    "deleted.",
}


@rate_limit(action="signup")
def join(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.open_to_join(), slug=slug)
    if request.user.is_authenticated:
        return _join_signed_in(request, project)
    form = JoinForm(request.POST or None)
    equality_form = EqualityForm(request.POST or None, prefix="equality")
    if request.method == "POST" and form.is_valid() and equality_form.is_valid():
        response = _sign_up_and_join(request, project, form, equality_form)
        if response is not None:
            return response
    return render(
        request,
        "stakeholders/join.html",
        {"project": project, "form": form, "equality_form": equality_form},
    )


def _sign_up_and_join(request, project, form, equality_form) -> HttpResponse | None:
    try:
        with transaction.atomic():
            user, response = form.try_save(request)
            if response is not None:
                # An account with this email exists: allauth emails its owner instead.
                return response
            person_register_online(
                user=user,
                project=project,
                person_fields=form.person_fields(),
                equality_consent=form.cleaned_data["consent_equality"],
                equality_answers=equality_form.cleaned_data,
            )
    except DuplicatePerson:
        form.add_error(
            "email",
            "We already have someone with this email address. Please log in, or contact "
            "the project to sort it out.",
        )
        return None
    try:
        return complete_signup(
            request, user=user, redirect_url=reverse("stakeholders:joined", args=[project.slug])
        )
    except ImmediateHttpResponse as stop:
        return stop.response


def _join_signed_in(request: HttpRequest, project: Project) -> HttpResponse:
    person = person_for_user(request.user) if is_participant(request.user) else None
    if request.method == "POST" and person is not None and person.involvement_consent_given:
        membership_express_interest(person=person, project=project)
        messages.success(
            request, f"Thank you. We have told the {project.name} team you are interested."
        )
        return redirect("stakeholders:me")
    return render(
        request,
        "stakeholders/join.html",
        {"project": project, "person": person, "signed_in": True},
    )


def joined(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.open_to_join(), slug=slug)
    return render(request, "stakeholders/joined.html", {"project": project})
