"""Staff must use an authenticator app (TOTP) whenever DEBUG is off."""

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_required(settings):
    settings.COPROD_STAFF_MFA_REQUIRED = True


def _current_code(secret: str) -> str:
    counter = next(yield_hotp_counters_from_time())
    return f"{hotp_value(secret, counter):06d}"


def _log_in(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, personas, mfa_required):
    _log_in(client, personas.staff)
    response = client.get(reverse("pages:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before a new authenticator is added.
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert b"Staff accounts must use an authenticator app" in page.content


def test_staff_can_set_up_an_authenticator_and_then_use_coprod(client, personas, mfa_required):
    _log_in(client, personas.staff)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("pages:dashboard")).status_code == 200


def test_staff_with_an_authenticator_must_give_a_code_to_log_in(client, personas, mfa_required):
    secret = generate_totp_secret()
    TOTP.activate(personas.staff, secret)

    response = client.post(
        reverse("account_login"), {"login": personas.staff.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("pages:dashboard")).status_code == 302

    response = client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert response["Location"] == reverse("pages:dashboard")
    assert client.get(reverse("pages:dashboard")).status_code == 200


def test_a_wrong_code_is_refused(client, personas, mfa_required):
    TOTP.activate(personas.staff, generate_totp_secret())
    client.post(reverse("account_login"), {"login": personas.staff.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content


def test_participants_are_not_asked_for_an_authenticator(client, personas, mfa_required):
    client.force_login(personas.participant)
    assert client.get(reverse("pages:me")).status_code == 200


def test_it_is_required_by_default_in_production(manage, production_env):
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.COPROD_STAFF_MFA_REQUIRED)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")
