"""The site's URLs plus the ceiling: a bare view answering "ok" through the same middleware.
Used only by `bench/pages.py` (via bench/settings_bench.py), so production has no such URL."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from coprod.urls import urlpatterns as site_urlpatterns


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ok", ok, name="bench_ok"), *site_urlpatterns]
