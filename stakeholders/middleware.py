from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from stakeholders.rules import is_staff_member
from stakeholders.sessions import idle_limit_seconds, session_is_idle, session_touch


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
        user = request.user
        if not settings.COPROD_STAFF_MFA_REQUIRED or not is_staff_member(user):
            return False
        # Kept on the user row (stakeholders.authenticators), which is loaded anyway.
        if user.has_authenticator_app:
            return False
        if request.path.startswith(
            ("/accounts/", "/" + settings.STATIC_URL.lstrip("/"), "/healthz")
        ):
            return False
        return request.path != reverse("pages:home")


class IdleSessionMiddleware:
    """Ends a signed-in session left unused longer than the person's role allows.

    Each request by a signed-in person records their activity and sets the session to
    expire after their role's idle limit (staff soonest, participants latest); a request
    arriving after the limit is signed out and carries on as an anonymous visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if session_is_idle(request.session, user):
                minutes = idle_limit_seconds(user) // 60
                logout(request)
                messages.info(
                    request,
                    f"You were signed out because you had not used coprod for {minutes} "
                    "minutes. Please log in again.",
                )
            else:
                session_touch(request.session, user)
        return self.get_response(request)
