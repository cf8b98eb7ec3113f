"""Security headers on each app's main page, seen by the person the page is for, and HSTS
in production settings."""

import json

import pytest
from csp.constants import NONCE
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

import coprod.settings as coprod_settings
from projects.rsvp import RsvpAction, rsvp_token

# (visitor, url name, kwargs placeholder): one main page of each app, and the public ones.
PAGES = [
    ("anonymous", "pages:home", {}),
    ("anonymous", "projects:join", {"slug": "project"}),
    ("anonymous", "projects:rsvp", {"token": "rsvp"}),
    ("anonymous", "decisions:you_said_we_did", {"slug": "project"}),
    ("anonymous", "account_login", {}),
    ("staff", "pages:dashboard", {}),
    ("staff", "projects:detail", {"slug": "project"}),
    ("staff", "projects:roster", {"slug": "project"}),
    ("staff", "decisions:list", {"slug": "project"}),
    ("staff", "evidence:project_evidence", {"slug": "project"}),
    ("staff", "evidence:learning", {}),
    ("participant", "pages:me", {}),
    ("participant", "projects:my_payments", {}),
    ("commissioner", "evidence:reports", {}),
    ("commissioner", "evidence:report", {"slug": "project"}),
]


def _directives(policy: str) -> dict[str, str]:
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";"))


@pytest.fixture
def page(client, personas):
    def open_page(visitor: str, name: str, kwargs: dict):
        values = {
            "project": personas.project.slug,
            "rsvp": rsvp_token(personas.meeting.invitations.get(), RsvpAction.ACCEPT),
        }
        if visitor != "anonymous":
            client.force_login(personas.by_role()[visitor])
        response = client.get(reverse(name, kwargs={k: values[v] for k, v in kwargs.items()}))
        assert response.status_code == 200
        return response

    return open_page


@pytest.mark.parametrize(("visitor", "name", "kwargs"), PAGES)
def test_access_pages_carry_a_content_security_policy_without_inline_script(
    page, visitor, name, kwargs
):
    policy = _directives(page(visitor, name, kwargs)["Content-Security-Policy"])

    assert policy["script-src"].split()[0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(("visitor", "name", "kwargs"), PAGES)
def test_access_pages_forbid_sniffing_framing_and_leaking_the_address(page, visitor, name, kwargs):
    response = page(visitor, name, kwargs)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_access_script_src_allows_inline_script_only_with_the_response_nonce():
    assert coprod_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == [
        "'self'",
        NONCE,
    ]
    request = RequestFactory().get("/")
    middleware = CSPMiddleware(
        lambda request: HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')
    )

    response = middleware(request)

    script_src = _directives(response["Content-Security-Policy"])["script-src"]
    assert script_src == f"'self' 'nonce-{request.csp_nonce}'"
    assert len(str(request.csp_nonce)) >= 16


def test_access_each_response_gets_a_fresh_nonce():
    middleware = CSPMiddleware(lambda request: HttpResponse(str(request.csp_nonce)))

    first, second = (middleware(RequestFactory().get("/")) for _ in range(2))

    assert first.content != second.content


PRINT_SECURITY_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'hsts': s.SECURE_HSTS_SECONDS,"
    " 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
    " 'ssl_redirect': s.SECURE_SSL_REDIRECT, 'session_secure': s.SESSION_COOKIE_SECURE,"
    " 'csrf_secure': s.CSRF_COOKIE_SECURE, 'frame': s.X_FRAME_OPTIONS,"
    " 'nosniff': s.SECURE_CONTENT_TYPE_NOSNIFF, 'referrer': s.SECURE_REFERRER_POLICY,"
    " 'mfa': s.COPROD_STAFF_MFA_REQUIRED}))"
)


def test_access_production_settings_send_hsts_and_secure_cookies(manage):
    result = manage("shell", "-c", PRINT_SECURITY_SETTINGS)
    assert result.returncode == 0, result.stderr

    production = json.loads(result.stdout.strip().splitlines()[-1])

    assert production["hsts"] >= 60 * 60 * 24 * 365
    assert production["subdomains"] is True
    assert production["ssl_redirect"] is True
    assert production["session_secure"] is True
    assert production["csrf_secure"] is True
    assert production["frame"] == "DENY"
    assert production["nosniff"] is True
    assert production["referrer"] == "same-origin"
    assert production["mfa"] is True


def test_access_production_settings_pass_the_deploy_checks(manage):
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "security.W004" not in result.stdout + result.stderr
