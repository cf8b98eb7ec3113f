"""The staff pages for a project's decision log: decisions, votes, actions, power sharing."""

import html
import re
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import (
    LADDER_EXPLANATIONS,
    Action,
    ActionStatus,
    AssessorRole,
    Decision,
    DecisionMethod,
    DecisionParticipant,
    DecisionStatus,
)
from decisions.services import (
    action_create,
    decision_create,
    ladder_assessment_add,
    vote_cast,
    voting_open,
)
from decisions.views import ladder_gap_sentence
from stakeholders.models import StakeholderGroup
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _decision(personas, **fields) -> Decision:
    defaults = {
        "title": "Opening hours",
        "question": "Should the drop-in open on Saturdays?",
        "method": DecisionMethod.VOTE,
        "ladder_rung": "co_design",
    }
    return decision_create(
        project=personas.project, created_by=personas.staff, **{**defaults, **fields}
    )


def _url(name: str, decision: Decision) -> str:
    return reverse(name, kwargs={"slug": decision.project.slug, "decision_id": decision.public_id})


def _members(personas, count: int, group: str = StakeholderGroup.LIVED_EXPERIENCE) -> list:
    people = PersonFactory.create_batch(count, stakeholder_group=group)
    for person in people:
        MembershipFactory(project=personas.project, person=person)
    return people


def _form_data(decision: Decision | None = None, **overrides) -> dict:
    """What the decision form posts: the decision's values, or a good new decision."""
    if decision is None:
        data = {
            "title": "Saturday opening",
            "question": "Should the drop-in open on Saturdays?",
            "options": "Open on Saturdays\nStay closed",
            "outcome": "",
            "rationale": "",
            "stage": "design",
            "method": "vote",
            "meeting": "",
            "decided_on": f"{timezone.localdate():%Y-%m-%d}",
            "status": "open",
            "ladder_rung": "co_design",
            "you_said": "",
            "we_did": "",
            "difference_made": "",
            "progress": "not_started",
        }
    else:
        data = {
            "title": decision.title,
            "question": decision.question,
            "options": decision.options,
            "outcome": decision.outcome,
            "rationale": decision.rationale,
            "stage": decision.stage,
            "method": decision.method,
            "meeting": str(decision.meeting.public_id) if decision.meeting else "",
            "decided_on": f"{decision.decided_on:%Y-%m-%d}",
            "status": decision.status,
            "ladder_rung": decision.ladder_rung,
            "you_said": decision.you_said,
            "we_did": decision.we_did,
            "difference_made": decision.difference_made,
            "progress": decision.progress,
            **({"anonymous_voting": "on"} if decision.anonymous_voting else {}),
            "participants": [
                str(p.person.public_id) for p in decision.participants.select_related("person")
            ],
            "proposers": [
                str(p.person.public_id)
                for p in decision.participants.filter(proposed=True).select_related("person")
            ],
        }
    return {**data, **overrides}


def _text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, spaces squeezed."""
    plain = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(plain))


def _field_block(response, field: str) -> str:
    """The HTML crispy forms renders for one field: its label, input and errors."""
    page = response.content.decode()
    start = page.index(f'id="div_id_{field}"')
    following = page.find('id="div_id_', start + 1)
    return page[start : following if following != -1 else len(page)]


# Adding and changing a decision


def test_creating_a_decision_records_each_group_as_it_was_on_the_day(staff_client, personas):
    carer, proposer = _members(personas, 1, StakeholderGroup.CARER) + _members(personas, 1)
    response = staff_client.post(
        reverse("decisions:add", args=[personas.project.slug]),
        _form_data(
            meeting=str(personas.meeting.public_id),
            participants=[str(carer.public_id)],
            proposers=[str(proposer.public_id)],
        ),
    )

    decision = Decision.objects.get(title="Saturday opening")
    assert response.status_code == 302
    assert response["Location"] == decision.get_absolute_url()
    assert decision.meeting == personas.meeting
    assert decision.created_by == personas.staff
    recorded = {p.person_id: (p.stakeholder_group, p.proposed) for p in decision.participants.all()}
    assert recorded == {
        carer.pk: (StakeholderGroup.CARER, False),
        proposer.pk: (StakeholderGroup.LIVED_EXPERIENCE, True),
    }

    carer.stakeholder_group = StakeholderGroup.MANAGER
    carer.save(update_fields=["stakeholder_group"])
    page = _text(staff_client.get(decision.get_absolute_url()))
    assert f"{carer.full_name} Carer or family member No" in page
    assert "Manager" not in page


def test_editing_keeps_the_group_a_participant_had_on_the_day(staff_client, personas):
    (person,) = _members(personas, 1, StakeholderGroup.CARER)
    decision = _decision(personas, participants=[person])
    person.stakeholder_group = StakeholderGroup.MANAGER
    person.save(update_fields=["stakeholder_group"])

    staff_client.post(_url("decisions:edit", decision), _form_data(decision, rationale="Cost"))

    assert DecisionParticipant.objects.get(decision=decision).stakeholder_group == "carer"


def test_the_ladder_explanations_appear_beside_the_rung_field(staff_client, personas):
    response = staff_client.get(reverse("decisions:add", args=[personas.project.slug]))

    block = html.unescape(_field_block(response, "ladder_rung"))
    for rung, explanation in LADDER_EXPLANATIONS.items():
        label = re.search(
            rf'<label for="id_ladder_rung_\d+"[^>]*>\s*<strong>{rung.label}</strong>'
            rf"\s*<span[^>]*>([^<]+)</span>",
            block,
        )
        assert label, f"no explanation beside {rung.label}"
        assert label.group(1) == explanation
    assert 'type="radio"' in block


def test_the_form_offers_only_this_projects_members_with_their_group(staff_client, personas):
    (carer,) = _members(personas, 1, StakeholderGroup.CARER)
    outsider = PersonFactory(full_name="Nadia Nonmember")

    page = staff_client.get(reverse("decisions:add", args=[personas.project.slug]))

    block = html.unescape(_field_block(page, "participants"))
    assert f"{carer.full_name} (Carer or family member)" in block
    assert 'type="checkbox"' in block
    assert outsider.full_name not in page.content.decode()


def test_a_missing_title_is_shown_beside_the_field_and_nothing_typed_is_lost(
    staff_client, personas
):
    response = staff_client.post(
        reverse("decisions:add", args=[personas.project.slug]),
        _form_data(title="", rationale="Because people asked for it"),
    )

    assert response.status_code == 200
    assert "Give the decision a title." in _field_block(response, "title")
    assert "Because people asked for it" in response.content.decode()
    assert not Decision.objects.exists()


def test_an_open_decision_is_changed_without_being_asked_why(staff_client, personas):
    decision = _decision(personas)
    form = staff_client.get(_url("decisions:edit", decision))
    assert "Why are you changing it?" not in form.content.decode()

    staff_client.post(_url("decisions:edit", decision), _form_data(decision, rationale="Cost"))

    decision.refresh_from_db()
    assert decision.rationale == "Cost"


def test_changing_an_agreed_decision_without_a_reason_is_refused_beside_the_field(
    staff_client, personas
):
    decision = _decision(personas, status=DecisionStatus.AGREED, outcome="Open on Saturdays")
    history_before = decision.history.count()

    response = staff_client.post(
        _url("decisions:edit", decision), _form_data(decision, outcome="Open on Sundays")
    )

    assert response.status_code == 200
    block = _field_block(response, "change_reason")
    assert "Why are you changing it?" in block
    assert "say why you are changing it" in block
    assert "Open on Sundays" in response.content.decode()
    decision.refresh_from_db()
    assert decision.outcome == "Open on Saturdays"
    assert decision.history.count() == history_before


def test_changing_an_agreed_decision_with_a_reason_keeps_the_reason_in_its_history(
    staff_client, personas
):
    decision = _decision(personas, status=DecisionStatus.AGREED, outcome="Open on Saturdays")

    response = staff_client.post(
        _url("decisions:edit", decision),
        _form_data(decision, outcome="Open on Sundays", change_reason="Church hall clash"),
        follow=True,
    )

    decision.refresh_from_db()
    assert decision.outcome == "Open on Sundays"
    assert decision.history.first().history_change_reason == "Church hall clash"
    page = _text(response)
    assert "Changed: what was decided Church hall clash" in page
    assert "Added to the log" in page


def test_a_decision_of_another_project_is_not_found(staff_client, personas):
    decision = _decision(personas)
    url = reverse(
        "decisions:detail",
        kwargs={"slug": personas.other_project.slug, "decision_id": decision.public_id},
    )
    assert staff_client.get(url).status_code == 404


# Voting


def test_closing_a_vote_carries_it_by_simple_majority_and_says_so(staff_client, personas):
    decision = _decision(personas)
    staff_client.post(_url("decisions:voting_open", decision))
    decision.refresh_from_db()
    assert decision.voting_open
    for person, choice in zip(_members(personas, 3), ["for", "for", "against"], strict=True):
        vote_cast(decision=decision, person=person, choice=choice)

    response = staff_client.post(_url("decisions:voting_close", decision), follow=True)

    decision.refresh_from_db()
    assert decision.status == DecisionStatus.AGREED
    assert not decision.voting_open
    sentence = "2 for, 1 against, 0 abstained: carried by a simple majority."
    assert f"Voting has closed. {sentence}" in _text(response)
    assert f"Outcome: {sentence}" in _text(response)


def test_a_blocked_consensus_is_rejected_and_the_page_says_so(staff_client, personas):
    decision = _decision(personas, method=DecisionMethod.CONSENSUS)
    staff_client.post(_url("decisions:voting_open", decision))
    decision.refresh_from_db()
    for person, choice in zip(_members(personas, 3), ["agree", "agree", "block"], strict=True):
        vote_cast(decision=decision, person=person, choice=choice)

    response = staff_client.post(_url("decisions:voting_close", decision), follow=True)

    decision.refresh_from_db()
    assert decision.status == DecisionStatus.REJECTED
    assert (
        "Outcome: 2 agreed, 0 stood aside, 1 blocked: blocked, so there is no consensus."
        in _text(response)
    )


def test_voting_cannot_be_opened_on_a_staff_decision(staff_client, personas):
    decision = _decision(personas, method=DecisionMethod.STAFF_AFTER_CONSULTATION)

    response = staff_client.post(_url("decisions:voting_open", decision), follow=True)

    decision.refresh_from_db()
    assert not decision.voting_open
    assert "Only decisions made by a vote or by consensus can be voted on." in _text(response)


def test_the_status_cannot_be_set_by_hand_while_voting_is_open(staff_client, personas):
    decision = voting_open(decision=_decision(personas))

    response = staff_client.post(
        _url("decisions:edit", decision), _form_data(decision, status=DecisionStatus.AGREED)
    )

    assert "Close voting to apply the rule" in _field_block(response, "status")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN


def test_a_secret_ballot_stays_secret_once_people_have_voted(staff_client, personas):
    decision = voting_open(decision=_decision(personas, anonymous_voting=True))
    (voter,) = _members(personas, 1)
    vote_cast(decision=decision, person=voter, choice="for")
    staff_client.post(_url("decisions:voting_close", decision))
    decision.refresh_from_db()

    data = _form_data(decision, change_reason="Show the names")
    del data["anonymous_voting"]
    response = staff_client.post(_url("decisions:edit", decision), data)

    assert "this stays a secret ballot" in _field_block(response, "anonymous_voting")
    decision.refresh_from_db()
    assert decision.anonymous_voting
    assert voter.full_name not in _text(staff_client.get(decision.get_absolute_url()))


def test_a_secret_ballots_page_shows_counts_but_no_names(staff_client, personas):
    decision = voting_open(decision=_decision(personas, anonymous_voting=True))
    voters = _members(personas, 3)
    for person, choice in zip(voters, ["for", "for", "against"], strict=True):
        vote_cast(decision=decision, person=person, choice=choice)

    page = _text(staff_client.get(decision.get_absolute_url()))

    assert "For 2" in page
    assert "Against 1" in page
    assert "secret ballot, so nobody sees who voted how" in page
    assert "Who voted how" not in page
    for person in voters:
        assert person.full_name not in page


def test_an_open_ballots_page_names_who_voted_how(staff_client, personas):
    decision = voting_open(decision=_decision(personas))
    (voter,) = _members(personas, 1, StakeholderGroup.CARER)
    vote_cast(decision=decision, person=voter, choice="against")

    page = _text(staff_client.get(decision.get_absolute_url()))

    assert f"{voter.full_name} Carer or family member Against" in page


# Actions


def test_adding_an_action_and_marking_it_done(staff_client, personas):
    decision = _decision(personas)
    due = timezone.localdate() + timedelta(days=14)

    response = staff_client.post(
        _url("decisions:action_add", decision),
        {"description": "Book the hall", "owner": "Sam", "due_on": f"{due:%Y-%m-%d}"},
        follow=True,
    )

    action = Action.objects.get(decision=decision)
    assert (action.description, action.owner, action.due_on) == ("Book the hall", "Sam", due)
    assert "Book the hall Sam" in _text(response)

    response = staff_client.post(
        _url("decisions:action_status", decision),
        {"action": str(action.public_id), "status": ActionStatus.DONE},
        follow=True,
    )

    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.done_at is not None
    assert "The action “Book the hall” is now done." in _text(response)


def test_an_action_without_a_date_is_refused_beside_the_field(staff_client, personas):
    decision = _decision(personas)

    response = staff_client.post(
        _url("decisions:action_add", decision),
        {"description": "Book the hall", "owner": "Sam", "due_on": ""},
    )

    assert response.status_code == 200
    assert "Enter the date it should be done by." in _field_block(response, "due_on")
    assert 'value="Book the hall"' in response.content.decode()
    assert not Action.objects.exists()


def test_an_action_of_another_decision_cannot_be_changed(staff_client, personas):
    decision, other = _decision(personas), _decision(personas, title="Other")
    action = action_create(
        decision=other, description="Book the hall", owner="Sam", due_on=date(2030, 1, 1)
    )

    response = staff_client.post(
        _url("decisions:action_status", decision),
        {"action": str(action.public_id), "status": ActionStatus.DONE},
    )

    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_overdue_action_is_marked_in_words_on_the_decision_and_the_dashboard(
    staff_client, personas
):
    decision = _decision(personas, title="Saturday opening")
    today = timezone.localdate()
    action_create(decision=decision, description="Tell the volunteers", owner="Sam", due_on=today)
    action_create(
        decision=decision,
        description="Book the hall",
        owner="Sam",
        due_on=today - timedelta(days=2),
    )

    detail = _text(staff_client.get(decision.get_absolute_url()))
    dashboard = _text(staff_client.get(reverse("pages:dashboard")))

    assert "Book the hall Sam" in detail
    assert detail.count("(overdue)") == 1
    assert "1 action is overdue" in dashboard
    assert dashboard.index("Overdue: Book the hall") < dashboard.index("Tell the volunteers")
    assert "Overdue: Tell the volunteers" not in dashboard
    assert "Recent decisions Saturday opening (Crisis support)" in dashboard


# Power sharing and the ladder


def test_the_power_sharing_panel_shows_the_right_percentages(staff_client, personas):
    (carer,) = _members(personas, 1, StakeholderGroup.CARER)
    (manager,) = _members(personas, 1, StakeholderGroup.MANAGER)
    (lived,) = _members(personas, 1)
    _decision(personas, proposers=[carer], ladder_rung="co_production", decided_on=date(2026, 1, 9))
    _decision(
        personas, proposers=[manager], ladder_rung="consultation", decided_on=date(2026, 4, 9)
    )
    _decision(
        personas,
        method=DecisionMethod.STAFF_AFTER_CONSULTATION,
        ladder_rung="informing",
        decided_on=date(2026, 4, 10),
    )
    voted = voting_open(decision=_decision(personas, decided_on=date(2026, 4, 20)))
    vote_cast(decision=voted, person=lived, choice="for")

    page = _text(staff_client.get(reverse("decisions:list", args=[personas.project.slug])))

    assert "Across 4 decisions:" in page
    assert "25% were proposed by people with lived experience or carers" in page
    assert "25% were voted on by people with lived experience or carers" in page
    assert "25% were made by staff alone" in page
    assert "Co-production 1" in page
    assert "Co-design 1" in page
    assert "Coercion 0" in page
    assert "2026 Q1 1 100% 0%" in page
    assert "2026 Q2 3 33% 33%" in page


def test_the_ladder_self_assessment_shows_both_views_and_the_gap_in_words(staff_client, personas):
    ladder_assessment_add(
        project=personas.project,
        assessed_by=personas.participant,
        role=AssessorRole.PARTICIPANT,
        rung="consultation",
    )

    response = staff_client.post(
        reverse("decisions:assess", args=[personas.project.slug]),
        {"rung": "co_design", "note": "We design the leaflets together"},
        follow=True,
    )

    page = _text(response)
    assert "Latest staff view Co-design" in page
    assert "Latest participant view Consultation" in page
    assert "Staff think the project is 2 rungs higher than participants do." in page
    assert "We design the leaflets together" in page
    assessment = personas.project.ladder_assessments.get(assessor_role=AssessorRole.STAFF)
    assert assessment.assessed_by == personas.staff


def test_a_staff_assessment_without_a_rung_is_refused_and_keeps_the_note(staff_client, personas):
    response = staff_client.post(
        reverse("decisions:assess", args=[personas.project.slug]),
        {"note": "Hard to say"},
    )

    assert response.status_code == 200
    assert "Choose the rung where you think the project stands." in _field_block(response, "rung")
    assert "Hard to say" in response.content.decode()
    assert not personas.project.ladder_assessments.exists()


def test_the_decision_list_runs_the_same_number_of_queries_for_3_and_30_decisions(
    staff_client, personas
):
    url = reverse("decisions:list", args=[personas.project.slug])
    people = _members(personas, 2, StakeholderGroup.CARER)
    ladder_assessment_add(
        project=personas.project, assessed_by=personas.staff, role="staff", rung="co_design"
    )

    def add(count: int) -> None:
        for number in range(count):
            decision = voting_open(
                decision=_decision(
                    personas,
                    title=f"Decision {number}",
                    meeting=personas.meeting,
                    participants=people,
                    proposers=people[:1],
                )
            )
            vote_cast(decision=decision, person=people[0], choice="for")
            action_create(
                decision=decision, description="Do it", owner="Sam", due_on=date(2030, 1, 1)
            )

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)

    assert len(many) == len(few)
    assert "Page 1 of 2" in _text(response)


# Who may see the decision pages


POSTED = ["voting_open", "voting_close", "action_add", "action_status"]


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
def test_participants_and_commissioners_are_refused_every_decision_page(client, personas, visitor):
    decision = _decision(personas)
    client.force_login(personas.by_role()[visitor])
    slug = personas.project.slug
    pages = [
        ("get", reverse("decisions:list", args=[slug])),
        ("get", reverse("decisions:add", args=[slug])),
        ("post", reverse("decisions:add", args=[slug])),
        ("post", reverse("decisions:assess", args=[slug])),
        ("get", _url("decisions:detail", decision)),
        ("get", _url("decisions:edit", decision)),
        ("post", _url("decisions:edit", decision)),
        *[("post", _url(f"decisions:{name}", decision)) for name in POSTED],
    ]

    for method, url in pages:
        response = getattr(client, method)(url, _form_data() if method == "post" else None)
        assert response.status_code == 403, f"{method} {url}"
        assert b"You cannot see this page" in response.content

    decision.refresh_from_db()
    assert not decision.voting_open
    assert Decision.objects.count() == 1
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("gap", "sentence"),
    [
        (1, "Staff think the project is 1 rung higher than participants do."),
        (-3, "Staff think the project is 3 rungs lower than participants do."),
        (0, "Staff and participants agree on where the project stands."),
        (None, ""),
    ],
)
def test_the_ladder_gap_reads_as_a_plain_sentence(gap, sentence):
    assert ladder_gap_sentence(gap) == sentence


def test_staff_manage_decisions_in_the_admin_but_never_see_votes(staff_client, personas):
    decision = _decision(personas)
    assert staff_client.get(reverse("admin:decisions_decision_changelist")).status_code == 200
    page = staff_client.get(reverse("admin:decisions_decision_change", args=[decision.pk]))
    assert page.status_code == 200
    assert decision.title in page.content.decode()
    assert (
        staff_client.get(reverse("admin:decisions_ladderassessment_changelist")).status_code == 200
    )
    registered = {model._meta.label for model in admin.site._registry}
    assert "decisions.Vote" not in registered


def test_a_decision_with_no_history_rows_still_shows(staff_client, personas):
    # The large demo bulk-creates decisions, which writes no history rows.
    (decision,) = Decision.objects.bulk_create(
        [
            Decision(
                project=personas.project,
                title="Made in bulk",
                question="Should the drop-in open on Saturdays?",
                method=DecisionMethod.VOTE,
                ladder_rung="co_design",
                decided_on=date(2026, 1, 5),
            )
        ]
    )
    assert not decision.history.exists()

    response = staff_client.get(_url("decisions:detail", decision))

    assert response.status_code == 200
    assert "Made in bulk" in response.content.decode()
