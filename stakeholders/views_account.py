"""The account pages coprod adds to allauth's: an overview, and a new confirmation link."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from coprod.core.ratelimit import rate_limited, too_many_requests
from stakeholders.email_confirmation import (
    confirmation_link_send_again,
    confirmation_link_send_to,
    confirmation_link_state,
)
from stakeholders.forms import NewConfirmationLinkForm
from stakeholders.rules import is_staff_member

# Each press sends an email, so a visitor may ask only a few times a minute; allauth also
# sends to any one address at most once every few minutes.
NEW_LINK_PER_MINUTE = 5


@login_required
@require_safe
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    staff = is_staff_member(user)
    return render(
        request,
        "stakeholders/account.html",
        {
            "has_password": user.has_usable_password(),
            "is_staff": staff,
            "has_authenticator": staff
            and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def new_confirmation_link(request: HttpRequest) -> HttpResponse:
    """Send a new link to confirm an email address: to the address a link that no longer
    works was for (its `key`), or to an address typed in."""
    form = NewConfirmationLinkForm(request.POST if "email" in request.POST else None)
    if request.method == "POST":
        if rate_limited(request, action="new-confirmation-link", per_minute=NEW_LINK_PER_MINUTE):
            return too_many_requests(request)
        if "key" in request.POST:
            response = _send_again_for_link(request, request.POST["key"])
            if response is not None:
                return response
        elif form.is_valid():
            email = form.cleaned_data["email"]
            if not confirmation_link_send_to(request, email=email):
                _say_wait(request, email)
            return redirect("account_email_verification_sent")
    return render(request, "stakeholders/new_confirmation_link.html", {"form": form})


def _send_again_for_link(request: HttpRequest, key: str) -> HttpResponse | None:
    link = confirmation_link_state(key)
    if link.used:
        messages.info(request, f"{link.address.email} is confirmed already, so you can log in.")
        return redirect(
            "stakeholders:account" if request.user.is_authenticated else settings.LOGIN_URL
        )
    if link.expired:
        if not confirmation_link_send_again(request, address=link.address):
            _say_wait(request, link.address.email)
        if request.user.is_authenticated:
            return redirect("account_email")
        return redirect("account_email_verification_sent")
    # The link was cut short or mistyped, so it names no address: ask for it.
    messages.info(request, "We could not read that link. Tell us your email address instead.")
    return None


def _say_wait(request: HttpRequest, email: str) -> None:
    messages.info(
        request,
        f"We sent an email to {email} a few minutes ago, and its link still works. "
        "Please look for that email. If it has not arrived, wait five minutes and ask again.",
    )
