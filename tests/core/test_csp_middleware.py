"""coprod's Content-Security-Policy middleware sends exactly what django-csp's sends,
though it works the usual header out once per process."""

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from coprod.core.middleware import ContentSecurityPolicyMiddleware


def _plain(request):
    return HttpResponse("ok")


def _both(view, path="/"):
    """The responses of django-csp's middleware and of coprod's, each to its own request."""
    responses = []
    for middleware in (CSPMiddleware, ContentSecurityPolicyMiddleware):
        request = RequestFactory().get(path)
        responses.append((middleware(view)(request), request))
    return responses


def _policy(response) -> set[str]:
    return set(response["Content-Security-Policy"].split("; "))


def test_the_usual_header_is_django_csps():
    (theirs, _), (ours, _) = _both(_plain)

    assert _policy(ours) == _policy(theirs)
    assert "script-src 'self'" in _policy(ours)
    assert "Content-Security-Policy-Report-Only" not in ours


def test_it_follows_a_change_of_the_policy(settings):
    _both(_plain)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}

    (theirs, _), (ours, _) = _both(_plain)

    assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
    assert ours["Content-Security-Policy"] == "default-src 'none'"


def test_a_report_only_policy_is_sent_too(settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    (theirs, _), (ours, _) = _both(_plain)

    report_only = set(ours["Content-Security-Policy-Report-Only"].split("; "))
    assert report_only == {"default-src 'self'", "img-src 'self'"}
    assert report_only == set(theirs["Content-Security-Policy-Report-Only"].split("; "))


def test_a_response_that_used_the_nonce_carries_it_and_each_gets_a_fresh_one():
    def inline_script(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    middleware = ContentSecurityPolicyMiddleware(inline_script)
    nonces = []
    for _ in range(2):
        request = RequestFactory().get("/")
        response = middleware(request)
        nonce = str(request.csp_nonce)
        assert f"script-src 'self' 'nonce-{nonce}'" in _policy(response)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_asking_for_the_nonce_after_the_header_is_written_fails_loudly():
    request = RequestFactory().get("/")
    ContentSecurityPolicyMiddleware(_plain)(request)

    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_views_own_policy_and_exemption_are_kept():
    updated = csp_update({"img-src": ["https://maps.example.org"]})(_plain)
    (theirs, _), (ours, _) = _both(updated)
    assert _policy(ours) == _policy(theirs)
    assert "img-src 'self' data: https://maps.example.org" in _policy(ours)

    (_, _), (exempt, _) = _both(csp_exempt()(_plain))
    assert "Content-Security-Policy" not in exempt


def test_excluded_prefixes_get_no_header(settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
    }

    (theirs, _), (ours, _) = _both(_plain, "/healthz")

    assert "Content-Security-Policy" not in ours
    assert "Content-Security-Policy" not in theirs
