"""The decision page's history is read as plain values and compared in memory: these prove
it tells each change as simple-history's own diff_against() does, and who made it."""

import pytest

from decisions.models import Decision, DecisionMethod, DecisionStatus
from decisions.selectors.decision_page import decision_history_rows
from decisions.services import decision_create, decision_update, voting_open

pytestmark = pytest.mark.django_db


def _as_diff_against_tells_it(decision: Decision) -> list[str]:
    """What each history record changed, worked out from simple-history's models."""
    records = list(decision.history.all())
    summaries = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        if record.history_type == "+":
            summaries.append("Added to the log")
            continue
        names = set(record.diff_against(previous).changed_fields)
        parts = []
        if "voting_open" in names:
            parts.append("Voting opened" if record.voting_open else "Voting closed")
        changed = [
            field.verbose_name
            for field in Decision._meta.fields
            if field.name in names and field.name != "voting_open"
        ]
        if changed:
            parts.append("Changed: " + ", ".join(changed))
        summaries.append(". ".join(parts) or "Saved with no change to its details")
    return summaries


def test_each_change_is_told_as_diff_against_tells_it(personas):
    decision = decision_create(
        project=personas.project,
        created_by=personas.staff,
        title="Opening hours",
        question="Should the drop-in open on Saturdays?",
        method=DecisionMethod.VOTE,
        ladder_rung="co_design",
    )
    decision_update(decision=decision, title="Saturday opening", rationale="Asked for often")
    decision_update(decision=decision)
    voting_open(decision=decision)
    decision.refresh_from_db()
    decision.voting_open = False
    decision.save(update_fields=["voting_open"])
    decision_update(
        decision=decision,
        status=DecisionStatus.AGREED,
        outcome="Open on Saturdays",
        meeting=None,
    )
    decision_update(decision=decision, outcome="Open on Sundays", change_reason="Church hall clash")

    rows = decision_history_rows(decision)

    expected = _as_diff_against_tells_it(decision)
    assert [row["summary"] for row in rows] == expected
    assert "Voting opened" in expected and "Voting closed" in expected
    assert "Saved with no change to its details" in expected
    assert rows[0]["reason"] == "Church hall clash"
    assert [row["when"] for row in rows] == [r.history_date for r in decision.history.all()]


def test_it_names_who_made_each_change_or_nobody(personas):
    decision = decision_create(
        project=personas.project,
        created_by=personas.staff,
        title="Opening hours",
        question="Should the drop-in open on Saturdays?",
        method=DecisionMethod.VOTE,
        ladder_rung="co_design",
    )
    decision.history.update(history_user=personas.staff)
    decision_update(decision=decision, title="Saturday opening")

    rows = decision_history_rows(decision)

    assert rows[0]["who"] == ""
    assert rows[1]["who"] == str(personas.staff)


def test_a_decision_with_no_history_has_no_rows(personas):
    decision = decision_create(
        project=personas.project,
        created_by=personas.staff,
        title="Opening hours",
        question="Should the drop-in open on Saturdays?",
        method=DecisionMethod.VOTE,
        ladder_rung="co_design",
    )
    decision.history.all().delete()

    assert decision_history_rows(decision) == []
