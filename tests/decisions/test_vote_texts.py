"""Members who prefer texts (or have only a phone) are told a vote is open by text, once,
with a short link to their ballot."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from decisions.models import DecisionMethod, VoteEmail
from decisions.services import decision_create, vote_email_send, voting_open
from decisions.tasks import send_vote_emails
from stakeholders.models import ContactMethod
from tests.factories.roster import MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def texter(personas):
    person = PersonFactory(
        full_name="Tess Texter",
        email="tess@example.org",
        phone="+447700900982",
        preferred_contact=ContactMethod.TEXT,
    )
    MembershipFactory(project=personas.project, person=person)
    return person


def _open_vote(personas, capture):
    decision = decision_create(
        project=personas.project,
        created_by=personas.staff,
        title="Saturday opening",
        question="Should the drop-in open on Saturdays?",
        method=DecisionMethod.VOTE,
        ladder_rung="co_design",
    )
    with capture(execute=True):
        voting_open(decision=decision)
    return decision


def test_a_member_who_prefers_texts_gets_a_text_with_a_short_link_to_their_ballot(
    client, personas, texter, text_outbox, django_capture_on_commit_callbacks
):
    _open_vote(personas, django_capture_on_commit_callbacks)

    [text] = text_outbox
    assert text["to"] == "+447700900982"
    assert 'voting is open on "Saturday opening"' in text["body"]
    assert "tess@example.org" not in [message.to[0] for message in mail.outbox]
    row = VoteEmail.objects.get(person=texter)
    assert (row.channel, row.provider_id) == ("text", text["id"])
    [link] = re.findall(r"https?://\S+", text["body"])
    ballot = client.get(urlsplit(link).path, follow=True)
    assert ballot.status_code == 200
    assert "Should the drop-in open on Saturdays?" in ballot.content.decode()


def test_a_member_with_only_a_phone_is_told_by_text(
    personas, text_outbox, django_capture_on_commit_callbacks
):
    phone_only = PersonFactory(email="", phone="+447700900123")
    MembershipFactory(project=personas.project, person=phone_only)

    _open_vote(personas, django_capture_on_commit_callbacks)

    assert [text["to"] for text in text_outbox] == ["+447700900123"]


def test_the_vote_text_is_sent_once_however_often_its_task_runs(
    personas, texter, text_outbox, django_capture_on_commit_callbacks
):
    _open_vote(personas, django_capture_on_commit_callbacks)
    row = VoteEmail.objects.get(person=texter)

    send_vote_emails.delay([row.pk])

    assert vote_email_send(email_id=row.pk) is False
    assert len(text_outbox) == 1
