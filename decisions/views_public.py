"""The public "you said, we did" board: anyone may read it, and it holds no personal data."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from decisions.selectors.decisions import public_board
from projects.models import Project

BOARD_PER_PAGE = 25


@require_safe
def you_said_we_did(request: HttpRequest, slug: str) -> HttpResponse:
    project = get_object_or_404(Project, slug=slug)
    page = Paginator(public_board(project), BOARD_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "decisions/you_said_we_did.html",
        {
            "project": project,
            "page": page,
            "open_to_join": Project.objects.open_to_join().filter(pk=project.pk).exists(),
        },
    )
