"""The decision page reads its options, votes, people, actions and history by plain SQL:
these prove the actions come as the models give them (ids the forms post back, statuses in
words, soonest first) and the times are the models' own."""

from datetime import UTC, date, datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from decisions.models import Action, ActionStatus, DecisionMethod, DecisionParticipant, Vote
from decisions.selectors.decision_page import decision_detail
from decisions.services import decision_create, vote_cast, voting_open

pytestmark = pytest.mark.django_db


def _decision(personas):
    return voting_open(
        decision=decision_create(
            project=personas.project,
            created_by=personas.staff,
            title="Opening hours",
            question="Should the drop-in open on Saturdays?",
            method=DecisionMethod.VOTE,
            ladder_rung="co_design",
        )
    )


def test_actions_come_as_the_models_give_them_and_their_forms_post_back(staff_client, personas):
    decision = _decision(personas)
    later = Action.objects.create(
        decision=decision, description="Tell everyone", owner="Sam", due_on=date(2027, 2, 1)
    )
    sooner = Action.objects.create(
        decision=decision,
        description="Book the hall",
        owner="Ali",
        due_on=date(2027, 1, 1),
        status=ActionStatus.DONE,
    )

    actions = decision_detail(decision)["actions"]

    assert [action["public_id"] for action in actions] == [sooner.public_id, later.public_id]
    assert [action["due_on"] for action in actions] == [sooner.due_on, later.due_on]
    assert [action["status_label"] for action in actions] == ["Done", "Open"]
    page = staff_client.get(decision.get_absolute_url()).content.decode()
    assert f'name="action" value="{later.public_id}"' in page
    response = staff_client.post(
        reverse("decisions:action_status", args=[decision.project.slug, decision.public_id]),
        {"action": str(later.public_id), "status": ActionStatus.DONE},
    )
    assert response.status_code == 302
    later.refresh_from_db()
    assert later.status == ActionStatus.DONE


def test_vote_and_history_times_are_the_models_own(personas):
    decision = _decision(personas)
    vote = vote_cast(decision=decision, person=personas.participant.person, choice="for")

    detail = decision_detail(decision)

    assert [row["cast_at"] for row in detail["named_votes"]] == [vote.cast_at]
    assert [row["when"] for row in detail["history"]] == list(
        decision.history.values_list("history_date", flat=True)
    )


def test_names_and_votes_in_the_rows_built_in_python_are_escaped(staff_client, personas):
    decision = _decision(personas)
    person = personas.participant.person
    person.full_name = "<script>alert(1)</script>"
    person.save()
    vote_cast(decision=decision, person=person, choice="for")
    DecisionParticipant.objects.create(decision=decision, person=person, stakeholder_group="carer")

    page = staff_client.get(decision.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_dates_read_as_the_date_filter_writes_them(personas):
    decision = _decision(personas)
    vote = vote_cast(decision=decision, person=personas.participant.person, choice="for")
    # Either side of the clocks going forward, and an hour with a leading zero.
    for moment in (
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 5, tzinfo=UTC),
        datetime(2026, 12, 3, 14, 5, tzinfo=UTC),
    ):
        Vote.objects.filter(pk=vote.pk).update(cast_at=moment)

        (row,) = decision_detail(decision)["named_votes"]

        # The template localises a time before the filter sees it; called here, it does not.
        assert row["cast_at_text"] == date_filter(timezone.localtime(moment), "j M Y, H:i")
