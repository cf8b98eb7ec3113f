"""Staff must use an authenticator app (TOTP) whenever DEBUG is off."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stakeholders.models import User
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


def _kept_equals_recounted() -> None:
    has_app = Exists(Authenticator.objects.filter(user=OuterRef("pk"), type="totp"))
    for user in User.objects.annotate(recounted=has_app):
        assert user.has_authenticator_app == user.recounted, user.email


def test_whether_staff_have_an_authenticator_is_kept_on_their_login(client, personas, mfa_required):
    """The middleware reads the kept flag, not the authenticators: it must never say yes
    for someone who has none, whichever way theirs was added or removed."""
    _kept_equals_recounted()
    _log_in(client, personas.staff)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    personas.staff.refresh_from_db()
    assert personas.staff.has_authenticator_app
    _kept_equals_recounted()

    # Recovery codes are not an authenticator app.
    RecoveryCodes.activate(personas.participant)
    _kept_equals_recounted()

    # Deactivated by its owner in allauth's own page...
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=personas.staff, type="totp").exists()
    _kept_equals_recounted()

    # ...removed one by one (the admin) or in bulk (erasure).
    TOTP.activate(personas.staff, generate_totp_secret())
    TOTP.activate(personas.participant, generate_totp_secret())
    _kept_equals_recounted()
    Authenticator.objects.get(user=personas.staff, type="totp").delete()
    _kept_equals_recounted()
    Authenticator.objects.filter(user=personas.participant).delete()
    _kept_equals_recounted()


def test_staff_whose_authenticator_is_removed_are_sent_to_set_one_up_again(
    client, personas, mfa_required
):
    TOTP.activate(personas.staff, generate_totp_secret())
    client.force_login(personas.staff)
    assert client.get(reverse("pages:dashboard")).status_code == 200

    # An administrator removes it (say, for a lost phone) while they are signed in.
    Authenticator.objects.get(user=personas.staff).delete()

    response = client.get(reverse("pages:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_checking_staff_have_an_authenticator_runs_no_query(client, personas, mfa_required):
    TOTP.activate(personas.staff, generate_totp_secret())
    client.force_login(personas.staff)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("pages:dashboard")).status_code == 200
    assert not [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]
