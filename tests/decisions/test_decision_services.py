"""The decision log's rules: votes, consensus, changes after agreement, power measures."""

from datetime import date

import pytest

from decisions.models import DecisionMethod, DecisionStatus, LadderAssessment, VoteChoice
from decisions.selectors.decisions import ladder_self_assessment, power_sharing, public_board
from decisions.services import (
    DecisionError,
    decision_create,
    decision_update,
    vote_cast,
    voting_close,
    voting_open,
)
from projects.models import MembershipStatus
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _decision(personas, **fields):
    defaults = {
        "title": "Opening hours",
        "question": "Should the drop-in open on Saturdays?",
        "method": DecisionMethod.VOTE,
        "ladder_rung": "co_design",
    }
    return decision_create(
        project=personas.project, created_by=personas.staff, **{**defaults, **fields}
    )


def _members(personas, count, group="lived_experience"):
    people = PersonFactory.create_batch(count, stakeholder_group=group)
    for person in people:
        MembershipFactory(project=personas.project, person=person)
    return people


def test_a_vote_is_carried_by_a_simple_majority(personas):
    decision = voting_open(decision=_decision(personas))
    for person, choice in zip(
        _members(personas, 4), ["for", "for", "against", "abstain"], strict=True
    ):
        vote_cast(decision=decision, person=person, choice=choice)
    decision = voting_close(decision=decision)
    assert decision.status == DecisionStatus.AGREED
    assert decision.vote_result == "2 for, 1 against, 1 abstained: carried by a simple majority."
    assert not decision.voting_open


def test_a_tied_vote_is_not_carried(personas):
    decision = voting_open(decision=_decision(personas))
    for person, choice in zip(_members(personas, 2), ["for", "against"], strict=True):
        vote_cast(decision=decision, person=person, choice=choice)
    assert voting_close(decision=decision).status == DecisionStatus.REJECTED


def test_a_single_block_stops_a_consensus(personas):
    decision = voting_open(decision=_decision(personas, method=DecisionMethod.CONSENSUS))
    choices = ["agree", "agree", "stand_aside", "block"]
    for person, choice in zip(_members(personas, 4), choices, strict=True):
        vote_cast(decision=decision, person=person, choice=choice)
    decision = voting_close(decision=decision)
    assert decision.status == DecisionStatus.REJECTED
    assert "blocked" in decision.vote_result


def test_consensus_with_nobody_blocking_is_agreed(personas):
    decision = voting_open(decision=_decision(personas, method=DecisionMethod.CONSENSUS))
    for person, choice in zip(_members(personas, 2), ["agree", "stand_aside"], strict=True):
        vote_cast(decision=decision, person=person, choice=choice)
    assert voting_close(decision=decision).status == DecisionStatus.AGREED


def test_voting_again_changes_the_first_vote(personas):
    decision = voting_open(decision=_decision(personas))
    (person,) = _members(personas, 1)
    vote_cast(decision=decision, person=person, choice=VoteChoice.FOR)
    vote_cast(decision=decision, person=person, choice=VoteChoice.AGAINST)
    assert list(decision.votes.values_list("choice", flat=True)) == ["against"]


def test_only_active_members_vote_with_the_right_choices(personas):
    decision = voting_open(decision=_decision(personas))
    outsider = PersonFactory()
    with pytest.raises(DecisionError, match="Only active members"):
        vote_cast(decision=decision, person=outsider, choice="for")
    left = PersonFactory()
    MembershipFactory(project=personas.project, person=left, status=MembershipStatus.LEFT)
    with pytest.raises(DecisionError, match="Only active members"):
        vote_cast(decision=decision, person=left, choice="for")
    (member,) = _members(personas, 1)
    with pytest.raises(DecisionError, match="Choose one of the options"):
        vote_cast(decision=decision, person=member, choice="block")


def test_a_closed_vote_takes_no_more_votes(personas):
    decision = voting_open(decision=_decision(personas))
    (member,) = _members(personas, 1)
    voting_close(decision=decision)
    decision.refresh_from_db()
    with pytest.raises(DecisionError, match="closed"):
        vote_cast(decision=decision, person=member, choice="for")


def test_changing_an_agreed_decision_needs_a_reason_kept_in_its_history(personas):
    decision = _decision(personas, status=DecisionStatus.AGREED, outcome="Open on Saturdays")
    with pytest.raises(DecisionError, match="say why you are changing it"):
        decision_update(decision=decision, outcome="Open on Sundays")
    decision.refresh_from_db()
    assert decision.outcome == "Open on Saturdays"

    decision_update(decision=decision, outcome="Open on Sundays", change_reason="Church hall clash")
    latest = decision.history.first()
    assert latest.history_change_reason == "Church hall clash"
    assert latest.outcome == "Open on Sundays"
    assert decision.history.count() == 2


def test_an_open_decision_can_be_edited_without_a_reason(personas):
    decision = _decision(personas)
    decision_update(decision=decision, rationale="Because")
    decision.refresh_from_db()
    assert decision.rationale == "Because"


def test_power_sharing_shares_and_rungs(personas):
    lived, staffish = (
        PersonFactory(stakeholder_group="carer"),
        PersonFactory(stakeholder_group="manager"),
    )
    _decision(
        personas, proposers=[lived], ladder_rung="co_production", decided_on=date(2026, 1, 10)
    )
    _decision(
        personas, proposers=[staffish], ladder_rung="consultation", decided_on=date(2026, 4, 10)
    )
    _decision(
        personas,
        method=DecisionMethod.STAFF_AFTER_CONSULTATION,
        ladder_rung="informing",
        decided_on=date(2026, 4, 12),
    )
    voted = voting_open(
        decision=_decision(personas, ladder_rung="co_design", decided_on=date(2026, 4, 20))
    )
    (member,) = _members(personas, 1)
    vote_cast(decision=voted, person=member, choice="for")

    measures = power_sharing(personas.project.decisions.all())
    assert measures["total"] == 4
    assert measures["lived_proposed"] == 25
    assert measures["lived_voted"] == 25
    assert measures["staff_alone"] == 25
    assert dict(measures["rungs"])["Co-design"] == 1
    assert [q["quarter"] for q in measures["over_time"]] == ["2026 Q1", "2026 Q2"]
    assert measures["over_time"][0]["lived_involved"] == 100


def test_the_ladder_self_assessment_shows_both_views_and_the_gap(personas):
    LadderAssessment.objects.create(
        project=personas.project, assessor_role="staff", rung="co_design"
    )
    LadderAssessment.objects.create(
        project=personas.project, assessor_role="participant", rung="consultation"
    )
    result = ladder_self_assessment(personas.project)
    assert result["staff"].rung == "co_design"
    assert result["participant"].rung == "consultation"
    assert result["gap"] == 2


def test_the_public_board_holds_only_decisions_with_you_said(personas):
    _decision(personas, you_said="More evening sessions", we_did="Added Tuesday evenings")
    _decision(personas, title="Internal budget split")
    assert [d.you_said for d in public_board(personas.project)] == ["More evening sessions"]
