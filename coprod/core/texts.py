"""The one way coprod sends a text message (SMS).

A message is one template, texts/<name>.txt, rendered to a short plain string. Sending goes
through the backend named by settings.COPROD_SMS_BACKEND:

- "coprod.core.texts.FileBackend" (the embedded default) writes each message to a file
  under settings.COPROD_SMS_DIR (var/sms/), as the file email backend does for emails;
- "coprod.core.notify.NotifySmsBackend" sends through GOV.UK Notify (production, chosen
  when NOTIFY_API_KEY is set).

`send_text` returns the provider's id for the message (used to match delivery receipts).
"""

from __future__ import annotations

import itertools
import os
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

_counter = itertools.count()


class Channel(models.TextChoices):
    """How one message went to a person (their `Person.message_channel` when it was sent)."""

    TEXT = "text", "Text message"
    EMAIL = "email", "Email"


# What the outbox keeps, for staff, when a delivery receipt says the message never arrived:
# GOV.UK Notify's failure statuses in plain words, with what to do.
BOUNCED = {
    "permanent-failure": "The phone number or email address does not work. Check it with them.",
    "temporary-failure": (
        "It did not arrive: their phone was off or their inbox full for 3 days. Try again later."
    ),
    "technical-failure": (
        "GOV.UK Notify could not send it because of a problem on its side. Try again."
    ),
}


class TextNotSent(Exception):
    """The provider refused the message; the reason is in the message."""


def render_text(name: str, context: dict) -> str:
    """Render texts/<name>.txt and fold its whitespace, so templates can be laid out
    readably without the message carrying the line breaks."""
    return " ".join(render_to_string(f"texts/{name}.txt", context).split())


def send_text(*, to: str, body: str, reference: str = "") -> str:
    backend = import_string(settings.COPROD_SMS_BACKEND)()
    return backend.send(to=to, body=body, reference=reference)


class FileBackend:
    """Writes each message to its own file, for a newcomer (and tests) to read."""

    def send(self, *, to: str, body: str, reference: str = "") -> str:
        folder = Path(settings.COPROD_SMS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        message_id = f"{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}-{next(_counter)}"
        (folder / f"{message_id}.txt").write_text(
            f"To: {to}\nReference: {reference}\n\n{body}\n", encoding="utf-8"
        )
        return message_id


# Messages "sent" by the LocmemBackend, for tests (as django.core.mail.outbox is for emails).
outbox: list[dict] = []


class LocmemBackend:
    """Keeps messages in `coprod.core.texts.outbox`; the test settings use it."""

    def send(self, *, to: str, body: str, reference: str = "") -> str:
        message_id = f"locmem-{next(_counter)}"
        outbox.append({"id": message_id, "to": to, "body": body, "reference": reference})
        return message_id
