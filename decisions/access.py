"""The one access check for a project's decisions."""

import uuid

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from decisions.models import Decision
from decisions.selectors.decision_page import decision_for_page
from projects.access import check_project_for_staff


def get_decision_for_staff(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> Decision:
    """The project's decision (404 if it is not this project's), after the staff check; read
    with its project and meeting in one query."""
    decision = get_object_or_404(
        Decision.objects.select_related("project", "meeting"),
        project__slug=slug,
        public_id=decision_id,
    )
    check_project_for_staff(request, decision.project)
    if decision.meeting is not None and decision.meeting.project_id == decision.project_id:
        # Its link names the project, which is read already.
        decision.meeting.project = decision.project
    return decision


def get_decision_page_for_staff(
    request: HttpRequest, slug: str, decision_id: uuid.UUID
) -> Decision:
    """As get_decision_for_staff, for the decision's own page: read by plain SQL, holding
    of its project and meeting only what the page shows (decision_for_page)."""
    decision = decision_for_page(slug, decision_id)
    if decision is None:
        raise Http404("No decision of this project has this id.")
    check_project_for_staff(request, decision.project)
    return decision
