"""A local stand-in for GOV.UK Notify's HTTP API that checks each request as Notify does.

with NotifyStub() as notify:
    ...  # NOTIFY_BASE_URL=notify.url, NOTIFY_API_KEY=notify.api_key, template ids below
    notify.accepted  # the notifications it took, as it received them

It serves POST /v2/notifications/sms and /v2/notifications/email on a free local port,
in a thread. A request is taken (201, a body shaped like Notify's) only when:
- the Authorization header is "Bearer <JWT>", signed HS256 with the secret half of the API
  key, `iss` the service id (the key is `<name>-<service id>-<secret>`) and `iat` within
  30 seconds of now;
- the body is JSON with the recipient (phone_number / email_address), a known template_id
  and personalisation filling every placeholder of that template.
Otherwise it answers as Notify would: 401 or 403 with an AuthError, 400 with a
BadRequestError or ValidationError, in Notify's error JSON.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

HOST = "127.0.0.1"
TOKEN_BOUND_SECONDS = 30

SMS_TEMPLATE_ID = "2b3ec0a4-5d0e-4b59-9d3a-0d6b4d9e1a11"
EMAIL_TEMPLATE_ID = "6f1c0a7e-9a6b-4f60-8f57-3c2e7b0f5a22"
# What each template needs filled in, as ((placeholders)) in Notify.
TEMPLATES = {
    SMS_TEMPLATE_ID: ("sms", ("body",)),
    EMAIL_TEMPLATE_ID: ("email", ("subject", "body")),
}
RECIPIENT = {"sms": "phone_number", "email": "email_address"}
UK_MOBILE = re.compile(r"^(?:\+?44|0)7\d{9}$")


@dataclass
class Received:
    path: str
    status: int
    headers: dict
    body: dict | None
    claims: dict | None = None
    answer: dict = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def make_api_key(name: str = "coprod_test") -> tuple[str, str, str]:
    """A key in Notify's format; returns (key, service id, secret)."""
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    return f"{name}-{service_id}-{secret}", service_id, secret


class NotifyStub:
    def __init__(self) -> None:
        self.api_key, self.service_id, self.secret = make_api_key()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((HOST, 0), self._handler_class())
        self.url = f"http://{HOST}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> NotifyStub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def accepted(self) -> list[Received]:
        with self._lock:
            return [request for request in self.received if request.status == 201]

    @property
    def refused(self) -> list[Received]:
        with self._lock:
            return [request for request in self.received if request.status != 201]

    def _keep(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    # Checking a request as Notify does.

    def _check_token(self, header: str) -> dict:
        if not header.startswith("Bearer "):
            raise _Refused(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header.removeprefix("Bearer ").strip()
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            headers = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise _Refused(403, "AuthError", "Invalid token: signature") from error
        if headers.get("alg") != "HS256":
            raise _Refused(403, "AuthError", "Invalid token: algorithm used is not HS256")
        if "iss" not in unverified:
            raise _Refused(403, "AuthError", "Invalid token: iss field not provided")
        if unverified["iss"] != self.service_id:
            raise _Refused(403, "AuthError", "Invalid token: service not found")
        try:
            claims = jwt.decode(
                token,
                key=self.secret,
                algorithms=["HS256"],
                options={"verify_iat": False},
            )
        except jwt.PyJWTError as error:
            raise _Refused(
                403, "AuthError", "Invalid token: signature, api token not found"
            ) from error
        if "iat" not in claims:
            raise _Refused(403, "AuthError", "Invalid token: iat field not provided")
        if abs(int(time.time()) - int(claims["iat"])) > TOKEN_BOUND_SECONDS:
            raise _Refused(
                403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
            )
        return claims

    def _check_body(self, kind: str, body: object) -> None:
        if not isinstance(body, dict):
            raise _Refused(400, "BadRequestError", "Invalid JSON supplied in POST data")
        recipient = RECIPIENT[kind]
        for required in (recipient, "template_id"):
            if not body.get(required):
                raise _Refused(400, "ValidationError", f"{required} is a required property")
        template = TEMPLATES.get(body["template_id"])
        if template is None:
            raise _Refused(400, "BadRequestError", "Template not found")
        template_kind, placeholders = template
        if template_kind != kind:
            raise _Refused(
                400,
                "BadRequestError",
                f"{template_kind} template is not suitable for {kind} notification",
            )
        personalisation = body.get("personalisation") or {}
        missing = [name for name in placeholders if name not in personalisation]
        if missing:
            raise _Refused(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        if kind == "sms":
            number = re.sub(r"[\s()-]", "", str(body["phone_number"]))
            if not UK_MOBILE.match(number):
                raise _Refused(400, "ValidationError", "phone_number Not a UK mobile number")
        elif "@" not in str(body["email_address"]):
            raise _Refused(400, "ValidationError", "email_address Not a valid email address")

    def _answer(self, kind: str, body: dict) -> dict:
        notification_id = str(uuid.uuid4())
        personalisation = body["personalisation"]
        content = {"body": personalisation["body"]}
        if kind == "sms":
            content["from_number"] = "GOVUK"
        else:
            content.update(
                subject=personalisation["subject"],
                from_email="coprod@notifications.service.gov.uk",
                one_click_unsubscribe_url=None,
            )
        return {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {
                "id": body["template_id"],
                "version": 1,
                "uri": f"{self.url}/services/{self.service_id}/templates/{body['template_id']}",
            },
            "scheduled_for": None,
        }

    def _handler_class(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                kind = {"/v2/notifications/sms": "sms", "/v2/notifications/email": "email"}.get(
                    self.path
                )
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                received = Received(path=self.path, status=0, headers=dict(self.headers), body=body)
                try:
                    if kind is None:
                        raise _Refused(404, "ResourceNotFound", "The requested URL was not found")
                    received.claims = stub._check_token(self.headers.get("Authorization", ""))
                    stub._check_body(kind, body)
                    received.status, received.answer = 201, stub._answer(kind, body)
                except _Refused as refused:
                    received.status = refused.status
                    received.answer = {
                        "status_code": refused.status,
                        "errors": [{"error": refused.error, "message": refused.message}],
                    }
                stub._keep(received)
                payload = json.dumps(received.answer).encode()
                self.send_response(received.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        return Handler
