"""GOV.UK Notify: the production backends for text messages and, optionally, emails.

Each Notify template is a blank one the message is poured into: a text template whose
content is "((body))", an email template with subject "((subject))" and body "((body))".
The API key and template ids come from the environment (see coprod/settings.py).

Notify's id for each message is kept (texts return it; an email keeps it as
`message.provider_id`), so a delivery receipt can find the outbox row it is about.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from coprod.core.texts import TextNotSent


class EmailNotSent(Exception):
    """Notify refused the email; the reason is in the message."""


def _client() -> NotificationsAPIClient:
    return NotificationsAPIClient(
        settings.COPROD_NOTIFY_API_KEY, base_url=settings.COPROD_NOTIFY_BASE_URL
    )


def notify_reason(error: APIError) -> str:
    """Notify's own words for why it refused, e.g. "BadRequestError: Not a UK mobile number"."""
    message = error.message
    if isinstance(message, list):
        message = "; ".join(
            f"{item.get('error', 'Error')}: {item.get('message', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in message
        )
    return f"GOV.UK Notify refused it ({error.status_code}): {message}"


class NotifySmsBackend:
    """Sends each text through Notify's blank text template; returns Notify's id."""

    def send(self, *, to: str, body: str, reference: str = "") -> str:
        try:
            response = _client().send_sms_notification(
                phone_number=to,
                template_id=settings.COPROD_NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": body},
                reference=reference or None,
            )
        except APIError as error:
            raise TextNotSent(notify_reason(error)) from error
        return response["id"]


class NotifyEmailBackend(BaseEmailBackend):
    """A Django email backend that sends the plain-text part of each email through Notify's
    blank email template, one notification per recipient. Attachments (such as a meeting's
    calendar file) are not sent: Notify's templates carry text only."""

    def send_messages(self, email_messages) -> int:
        sent = 0
        client = _client()
        for message in email_messages:
            try:
                for address in message.recipients():
                    response = client.send_email_notification(
                        email_address=address,
                        template_id=settings.COPROD_NOTIFY_EMAIL_TEMPLATE_ID,
                        personalisation={"subject": message.subject, "body": message.body},
                    )
                    message.provider_id = response["id"]
            except APIError as error:
                if not self.fail_silently:
                    raise EmailNotSent(notify_reason(error)) from error
                continue
            sent += 1
        return sent
