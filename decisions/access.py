"""The one access check for a project's decisions."""

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from decisions.models import Decision
from projects.access import get_project_for_staff


def get_decision_for_staff(request: HttpRequest, slug: str, decision_id: uuid.UUID) -> Decision:
    """The project's decision (404 if it is not this project's), after the staff check."""
    project = get_project_for_staff(request, slug)
    decision = get_object_or_404(
        Decision.objects.select_related("meeting"), project=project, public_id=decision_id
    )
    decision.project = project
    return decision
