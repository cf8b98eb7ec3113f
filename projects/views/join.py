import functools

from allauth.account.internal.flows.signup import complete_signup
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.decorators import rate_limit
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from coprod.core.csrf_slot import render_with_csrf_slot, with_csrf_token
from projects.models import (
    Project,
)
from projects.services.memberships import membership_express_interest, person_register_online
from projects.signup_help import signup_project_remember
from stakeholders.forms import EqualityForm, JoinForm, equality_answers_have_consent
from stakeholders.rules import is_participant
from stakeholders.selectors import person_for_user


@rate_limit(action="signup")
def join(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.open_to_join(), slug=slug)
    if request.user.is_authenticated:
        return _join_signed_in(request, project)
    form = JoinForm(request.POST or None)
    equality_form = EqualityForm(request.POST or None, prefix="equality")
    # Every form is checked, so that each problem is shown at once.
    valid = request.method == "POST" and form.is_valid() & equality_form.is_valid()
    if request.method == "POST" and equality_answers_have_consent(form, equality_form) and valid:
        response = _sign_up_and_join(request, project, form, equality_form)
        if response is not None:
            return response
    context = {"project": project, "form": form, "equality_form": equality_form}
    if not form.is_bound:
        context["blank_form_html"] = mark_safe(  # noqa: S308 - our own template, escaped there
            with_csrf_token(_blank_join_form_html(), get_token(request))
        )
    return render(request, "projects/join.html", context)


@functools.cache
def _blank_join_form_html() -> str:
    """The blank sign-up form, the same for every visitor (no choice comes from the
    database): rendered once per process, as crispy-forms takes many milliseconds to walk
    its fields and choices. Each visitor's own csrf token goes in its placeholder."""
    return render_with_csrf_slot(
        "projects/_join_form.html",
        {"form": JoinForm(), "equality_form": EqualityForm(prefix="equality")},
    )


def _sign_up_and_join(request, project, form, equality_form) -> HttpResponse | None:
    signup_project_remember(request, project)
    with transaction.atomic():
        user, response = form.try_save(request)
        if response is not None:
            # An account with this email exists: allauth emails its owner instead.
            return response
        # Someone already on the roster is not told apart from someone new: the sign-up is
        # then held until the email is confirmed, and the visitor sees the same page.
        person_register_online(
            user=user,
            project=project,
            person_fields=form.person_fields(),
            equality_consent=form.cleaned_data["consent_equality"],
            equality_answers=equality_form.cleaned_data,
        )
    try:
        return complete_signup(
            request, user=user, redirect_url=reverse("projects:joined", args=[project.slug])
        )
    except ImmediateHttpResponse as stop:
        return stop.response


def _join_signed_in(request: HttpRequest, project: Project) -> HttpResponse:
    person = person_for_user(request.user) if is_participant(request.user) else None
    if request.method == "POST" and person is None:
        raise PermissionDenied("Only people taking part in projects can join one.")
    if request.method == "POST" and person is not None and person.involvement_consent_given:
        membership_express_interest(person=person, project=project)
        messages.success(
            request, f"Thank you. We have told the {project.name} team you are interested."
        )
        return redirect("pages:me")
    return render(
        request,
        "projects/join.html",
        {"project": project, "person": person, "signed_in": True},
    )


@require_safe
def joined(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.open_to_join(), slug=slug)
    return render(request, "projects/joined.html", {"project": project})
