"""Texts and emails through the GOV.UK Notify backends, to a local copy of Notify's API that
checks each request as Notify does (tests/notify_stub.py)."""

import time

import jwt
import pytest
import requests
from django.core.mail import EmailMessage, get_connection

from coprod.core.notify import EmailNotSent, NotifySmsBackend
from coprod.core.texts import TextNotSent, send_text
from tests.notify_stub import EMAIL_TEMPLATE_ID, SMS_TEMPLATE_ID, NotifyStub, make_api_key


@pytest.fixture
def notify(settings):
    with NotifyStub() as stub:
        settings.COPROD_NOTIFY_API_KEY = stub.api_key
        settings.COPROD_NOTIFY_BASE_URL = stub.url
        settings.COPROD_NOTIFY_SMS_TEMPLATE_ID = SMS_TEMPLATE_ID
        settings.COPROD_NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE_ID
        settings.COPROD_SMS_BACKEND = "coprod.core.notify.NotifySmsBackend"
        settings.EMAIL_BACKEND = "coprod.core.notify.NotifyEmailBackend"
        yield stub


def test_a_text_arrives_at_notify_as_notify_expects(notify):
    provider_id = send_text(
        to="+447700900982", body="Your meeting is tomorrow at 10am.", reference="meeting-7"
    )

    [request] = notify.accepted
    assert request.path == "/v2/notifications/sms"
    assert request.body == {
        "phone_number": "+447700900982",
        "template_id": SMS_TEMPLATE_ID,
        "personalisation": {"body": "Your meeting is tomorrow at 10am."},
        "reference": "meeting-7",
    }
    assert request.claims["iss"] == notify.service_id
    assert provider_id == request.answer["id"]


def test_an_email_arrives_at_notify_with_its_subject_and_body(notify):
    message = EmailMessage(
        subject="Voting is open",
        body="Please vote by Friday.",
        to=["sam@example.org"],
        connection=get_connection(),
    )

    assert message.send() == 1

    [request] = notify.accepted
    assert request.path == "/v2/notifications/email"
    assert request.body == {
        "email_address": "sam@example.org",
        "template_id": EMAIL_TEMPLATE_ID,
        "personalisation": {"subject": "Voting is open", "body": "Please vote by Friday."},
    }
    assert message.provider_id == request.answer["id"]


def test_a_wrong_api_key_is_refused_and_the_text_not_sent(notify, settings):
    settings.COPROD_NOTIFY_API_KEY = make_api_key()[0]

    with pytest.raises(TextNotSent, match="403.*Invalid token"):
        send_text(to="+447700900982", body="Hello")

    assert not notify.accepted


def test_the_right_service_with_the_wrong_secret_is_refused(notify, settings):
    other_secret = make_api_key()[2]
    settings.COPROD_NOTIFY_API_KEY = f"coprod_test-{notify.service_id}-{other_secret}"

    with pytest.raises(TextNotSent, match="signature"):
        send_text(to="+447700900982", body="Hello")


def test_a_missing_template_id_is_refused_with_notifys_reason(notify, settings):
    settings.COPROD_NOTIFY_SMS_TEMPLATE_ID = ""

    with pytest.raises(TextNotSent, match="template_id is a required property"):
        send_text(to="+447700900982", body="Hello")


def test_a_number_notify_cannot_text_keeps_notifys_reason(notify):
    with pytest.raises(TextNotSent, match="Not a UK mobile number"):
        NotifySmsBackend().send(to="01632 960001", body="Hello")


def test_a_refused_email_raises_with_notifys_reason(notify, settings):
    settings.COPROD_NOTIFY_EMAIL_TEMPLATE_ID = SMS_TEMPLATE_ID
    message = EmailMessage(subject="Hi", body="Hello", to=["sam@example.org"])

    with pytest.raises(EmailNotSent, match="sms template is not suitable"):
        message.send()


def _post(stub, token: str | None, body: dict):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{stub.url}/v2/notifications/sms", json=body, headers=headers, timeout=5)


GOOD_BODY = {
    "phone_number": "07700900982",
    "template_id": SMS_TEMPLATE_ID,
    "personalisation": {"body": "Hello"},
}


def test_the_stub_refuses_a_request_without_a_token(notify):
    response = _post(notify, None, GOOD_BODY)

    assert response.status_code == 401
    assert response.json()["errors"][0]["error"] == "AuthError"


def test_the_stub_refuses_a_token_issued_more_than_30_seconds_ago(notify):
    stale = jwt.encode(
        {"iss": notify.service_id, "iat": int(time.time()) - 60}, notify.secret, "HS256"
    )

    response = _post(notify, stale, GOOD_BODY)

    assert response.status_code == 403
    assert "30 seconds" in response.json()["errors"][0]["message"]


def test_the_stub_refuses_missing_personalisation(notify):
    fresh = jwt.encode({"iss": notify.service_id, "iat": int(time.time())}, notify.secret, "HS256")

    response = _post(notify, fresh, {**GOOD_BODY, "personalisation": {}})

    assert response.status_code == 400
    assert response.json() == {
        "status_code": 400,
        "errors": [{"error": "BadRequestError", "message": "Missing personalisation: body"}],
    }
