"""Votes between a decision's options (choose one, or ranked and counted by instant-runoff),
the quorum, and what the decision page says once a vote closes."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from decisions.counting import instant_runoff, most_votes
from decisions.models import Decision, DecisionMethod, DecisionOption, DecisionStatus
from decisions.services import (
    DecisionError,
    decision_create,
    decision_update,
    vote_cast,
    voting_close,
    voting_open,
)
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db

LABELS = {1: "Picture cards", 2: "A phone call", 3: "The long form"}


def _decision(personas, **fields) -> Decision:
    defaults = {
        "title": "Easier sign-up",
        "question": "How should people tell us what they need?",
        "options": "Picture cards\nA phone call\nThe long form",
        "method": DecisionMethod.OPTIONS,
        "ladder_rung": "co_design",
    }
    return decision_create(
        project=personas.project, created_by=personas.staff, **{**defaults, **fields}
    )


def _members(personas, count: int) -> list:
    people = PersonFactory.create_batch(count)
    for person in people:
        MembershipFactory(project=personas.project, person=person)
    return people


def _option(decision: Decision, label: str) -> int:
    return decision.option_rows.get(label=label).pk


def test_the_option_with_the_most_votes_wins():
    assert most_votes([1, 1, 2, 3, 1], LABELS) == (
        1,
        "Picture cards 3, A phone call 1, The long form 1: Picture cards has the most votes.",
    )


def test_a_tie_for_the_most_votes_decides_nothing():
    winner, sentence = most_votes([1, 2], LABELS)
    assert winner is None
    assert sentence.endswith("a tie for the most votes, so there is no decision.")


def test_instant_runoff_moves_the_votes_of_the_last_option_to_their_next_choice():
    # First choices: cards 2, phone 2, long form 1; the long form goes, and its ballot's
    # next choice (phone) gives phone 3 of 5.
    ballots = [[1], [1, 3], [2], [2, 1], [3, 2]]
    winner, sentence = instant_runoff(ballots, LABELS)
    assert winner == 2
    assert sentence == (
        "Round 1: Picture cards 2, A phone call 2, The long form 1; The long form removed. "
        "Round 2: Picture cards 2, A phone call 3. A phone call won in round 2 with 3 of 5 votes."
    )


def test_instant_runoff_with_a_majority_of_first_choices_ends_in_round_one():
    winner, sentence = instant_runoff([[3, 1], [3], [1, 3]], LABELS)
    assert winner == 3
    assert "won in round 1 with 2 of 3 votes" in sentence


def test_instant_runoff_where_every_option_left_is_tied_decides_nothing():
    winner, sentence = instant_runoff([[1, 2], [2, 1]], LABELS)
    assert winner is None
    assert sentence.endswith("A tie, so there is no decision.")


def test_options_typed_one_per_line_become_option_rows_in_order(personas):
    decision = _decision(personas)
    assert list(decision.option_rows.values_list("label", "position")) == [
        ("Picture cards", 1),
        ("A phone call", 2),
        ("The long form", 3),
    ]


def test_a_vote_between_options_needs_at_least_two_options(personas):
    with pytest.raises(DecisionError, match="needs at least 2 options"):
        _decision(personas, options="Picture cards")
    assert not Decision.objects.exists()


def test_the_options_cannot_change_once_people_have_voted_on_them(personas):
    decision = voting_open(decision=_decision(personas))
    vote_cast(
        decision=decision,
        person=personas.participant.person,
        ranking=[_option(decision, "Picture cards")],
    )
    voting_close(decision=decision)
    decision.refresh_from_db()

    with pytest.raises(DecisionError, match="People have voted on these options"):
        decision_update(decision=decision, change_reason="typo", options="Pictures\nA phone call")
    assert decision.option_rows.count() == 3


def test_a_choose_one_vote_closes_with_the_winner_as_what_was_decided(personas):
    decision = voting_open(decision=_decision(personas))
    cards, phone = _option(decision, "Picture cards"), _option(decision, "A phone call")
    vote_cast(decision=decision, person=personas.participant.person, ranking=[cards])
    vote_cast(decision=decision, person=personas.other_participant.person, ranking=[phone])
    vote_cast(decision=decision, person=_members(personas, 1)[0], ranking=[cards])

    closed = voting_close(decision=decision)

    assert closed.status == DecisionStatus.AGREED
    assert closed.outcome == "Picture cards"
    assert closed.vote_result == (
        "Picture cards 2, A phone call 1, The long form 0: Picture cards has the most votes."
    )


def test_a_choose_one_vote_refuses_more_than_one_option(personas):
    decision = voting_open(decision=_decision(personas))
    with pytest.raises(DecisionError, match="Choose one of the options shown."):
        vote_cast(
            decision=decision,
            person=personas.participant.person,
            ranking=[_option(decision, "Picture cards"), _option(decision, "A phone call")],
        )
    assert not decision.votes.exists()


def test_a_vote_cannot_choose_an_option_of_another_decision(personas):
    decision = voting_open(decision=_decision(personas))
    elsewhere = _decision(personas, title="Other")
    with pytest.raises(DecisionError, match="Choose one of the options shown."):
        vote_cast(
            decision=decision,
            person=personas.participant.person,
            ranking=[_option(elsewhere, "Picture cards")],
        )
    assert not decision.votes.exists()


def test_a_ranked_vote_is_counted_by_instant_runoff(personas):
    decision = voting_open(decision=_decision(personas, method=DecisionMethod.RANKED))
    cards, phone, form = (
        _option(decision, label) for label in ["Picture cards", "A phone call", "The long form"]
    )
    people = [personas.participant.person, personas.other_participant.person]
    people += _members(personas, 3)
    for person, ranking in zip(
        people, [[cards], [cards, form], [phone], [phone, cards], [form, phone]], strict=True
    ):
        vote_cast(decision=decision, person=person, ranking=ranking)

    closed = voting_close(decision=decision)

    assert closed.status == DecisionStatus.AGREED
    assert closed.outcome == "A phone call"
    assert "A phone call won in round 2 with 3 of 5 votes." in closed.vote_result


def test_a_ranked_vote_refuses_the_same_option_twice(personas):
    decision = voting_open(decision=_decision(personas, method=DecisionMethod.RANKED))
    cards = _option(decision, "Picture cards")
    with pytest.raises(DecisionError, match="each number once"):
        vote_cast(decision=decision, person=personas.participant.person, ranking=[cards, cards])
    assert not decision.votes.exists()


def test_closing_without_quorum_records_no_decision_plainly(personas):
    # 2 personas + 2 more = 4 active members; 50% needs 2 votes and only 1 votes.
    _members(personas, 2)
    decision = voting_open(
        decision=_decision(personas, method=DecisionMethod.VOTE, quorum_percent=50)
    )
    vote_cast(decision=decision, person=personas.participant.person, choice="for")

    closed = voting_close(decision=decision)

    assert closed.status == DecisionStatus.NO_DECISION
    assert closed.vote_result == (
        "No decision: quorum not reached. 1 of 4 active members voted, and 2 needed to."
    )
    assert closed.outcome == ""


def test_a_vote_that_reaches_its_quorum_is_decided(personas):
    _members(personas, 2)
    decision = voting_open(
        decision=_decision(personas, method=DecisionMethod.VOTE, quorum_percent=50)
    )
    vote_cast(decision=decision, person=personas.participant.person, choice="for")
    vote_cast(decision=decision, person=personas.other_participant.person, choice="abstain")

    closed = voting_close(decision=decision)

    assert closed.status == DecisionStatus.AGREED


def test_the_decision_page_shows_what_was_decided_as_soon_as_a_vote_closes(staff_client, personas):
    decision = voting_open(decision=_decision(personas, method=DecisionMethod.VOTE))
    vote_cast(decision=decision, person=personas.participant.person, choice="for")
    url = decision.get_absolute_url()
    open_page = staff_client.get(url).content.decode()
    assert "Open: voting is open. Not decided yet." in open_page
    assert "Decided" not in open_page

    staff_client.post(
        reverse("decisions:voting_close", args=[personas.project.slug, decision.public_id])
    )

    html = staff_client.get(url).content.decode()
    assert "1 for, 0 against, 0 abstained: carried by a simple majority." in html
    assert "Not decided yet" not in html
    assert "Agreed. Decided" in html
    assert "Open." not in html


def test_the_decision_page_never_says_open_and_decided_together(staff_client, personas):
    decision = _decision(personas, method=DecisionMethod.STAFF_AFTER_CONSULTATION, options="")
    html = staff_client.get(decision.get_absolute_url()).content.decode()
    assert "Open. Not decided yet." in html
    assert "Decided " not in html


def test_a_member_ranks_the_options_from_their_page(client, personas):
    decision = voting_open(decision=_decision(personas, method=DecisionMethod.RANKED))
    cards, phone = _option(decision, "Picture cards"), _option(decision, "A phone call")
    client.force_login(personas.participant)

    response = client.post(
        reverse("decisions:vote", args=[decision.public_id]),
        {f"rank_{phone}": "1", f"rank_{cards}": "2"},
        follow=True,
    )

    assert "is saved: 1. A phone call, 2. Picture cards." in response.content.decode()
    vote = decision.votes.get()
    assert list(vote.preferences.values_list("option_id", "rank")) == [(phone, 1), (cards, 2)]


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({}, "Put at least your first choice, then save your vote."),
        ({"a": "1", "b": "1"}, "Give each option you rank a different place"),
        ({"a": "2"}, "Give each option you rank a different place"),
        ({"a": "9"}, "Choose a place from the list."),
    ],
    ids=["nothing ranked", "same place twice", "a gap", "a place not offered"],
)
def test_a_ranking_that_does_not_make_sense_is_refused_with_a_plain_message(
    client, personas, ranks, message
):
    decision = voting_open(decision=_decision(personas, method=DecisionMethod.RANKED))
    ids = {"a": _option(decision, "Picture cards"), "b": _option(decision, "A phone call")}
    client.force_login(personas.participant)

    response = client.post(
        reverse("decisions:vote", args=[decision.public_id]),
        {f"rank_{ids[key]}": value for key, value in ranks.items()},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not decision.votes.exists()


def test_existing_option_text_is_migrated_into_option_rows(personas):
    migration = import_module(
        "decisions.migrations.0002_options_quorum_assisted_votes_and_vote_emails"
    )
    decision = _decision(personas, method=DecisionMethod.VOTE, options="")
    Decision.objects.filter(pk=decision.pk).update(options=" Yes \n\nNo\nYes")
    DecisionOption.objects.all().delete()

    migration.options_text_to_rows(apps, None)

    assert list(decision.option_rows.values_list("label", flat=True)) == ["Yes", "No"]
