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
    status = {"database": database_status(), "broker": broker_status()}
    healthy = all(value in ("ok", "eager") for value in status.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503
    )
