"""The one access check for a project's evidence records."""

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from evidence.models import EvidenceRecord
from projects.access import get_project_for_staff


def get_evidence_for_staff(
    request: HttpRequest, slug: str, evidence_id: uuid.UUID
) -> EvidenceRecord:
    """The project's evidence record (404 if it is not this project's), after the staff check."""
    project = get_project_for_staff(request, slug)
    record = get_object_or_404(EvidenceRecord, project=project, public_id=evidence_id)
    record.project = project
    return record
