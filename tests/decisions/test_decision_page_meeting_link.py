"""A decision made at a meeting links to it, with the project read once for both."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.models import DecisionMethod
from decisions.services import decision_create

pytestmark = pytest.mark.django_db


def _page(client, decision) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(decision.get_absolute_url())
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_a_decision_at_a_meeting_links_to_it_without_another_query(staff_client, personas):
    fields = {
        "project": personas.project,
        "created_by": personas.staff,
        "question": "Should the drop-in open on Saturdays?",
        "method": DecisionMethod.CONSENSUS,
        "ladder_rung": "co_design",
    }
    elsewhere = decision_create(title="Not at a meeting", **fields)
    at_meeting = decision_create(title="At a meeting", meeting=personas.meeting, **fields)

    queries_elsewhere, _ = _page(staff_client, elsewhere)
    queries_at_meeting, page = _page(staff_client, at_meeting)

    assert f'href="{personas.meeting.get_absolute_url()}"' in page
    assert queries_at_meeting == queries_elsewhere
