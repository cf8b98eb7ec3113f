from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from stakeholders.rules import is_staff_member


class StaffMFARequiredMiddleware:
    """Staff hold everyone's personal data, so outside DEBUG they must use an authenticator app.

    A signed-in staff member without TOTP set up is sent to set it up; only the account
    pages (where they do that, or log out) and static files stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up_mfa(request):
            messages.info(
                request,
                "Staff accounts must use an authenticator app. Set one up to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _must_set_up_mfa(self, request) -> bool:
        if not settings.COPROD_STAFF_MFA_REQUIRED or not is_staff_member(request.user):
            return False
        if request.path.startswith(
            ("/accounts/", "/" + settings.STATIC_URL.lstrip("/"), "/healthz")
        ):
            return False
        if request.path == reverse("home"):
            return False
        return not Authenticator.objects.filter(
            user=request.user, type=Authenticator.Type.TOTP
        ).exists()
