"""A vote's optional closing date: set on the decision form, never in the past when set,
only on decisions made by a vote, and shown to staff and to the people voting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, DecisionMethod
from decisions.services import (
    CLOSING_DATE_IN_THE_PAST,
    CLOSING_DATE_NOT_A_VOTE,
    DecisionError,
    decision_create,
    decision_update,
    voting_open,
)
from tests.decisions.test_decision_pages import _decision, _field_block, _form_data, _text, _url

pytestmark = pytest.mark.django_db


def _day(days_from_today: int):
    return timezone.localdate() + timedelta(days=days_from_today)


def _typed(day) -> str:
    return f"{day:%Y-%m-%d}"


def _add(staff_client, personas, **overrides):
    return staff_client.post(
        reverse("decisions:add", args=[personas.project.slug]), _form_data(**overrides)
    )


def test_a_closing_date_in_the_past_is_refused_beside_the_field_and_nothing_is_saved(
    staff_client, personas
):
    response = _add(staff_client, personas, voting_closes_on=_typed(_day(-1)))

    assert response.status_code == 200
    assert CLOSING_DATE_IN_THE_PAST in _field_block(response, "voting_closes_on")
    assert 'class="alert alert-danger' in response.content.decode()
    assert not Decision.objects.filter(title="Saturday opening").exists()


def test_a_closing_date_today_or_later_is_saved_and_shown_on_the_decision_page(
    staff_client, personas
):
    closes_on = _day(3)

    response = _add(staff_client, personas, voting_closes_on=_typed(closes_on))

    decision = Decision.objects.get(title="Saturday opening")
    assert response.status_code == 302
    assert decision.voting_closes_on == closes_on
    page = _text(staff_client.get(decision.get_absolute_url()))
    assert f"Voting closes on {closes_on:%A %-d %B %Y}" in page
    assert (
        _add(staff_client, personas, title="Today", voting_closes_on=_typed(_day(0))).status_code
        == 302
    )


def test_the_closing_date_is_optional(staff_client, personas):
    assert _add(staff_client, personas, voting_closes_on="").status_code == 302
    assert Decision.objects.get(title="Saturday opening").voting_closes_on is None


def test_a_closing_date_that_is_not_a_date_gets_a_plain_message_and_nothing_is_saved(
    staff_client, personas
):
    response = _add(staff_client, personas, voting_closes_on="31/02/2026")

    assert response.status_code == 200
    assert "Enter a date, like 14/07/2026." in _field_block(response, "voting_closes_on")
    assert not Decision.objects.exists()


def test_a_decision_whose_closing_date_has_passed_can_still_be_changed(staff_client, personas):
    decision = _decision(personas, voting_closes_on=_day(2))
    Decision.objects.filter(pk=decision.pk).update(voting_closes_on=_day(-4))
    decision.refresh_from_db()

    response = staff_client.post(
        _url("decisions:edit", decision),
        _form_data(decision, rationale="Cost", voting_closes_on=_typed(_day(-4))),
    )

    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.rationale == "Cost"
    assert decision.voting_closes_on == _day(-4)


def test_a_passed_closing_date_cannot_be_moved_to_another_day_in_the_past(staff_client, personas):
    decision = _decision(personas, voting_closes_on=_day(2))
    Decision.objects.filter(pk=decision.pk).update(voting_closes_on=_day(-4))
    decision.refresh_from_db()

    response = staff_client.post(
        _url("decisions:edit", decision),
        _form_data(decision, voting_closes_on=_typed(_day(-2))),
    )

    assert response.status_code == 200
    assert CLOSING_DATE_IN_THE_PAST in _field_block(response, "voting_closes_on")
    decision.refresh_from_db()
    assert decision.voting_closes_on == _day(-4)


def test_only_a_decision_made_by_a_vote_or_by_consensus_has_a_closing_date(staff_client, personas):
    response = _add(
        staff_client,
        personas,
        method=DecisionMethod.STAFF_AFTER_CONSULTATION,
        voting_closes_on=_typed(_day(3)),
    )

    assert response.status_code == 200
    assert CLOSING_DATE_NOT_A_VOTE in _field_block(response, "voting_closes_on")
    assert not Decision.objects.exists()
    consensus = _add(
        staff_client, personas, method=DecisionMethod.CONSENSUS, voting_closes_on=_typed(_day(3))
    )
    assert consensus.status_code == 302


def test_the_services_refuse_a_closing_date_in_the_past_or_on_a_decision_not_voted_on(personas):
    fields = {
        "title": "Opening hours",
        "question": "Should the drop-in open on Saturdays?",
        "method": DecisionMethod.VOTE,
        "ladder_rung": "co_design",
    }
    with pytest.raises(DecisionError, match="must be today or in the future"):
        decision_create(
            project=personas.project,
            created_by=personas.staff,
            voting_closes_on=_day(-1),
            **fields,
        )
    decision = decision_create(project=personas.project, created_by=personas.staff, **fields)
    with pytest.raises(DecisionError, match="must be today or in the future"):
        decision_update(decision=decision, voting_closes_on=_day(-1))
    with pytest.raises(DecisionError, match="Only a vote or a consensus decision"):
        decision_update(
            decision=decision,
            method=DecisionMethod.STAFF_AFTER_CONSULTATION,
            voting_closes_on=_day(1),
        )
    decision.refresh_from_db()
    assert decision.voting_closes_on is None
    assert Decision.objects.count() == 1


def test_people_voting_see_the_day_voting_closes_on_their_decisions_page(
    participant_client, personas
):
    closes_on = _day(5)
    voting_open(decision=_decision(personas, voting_closes_on=closes_on))

    page = _text(participant_client.get(reverse("decisions:my_decisions")))

    assert f"Voting closes on {closes_on:%A %-d %B}" in page


def test_people_voting_are_told_they_can_still_vote_after_the_closing_date_passes(
    participant_client, personas
):
    decision = voting_open(decision=_decision(personas, voting_closes_on=_day(1)))
    Decision.objects.filter(pk=decision.pk).update(voting_closes_on=_day(-1))

    page = _text(participant_client.get(reverse("decisions:my_decisions")))

    assert f"Voting was due to close on {_day(-1):%A %-d %B}. You can still vote" in page
