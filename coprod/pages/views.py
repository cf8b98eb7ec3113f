import functools
import hmac
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from coprod.core.access import permission_required
from coprod.core.health import broker_status, database_status
from coprod.core.pagecache import deferred
from coprod.pages.my_page import my_page
from coprod.pages.services import dashboard_content_kept, delivery_receipt_record
from projects.access import STAFF_ONLY
from projects.models import (
    Response,
)
from projects.selectors.projects import projects_open_to_join
from stakeholders.access import PARTICIPANTS_ONLY
from stakeholders.models import ConsentKind


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html", {"open_projects": projects_open_to_join()})


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_status(), "broker": broker_status()}
    body = {name: status for name, (status, _reason) in checks.items()}
    # Whoever is on call sees at once what is wrong, not just that something is.
    body.update({f"{name}_error": reason for name, (_status, reason) in checks.items() if reason})
    healthy = all(status in ("ok", "eager") for status, _reason in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503
    )


def _receipt_token_ok(request: HttpRequest) -> bool:
    expected = settings.COPROD_NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    # With no token set, nobody can mark messages as bounced.
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


# GOV.UK Notify posts here with the bearer token we gave it, not with a session or form.
@csrf_exempt
@require_POST
def notify_receipt(request: HttpRequest) -> JsonResponse:
    """A delivery receipt from GOV.UK Notify: a message that never arrived is marked as
    bounced on its outbox row, for staff to see."""
    if not _receipt_token_ok(request):
        raise PermissionDenied
    try:
        receipt = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        receipt = None
    if not (
        isinstance(receipt, dict)
        and isinstance(receipt.get("id"), str)
        and isinstance(receipt.get("status"), str)
    ):
        return JsonResponse(
            {"error": "Send a JSON object with the notification's id and status."}, status=400
        )
    matched = delivery_receipt_record(provider_id=receipt["id"], status=receipt["status"])
    # An unknown id (a message since erased, or not ours) is answered all the same, so that
    # Notify does not keep sending it.
    return JsonResponse({"result": "recorded" if matched else "unknown"})


@permission_required("pages.access_dashboard", denied=STAFF_ONLY)
def dashboard(request: HttpRequest) -> HttpResponse:
    content, worked_out_at, changes_to_come = dashboard_content_kept()
    return render(
        request,
        "pages/dashboard.html",
        {
            "content": content,
            "worked_out_at": worked_out_at,
            "changes_to_come": changes_to_come,
        },
    )


MY_PAGE_PARTS = (
    "person",
    "memberships",
    "consents",
    "invitations",
    "pool_invitations",
    "measure_rounds",
    "feedback_due",
)


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def me(request: HttpRequest) -> HttpResponse:
    if settings.PAGE_CACHE:
        # Read only when the page is not in the page cache, and then all of it at once.
        page = deferred(my_page, request.user)
        parts = {name: deferred(getattr, page, name) for name in MY_PAGE_PARTS}
    else:
        # Read now: every visit renders the page, and each use of a deferred part goes
        # through a lazy wrapper, which costs more than reading it plainly.
        page = my_page(request.user)
        parts = {name: getattr(page, name) for name in MY_PAGE_PARTS}
    context = {
        **parts,
        "Response": Response,
        "links": _my_page_links(),
    }
    return render(request, "pages/me.html", context)


# The pages /me/ links to whatever the person: (name, args) of each.
MY_PAGE_LINKS = [
    ("account_change_password", ()),
    ("account_email", ()),
    ("account_set_password", ()),
    ("decisions:my_decisions", ()),
    ("evidence:my_measures", ()),
    ("pages:home", ()),
    ("projects:my_payments", ()),
    ("stakeholders:benefits", ()),
    ("stakeholders:consent_give", ()),
    *(("stakeholders:consent_withdraw", (kind,)) for kind in ConsentKind.values),
    ("stakeholders:equality", ()),
    ("stakeholders:erasure_request", ()),
    ("stakeholders:my_data", ()),
    ("stakeholders:profile", ()),
]


@functools.cache
def _my_page_links() -> dict[str, str]:
    """The addresses of MY_PAGE_LINKS by name ("stakeholders:consent_withdraw" with
    "equality" is `stakeholders_consent_withdraw_equality`), reversed once per process:
    each reverse() (or {% url %}) takes tens of microseconds, and they add up."""
    return {
        "_".join((name.replace(":", "_"), *args)): reverse(name, args=args)
        for name, args in MY_PAGE_LINKS
    }
