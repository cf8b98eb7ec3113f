"""GOV.UK Notify's delivery receipts: a message that never arrived is marked as bounced on
its outbox row, for staff to see; only Notify (holding the bearer token) may say so."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decisions.models import VoteEmail
from decisions.services import decision_create
from projects.models import EmailKind, Invitation, MeetingEmail, ProjectInvitation
from projects.services.meetings import meeting_invite
from stakeholders.models import ContactMethod
from tests.factories.meetings import MeetingFactory
from tests.factories.roster import PersonFactory
from tests.notify_stub import EMAIL_TEMPLATE_ID, SMS_TEMPLATE_ID, NotifyStub

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-token-shared-with-notify"
URL = reverse("pages:notify_receipt")


@pytest.fixture(autouse=True)
def callback_token(settings):
    settings.COPROD_NOTIFY_CALLBACK_TOKEN = TOKEN


@pytest.fixture
def sent(personas) -> MeetingEmail:
    return MeetingEmail.objects.create(
        invitation=Invitation.objects.get(meeting=personas.meeting),
        kind=EmailKind.INVITATION,
        channel="text",
        provider_id="740e5834-3a29-46b4-9a6f-16142fde533a",
        sent_at=timezone.now(),
    )


def _receipt(client, body, *, token=TOKEN, raw=None):
    return client.post(
        URL,
        data=raw if raw is not None else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )


def _body(provider_id: str, status: str) -> dict:
    return {
        "id": provider_id,
        "reference": "meeting-email-1",
        "to": "07700900982",
        "status": status,
        "created_at": "2026-12-03T10:00:00.000000Z",
        "completed_at": "2026-12-03T10:00:05.000000Z",
        "sent_at": "2026-12-03T10:00:01.000000Z",
        "notification_type": "sms",
        "template_id": "2b3ec0a4-5d0e-4b59-9d3a-0d6b4d9e1a11",
        "template_version": 1,
    }


def test_a_permanent_failure_marks_the_message_as_bounced_with_the_reason(client, sent):
    response = _receipt(client, _body(sent.provider_id, "permanent-failure"))

    assert response.status_code == 200
    assert response.json() == {"result": "recorded"}
    sent.refresh_from_db()
    assert sent.bounced_at is not None
    assert sent.last_error == (
        "The phone number or email address does not work. Check it with them."
    )


def test_a_bounced_vote_message_is_found_by_its_id_too(client, personas):
    decision = decision_create(
        project=personas.project,
        created_by=personas.staff,
        title="Saturday opening",
        question="Open on Saturdays?",
        method="vote",
        ladder_rung="co_design",
    )
    row = VoteEmail.objects.create(
        decision=decision,
        person=personas.participant.person,
        provider_id="vote-1",
        sent_at=timezone.now(),
    )

    _receipt(client, _body("vote-1", "temporary-failure"))

    row.refresh_from_db()
    assert row.bounced_at is not None
    # In plain words, with what to do, not Notify's status name.
    assert row.last_error.startswith("It did not arrive: their phone was off")


def test_a_delivered_receipt_changes_nothing(client, sent):
    response = _receipt(client, _body(sent.provider_id, "delivered"))

    assert response.json() == {"result": "recorded"}
    sent.refresh_from_db()
    assert sent.bounced_at is None and sent.last_error == ""


@pytest.mark.parametrize("token", ["", "wrong-token", TOKEN + "x", TOKEN[:-1]])
def test_a_receipt_without_the_right_token_is_refused_and_changes_nothing(client, sent, token):
    response = _receipt(client, _body(sent.provider_id, "permanent-failure"), token=token)

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.bounced_at is None


def test_with_no_token_set_every_receipt_is_refused(client, sent, settings):
    settings.COPROD_NOTIFY_CALLBACK_TOKEN = ""

    response = _receipt(client, _body(sent.provider_id, "permanent-failure"), token="")

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.bounced_at is None


def test_a_receipt_for_an_unknown_id_is_acknowledged_and_changes_nothing(client, sent):
    response = _receipt(client, _body("not-one-of-ours", "permanent-failure"))

    assert response.status_code == 200
    assert response.json() == {"result": "unknown"}
    assert MeetingEmail.objects.filter(bounced_at__isnull=False).count() == 0
    assert ProjectInvitation.objects.filter(bounced_at__isnull=False).count() == 0


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[]",
        '"a string"',
        '{"status": "permanent-failure"}',
        '{"id": 7, "status": "permanent-failure"}',
        '{"id": "740e5834-3a29-46b4-9a6f-16142fde533a"}',
        b"\xff\xfe",
    ],
)
def test_a_receipt_that_is_not_a_json_object_with_id_and_status_is_a_400(client, sent, raw):
    response = _receipt(client, None, raw=raw)

    assert response.status_code == 400
    sent.refresh_from_db()
    assert sent.bounced_at is None


def test_a_receipt_that_comes_twice_keeps_the_first_time(client, sent):
    _receipt(client, _body(sent.provider_id, "permanent-failure"))
    sent.refresh_from_db()
    first = sent.bounced_at

    _receipt(client, _body(sent.provider_id, "technical-failure"))

    sent.refresh_from_db()
    assert sent.bounced_at == first


def test_only_post_is_allowed(client):
    assert client.get(URL).status_code == 405


def test_notify_needs_no_csrf_token_only_the_bearer_token(sent):
    notify = Client(enforce_csrf_checks=True)

    response = _receipt(notify, _body(sent.provider_id, "permanent-failure"))

    assert response.status_code == 200


@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_receipt_body_ever_causes_a_500(client, sent, body):
    response = _receipt(client, None, raw=body)

    assert response.status_code in (200, 400)


def test_through_notify_each_row_keeps_notifys_id_and_its_receipt_finds_it(
    client, personas, settings, django_capture_on_commit_callbacks
):
    """End to end: a meeting invitation by email and one by text go through the Notify
    backends to a local copy of Notify; the receipts Notify would send then mark each."""
    texter = PersonFactory(
        full_name="Tess Texter", phone="+447700900982", preferred_contact=ContactMethod.TEXT
    )
    meeting = MeetingFactory(project=personas.project)
    with NotifyStub() as notify:
        settings.COPROD_NOTIFY_API_KEY = notify.api_key
        settings.COPROD_NOTIFY_BASE_URL = notify.url
        settings.COPROD_NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE_ID
        settings.COPROD_NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE_ID
        settings.COPROD_SMS_BACKEND = "coprod.core.notify.NotifySmsBackend"
        settings.EMAIL_BACKEND = "coprod.core.notify.NotifyEmailBackend"
        with django_capture_on_commit_callbacks(execute=True):
            meeting_invite(
                meeting=meeting,
                people=[texter, personas.participant.person],
                invited_by=personas.staff,
            )

    by_path = {request.path: request.answer["id"] for request in notify.accepted}
    text = MeetingEmail.objects.get(invitation__person=texter)
    email = MeetingEmail.objects.get(invitation__person=personas.participant.person)
    assert (text.channel, text.provider_id) == ("text", by_path["/v2/notifications/sms"])
    assert (email.channel, email.provider_id) == ("email", by_path["/v2/notifications/email"])

    for row in (text, email):
        _receipt(client, _body(row.provider_id, "permanent-failure"))
        row.refresh_from_db()
        assert row.bounced_at is not None
