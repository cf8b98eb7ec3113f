from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coprod.access import permission_required

PARTICIPANTS_ONLY = "This page is for people taking part in projects."


@permission_required("stakeholders.access_me", denied=PARTICIPANTS_ONLY)
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "stakeholders/me.html")
