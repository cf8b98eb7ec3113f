"""Sign-up, email confirmation, login, logout, password reset and email change (allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from stakeholders.models import Role, User
from tests.factories.people import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "New.Person@Example.org",
    "password1": "a-new-long-password-7",
    "password2": "a-new-long-password-7",
}


def _link_in(message) -> str:
    return re.search(r"https?://testserver(\S+)", message.body).group(1)


def test_sign_up_makes_an_unconfirmed_participant_and_sends_a_confirmation_email(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.role == Role.PARTICIPANT
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert message.subject == "[coprod] Please confirm your email address"
    assert "Thank you for signing up to coprod" in message.body
    assert "Confirm my email address" in message.alternatives[0][0]


def test_sign_up_cannot_choose_a_role(client):
    client.post(reverse("account_signup"), {**SIGNUP, "role": Role.STAFF})
    assert User.objects.get(email="new.person@example.org").role == Role.PARTICIPANT


def test_sign_up_errors_keep_what_was_typed(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "something-else-9"})
    assert response.status_code == 200
    assert b'value="New.Person@Example.org"' in response.content
    assert b"You must type the same password each time" in response.content
    assert not User.objects.exists()


def test_an_unconfirmed_participant_cannot_log_in_until_the_email_is_confirmed(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = _link_in(mail.outbox[0])
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("pages:me")).status_code == 302

    client.post(link)
    assert EmailAddress.objects.get(email="new.person@example.org").verified
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert response["Location"] == reverse("pages:me")


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("staff", "pages:dashboard"),
        ("participant", "pages:me"),
        ("commissioner", "evidence:reports"),
    ],
)
def test_each_role_lands_on_its_home_after_logging_in(client, personas, role, home):
    user = personas.by_role()[role]
    response = client.post(
        reverse("account_login"), {"login": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(home)
    assert client.get(response["Location"]).status_code == 200


def test_a_wrong_password_is_refused_with_a_clear_message(client, personas):
    response = client.post(
        reverse("account_login"), {"login": personas.participant.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"That email address and password do not match." in response.content


def test_logging_out_ends_the_session(client, personas):
    client.force_login(personas.participant)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("pages:me")).status_code == 302


def test_password_reset_sends_a_working_link(client, personas):
    client.post(reverse("account_reset_password"), {"email": personas.participant.email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[coprod] Reset your password"
    link = _link_in(mail.outbox[0])

    form_page = client.get(link, follow=True)
    new = "a-brand-new-password-8"
    response = client.post(form_page.request["PATH_INFO"], {"password1": new, "password2": new})
    assert response.status_code == 302
    personas.participant.refresh_from_db()
    assert personas.participant.check_password(new)


def test_password_reset_for_an_unknown_address_says_so_by_email_only(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox[0].subject == "[coprod] Someone tried to use this email address"


def test_a_participant_can_add_and_confirm_a_new_email_address(client, personas):
    client.force_login(personas.participant)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "pat.new@example.org"}
    )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["pat.new@example.org"]
    client.post(_link_in(mail.outbox[0]))
    assert EmailAddress.objects.get(email="pat.new@example.org").verified


def test_login_is_rate_limited(client, personas):
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": personas.participant.email, "password": "wrong"}
        )
    response = client.post(
        reverse("account_login"), {"login": personas.participant.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert b"Too many failed login attempts" in response.content
