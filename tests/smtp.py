"""A real SMTP server (aiosmtpd) that keeps every message it receives, for tests and benches.

with SmtpSink() as sink:
    ...  # send to sink.url, e.g. EMAIL_URL=smtp://127.0.0.1:<port>
    sink.wait_for(50, timeout=60)
    sink.count_by_recipient()

A sink made with `hold_after=N` accepts N messages, then holds every further one at DATA:
it never answers and keeps nothing, as a server that hangs mid-transfer, until `release()`;
held messages are then refused with a temporary error and later ones accepted as usual.
"""

import asyncio
import email
import email.policy
import logging
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass(frozen=True)
class ReceivedEmail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes = field(repr=False)

    @cached_property
    def message(self) -> EmailMessage:
        """Parsed when first read, so the server thread spends its time receiving."""
        return email.message_from_bytes(self.raw, policy=email.policy.default)


class _Collector:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.sink._hold_this_message():
            try:
                await self.sink._until_released()
            finally:
                self.sink._held_changed(-1)
            return "451 Requested action aborted: try again later"
        self.sink._receive(
            ReceivedEmail(
                mail_from=envelope.mail_from,
                rcpt_tos=tuple(envelope.rcpt_tos),
                raw=bytes(envelope.content),
            )
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1 and a free port, collecting messages thread-safely."""

    def __init__(self, *, hold_after: int | None = None) -> None:
        self._received: list[ReceivedEmail] = []
        self._changed = threading.Condition()
        self._controller: Controller | None = None
        self._hold_after = hold_after
        self._held = 0
        self._released = threading.Event()

    @property
    def port(self) -> int:
        if self._controller is None:
            raise RuntimeError("the SMTP sink is not started")
        return self._controller.port

    @property
    def url(self) -> str:
        """For EMAIL_URL (django-environ)."""
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> "SmtpSink":
        # aiosmtpd logs every SMTP command at INFO: thousands of lines that slow a bench.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(_Collector(self), hostname=HOST, port=_free_port())
        self._controller.start()
        return self

    def stop(self) -> None:
        # Held messages must not keep the server's event loop from stopping.
        self._released.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _hold_this_message(self) -> bool:
        # Called on the server's event loop with no await before `_receive`, so exactly
        # `hold_after` messages are accepted however many clients send at once.
        with self._changed:
            if (
                self._hold_after is None
                or self._released.is_set()
                or len(self._received) < self._hold_after
            ):
                return False
        self._held_changed(+1)
        return True

    def _held_changed(self, change: int) -> None:
        with self._changed:
            self._held += change
            self._changed.notify_all()

    async def _until_released(self) -> None:
        while not self._released.is_set():
            await asyncio.sleep(0.05)

    @property
    def held(self) -> int:
        """Messages waiting at DATA for `release()`: their senders are blocked mid-send."""
        with self._changed:
            return self._held

    def wait_until_held(self, count: int, timeout: float) -> bool:
        """Wait until `count` messages are held; False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._held >= count, timeout=timeout)

    def release(self) -> None:
        """Stop holding: held messages are refused (451, not kept), later ones accepted."""
        self._released.set()

    def _receive(self, received: ReceivedEmail) -> None:
        with self._changed:
            self._received.append(received)
            self._changed.notify_all()

    @property
    def messages(self) -> list[ReceivedEmail]:
        with self._changed:
            return list(self._received)

    def __len__(self) -> int:
        with self._changed:
            return len(self._received)

    def clear(self) -> None:
        with self._changed:
            self._received.clear()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` messages have arrived; False if `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._received) >= count, timeout=timeout)

    def count_by_recipient(self) -> Counter:
        return Counter(rcpt for received in self.messages for rcpt in received.rcpt_tos)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]
