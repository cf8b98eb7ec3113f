"""What a decision's staff page shows of its votes and participants, read as display
values: only the fields shown, never a person's other details, and nobody's name in a
secret ballot."""

import html
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from decisions.forms import ActionForm
from decisions.models import Decision, DecisionMethod, DecisionParticipant
from decisions.services import decision_create, vote_cast, voting_open
from stakeholders.models import Person, User
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _decision(personas, **fields) -> Decision:
    defaults = {
        "title": "Easier sign-up",
        "question": "How should people tell us what they need?",
        "options": "Picture cards\nA phone call\nThe long form",
        "method": DecisionMethod.RANKED,
        "ladder_rung": "co_design",
    }
    return voting_open(
        decision=decision_create(
            project=personas.project, created_by=personas.staff, **{**defaults, **fields}
        )
    )


def _page(client, decision: Decision) -> tuple[str, list[str]]:
    url = reverse(
        "decisions:detail",
        kwargs={"slug": decision.project.slug, "decision_id": decision.public_id},
    )
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode()), [q["sql"] for q in context.captured_queries]


def _option(decision: Decision, label: str) -> int:
    return decision.option_rows.get(label=label).pk


def test_each_ranked_vote_reads_in_order_with_first_choices_counted(staff_client, personas):
    decision = _decision(personas)
    cards, phone = _option(decision, "Picture cards"), _option(decision, "A phone call")
    vote_cast(decision=decision, person=personas.participant.person, ranking=[phone, cards])
    vote_cast(decision=decision, person=personas.other_participant.person, ranking=[phone])
    DecisionParticipant.objects.create(
        decision=decision,
        person=personas.participant.person,
        stakeholder_group="carer",
        proposed=True,
    )

    page, _ = _page(staff_client, decision)

    assert "1. A phone call, 2. Picture cards" in page
    assert '<th scope="row">A phone call</th><td>2</td>' in page
    assert '<th scope="row">Picture cards</th><td>0</td>' in page
    assert "2 votes cast." in page
    name = personas.participant.person.full_name
    assert f'<th scope="row">{name}</th><td>Carer or family member</td>' in page


def test_a_vote_recorded_by_staff_says_so(staff_client, personas):
    decision = _decision(personas, method=DecisionMethod.VOTE, options="", assisted_votes=True)
    person = personas.participant.person
    vote_cast(decision=decision, person=person, choice="for", recorded_by=personas.staff)

    page, _ = _page(staff_client, decision)

    assert f"Recorded by {personas.staff} on behalf of {person.full_name}" in page


def test_a_secret_ballot_never_reads_who_voted(staff_client, personas):
    decision = _decision(personas, anonymous_voting=True)
    vote_cast(
        decision=decision,
        person=personas.participant.person,
        ranking=[_option(decision, "A phone call")],
    )

    page, queries = _page(staff_client, decision)

    assert personas.participant.person.full_name not in page
    # The ORM quotes table names and the page's plain SQL does not: either is a read. The
    # votes are read in one query with the page's other lists (whose people are named), so
    # what is looked at is what the votes are joined to, up to their WHERE.
    votes_read = [
        joined
        for sql in queries
        for joined in re.findall(r'FROM "?decisions_vote\b"?(.*?)WHERE', sql, flags=re.S)
    ]
    assert votes_read
    assert not [
        joined
        for joined in votes_read
        if Person._meta.db_table in joined or User._meta.db_table in joined
    ]


def test_the_page_reads_no_bank_details_nor_addresses(staff_client, personas):
    decision = _decision(personas)
    person = PersonFactory(bank_account_name="Sam Lee", address="1 High Street")
    MembershipFactory(project=personas.project, person=person)
    vote_cast(decision=decision, person=person, ranking=[_option(decision, "A phone call")])
    DecisionParticipant.objects.create(decision=decision, person=person, stakeholder_group="carer")

    page, queries = _page(staff_client, decision)

    assert person.full_name in page
    assert not [sql for sql in queries if "bank_account" in sql or re.search(r'[".]address\b', sql)]


def test_the_blank_action_form_is_what_crispy_forms_renders(staff_client, personas):
    page, _ = _page(staff_client, _decision(personas))

    assert html.unescape(as_crispy_form(ActionForm())) in page
