"""Meeting messages go by text to people who prefer texts (or have only a phone), with one
short link, once each; a text the provider refuses shows to staff as a failed email does."""

import itertools
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coprod.core.texts import TextNotSent
from projects.models import EmailKind, MeetingEmail
from projects.services.meetings import (
    meeting_cancel,
    meeting_email_give_up,
    meeting_email_send,
    meeting_emails_send_batch,
    meeting_invite,
)
from projects.tasks import send_meeting_emails
from stakeholders.models import ContactMethod
from tests.factories.meetings import InvitationFactory, MeetingFactory
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


class RefusingBackend:
    def send(self, *, to: str, body: str, reference: str = "") -> str:
        raise TextNotSent("GOV.UK Notify refused it (400): Not a UK mobile number")


_numbers = itertools.count(982)


def _texter(**fields):
    return PersonFactory(
        full_name="Tess Texter",
        phone=f"+447700900{next(_numbers):03d}",
        preferred_contact=ContactMethod.TEXT,
        **fields,
    )


def _short_path(body: str) -> str:
    """The path of the one short link in a text."""
    [link] = re.findall(r"https?://\S+", body)
    path = urlsplit(link).path
    assert re.fullmatch(r"/l/[\w-]+/", path)
    return path


def test_someone_who_prefers_texts_is_invited_by_text_with_a_short_link_to_answer(
    client, personas, text_outbox, django_capture_on_commit_callbacks
):
    person = _texter()
    meeting = MeetingFactory(project=personas.project, title="Planning session")

    with django_capture_on_commit_callbacks(execute=True):
        meeting_invite(meeting=meeting, people=[person], invited_by=personas.staff)

    assert mail.outbox == []
    [text] = text_outbox
    assert text["to"] == person.phone.as_e164
    assert "you are invited to Planning session" in text["body"]
    assert "Can you come? Tell us here:" in text["body"]
    email = MeetingEmail.objects.get()
    assert (email.channel, email.provider_id) == ("text", text["id"])
    assert email.sent_at is not None
    # The short link leads to the page where they say they are coming.
    page = client.get(_short_path(text["body"]), follow=True).content.decode()
    assert "Yes, I can come" in page
    # One link, but every answer: someone who cannot come finds that answer there too.
    decline = re.search(r'<a href="(/rsvp/[^"]+/)">I cannot come</a>', page).group(1)
    assert "Say you cannot come" in client.get(decline).content.decode()


def test_someone_with_a_phone_but_no_email_is_texted(
    personas, text_outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(email="", phone="+447700900123")
    meeting = MeetingFactory(project=personas.project)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_invite(meeting=meeting, people=[person], invited_by=personas.staff)

    assert [text["to"] for text in text_outbox] == ["+447700900123"]


def test_a_cancellation_by_text_says_so_and_carries_no_link(
    personas, text_outbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(project=personas.project, title="Planning session")
    InvitationFactory(meeting=meeting, person=_texter())

    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting)

    [text] = text_outbox
    assert "Planning session" in text["body"] and "is cancelled" in text["body"]
    assert "http" not in text["body"]


def test_people_who_prefer_email_still_get_email(
    personas, text_outbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(project=personas.project)

    with django_capture_on_commit_callbacks(execute=True):
        meeting_invite(
            meeting=meeting, people=[personas.participant.person], invited_by=personas.staff
        )

    assert text_outbox == []
    assert [message.to for message in mail.outbox] == [["participant@example.org"]]
    assert MeetingEmail.objects.get().channel == "email"


def test_a_text_is_sent_once_however_often_its_task_runs(personas, text_outbox):
    invitation = InvitationFactory(
        meeting=MeetingFactory(project=personas.project), person=_texter()
    )
    email = MeetingEmail.objects.create(invitation=invitation, kind=EmailKind.INVITATION)

    send_meeting_emails.delay([email.pk])
    send_meeting_emails.delay([email.pk])

    assert meeting_email_send(email_id=email.pk) is False
    assert len(text_outbox) == 1


def test_a_refused_text_shows_to_staff_with_the_reason_and_can_be_tried_again(
    staff_client, personas, settings, text_outbox
):
    settings.COPROD_SMS_BACKEND = f"{__name__}.RefusingBackend"
    invitation = InvitationFactory(meeting=personas.meeting, person=_texter())
    email = MeetingEmail.objects.create(invitation=invitation, kind=EmailKind.INVITATION)

    with pytest.raises(TextNotSent) as refused:
        meeting_email_send(email_id=email.pk)
    meeting_email_give_up(email_id=email.pk, error=str(refused.value))

    html = staff_client.get(personas.meeting.get_absolute_url()).content.decode()
    assert "Not a UK mobile number" in html
    assert 'Invitation <span class="text-body-secondary">(text message)</span>' in html
    assert f'name="email" value="{email.pk}"' in html


def test_sending_texts_costs_the_same_queries_for_each_message(personas, text_outbox):
    meeting = MeetingFactory(project=personas.project)

    def queries_for(count: int) -> int:
        ids = [
            MeetingEmail.objects.create(
                invitation=InvitationFactory(meeting=meeting, person=_texter()),
                kind=EmailKind.INVITATION,
            ).pk
            for _ in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            assert meeting_emails_send_batch(email_ids=ids) == count
        return len(queries)

    assert queries_for(4) == 2 * queries_for(2)


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        (EmailKind.UPDATE, "has changed"),
        (EmailKind.PLACE_OFFERED, "a place came free"),
        (EmailKind.REMINDER, "a reminder that"),
    ],
)
def test_every_meeting_message_has_a_short_text_with_one_link(personas, text_outbox, kind, says):
    invitation = InvitationFactory(
        meeting=MeetingFactory(project=personas.project), person=_texter(), response="accepted"
    )
    email = MeetingEmail.objects.create(invitation=invitation, kind=kind, key=2)

    assert meeting_email_send(email_id=email.pk) is True

    [text] = text_outbox
    assert says in text["body"]
    _short_path(text["body"])
    assert len(text["body"]) <= 306, "at most two text messages long"
