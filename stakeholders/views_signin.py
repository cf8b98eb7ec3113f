"""Signing in by a link: staff send one from the person page, anyone asks for one on the
login page, and following it (or its short form from a text message) signs the person in."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from coprod.core.access import permission_required
from coprod.core.ratelimit import count_exceeded, rate_limited, too_many_requests
from coprod.core.texts import Channel
from stakeholders.forms import SigninLinkRequestForm
from stakeholders.models import SigninLinkKind
from stakeholders.signin import (
    SigninRefused,
    address_fingerprint,
    lifetime_in_words,
    short_link_target,
    signin_link_check,
    signin_link_invite,
    signin_link_request,
    signin_link_use,
)
from stakeholders.views_privacy import PERM, STAFF_ONLY, get_person_for_staff

# Set in the session when someone signs in by a link: /me/ then offers them a password.
SIGNED_IN_BY_LINK = "coprod_signed_in_by_link"
ALREADY_LOGGED_IN = "You are logged in already. To ask for a link for someone else, log out first."
TOO_MANY_TO_ONE_ADDRESS = (
    "We have already sent several links to that address or number in the last hour. "
    "Please use the newest one, or ask again in an hour."
)


@permission_required(PERM, denied=STAFF_ONLY)
@require_POST
def person_signin_link(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Staff send someone a link to their own area, by email or text message."""
    person = get_person_for_staff(request, person_id)
    try:
        link = signin_link_invite(person=person, sent_by=request.user)
    except SigninRefused as refusal:
        messages.error(request, f"No link was sent. {refusal}")
    else:
        how = "a text message to" if link.channel == Channel.TEXT else "an email to"
        messages.success(
            request,
            f"A link to their own area is on its way to {person.full_name}, by {how} "
            f"{link.sent_to}. It works once, for {lifetime_in_words(link.kind)}.",
        )
    return redirect("projects:person", person_id=person.public_id)


def signin_link_ask(request: HttpRequest) -> HttpResponse:
    """Send me a link to log in: the same answer whoever is (or is not) on the roster."""
    form = SigninLinkRequestForm(request.POST or None)
    if request.method != "POST":
        return render(request, "stakeholders/signin_ask.html", {"form": form})
    if request.user.is_authenticated:
        raise PermissionDenied(ALREADY_LOGGED_IN)
    if rate_limited(
        request, action="signin-link", per_minute=settings.COPROD_SIGNIN_LINK_REQUESTS_PER_MINUTE
    ):
        return too_many_requests(request)
    if not form.is_valid():
        return render(request, "stakeholders/signin_ask.html", {"form": form})
    email, phone = form.cleaned_data["email"], form.cleaned_data["phone"]
    if count_exceeded(
        action="signin-link-to",
        sender=address_fingerprint(email or phone),
        most=settings.COPROD_SIGNIN_LINKS_PER_ADDRESS_PER_HOUR,
        minutes=60,
    ):
        form.add_error("address", TOO_MANY_TO_ONE_ADDRESS)
        return render(request, "stakeholders/signin_ask.html", {"form": form})
    signin_link_request(email=email, phone=phone)
    return render(
        request,
        "stakeholders/signin_sent.html",
        {"by_text": bool(phone), "lasts": lifetime_in_words(SigninLinkKind.REQUESTED)},
    )


def signin_link_follow(request: HttpRequest, link_id: uuid.UUID) -> HttpResponse:
    """Opening the link shows a button; pressing it signs in. Only the press uses the link
    up, so a mail scanner or a phone's link preview opening it first does no harm."""
    token = request.GET.get("sesame", "")
    if request.method == "POST":
        link = signin_link_use(link_id=link_id, token=token)
        if link is None:
            return _link_refused(request)
        login(request, link.user, backend="sesame.backends.ModelBackend")
        request.session[SIGNED_IN_BY_LINK] = True
        return redirect(link.user.home_url)
    link = signin_link_check(link_id=link_id, token=token)
    if link is None:
        return _link_refused(request)
    return render(request, "stakeholders/signin_follow.html", {"link": link})


@require_safe
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """A short link from a text message leads on to where it stands for, while it lasts."""
    target = short_link_target(code)
    if target is None:
        return _link_refused(request)
    return redirect(target)


def _link_refused(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stakeholders/signin_expired.html",
        {"form": SigninLinkRequestForm()},
    )
