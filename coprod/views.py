from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coprod.health import broker_status, database_status
from projects.selectors import projects_open_to_join


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"open_projects": projects_open_to_join()})


@require_GET
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
