"""allauth's pages in coprod's words, the account overview, and new confirmation links."""

import re
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from projects.models import Membership, MembershipStatus
from tests.factories.people import PASSWORD, ParticipantFactory, UserFactory
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

ALLAUTH_WORDS = ["Sign In", "Sign Up", "Sign Out", "is an email address for user", "Signup"]

# (who, URL name, the page's heading).
PAGES = [
    ("anonymous", "account_login", "Log in"),
    ("anonymous", "account_signup", "Create an account"),
    ("anonymous", "account_reset_password", "Reset your password"),
    ("anonymous", "account_reset_password_done", "Check your email"),
    ("anonymous", "account_email_verification_sent", "Check your email"),
    ("anonymous", "account_inactive", "This account is switched off"),
    ("anonymous", "stakeholders:new_confirmation_link", "Send a new link"),
    ("participant", "stakeholders:account", "My account"),
    ("participant", "account_email", "Change my email address"),
    ("participant", "account_change_password", "Change your password"),
    ("participant", "account_logout", "Log out"),
    ("participant", "account_reauthenticate", "Enter your password again"),
    ("staff", "stakeholders:account", "My account"),
    ("staff", "mfa_index", "Two-step login"),
]


def _heading(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


def _link_in(message) -> str:
    return re.search(r"https?://testserver(\S+)", message.body).group(1)


def _check_coprods_words(html: str, heading: str) -> None:
    for words in ALLAUTH_WORDS:
        assert words not in html, f"{words!r} is allauth's wording"
    assert _heading(html) == heading


@pytest.mark.parametrize(("who", "name", "heading"), PAGES, ids=[p[1] for p in PAGES])
def test_each_account_page_is_in_coprods_words(client, personas, who, name, heading):
    if who != "anonymous":
        client.force_login(personas.by_role()[who])
    response = client.get(reverse(name))
    assert response.status_code == 200
    _check_coprods_words(response.content.decode(), heading)


def test_setting_a_password_is_in_coprods_words(client, personas):
    personas.participant.set_unusable_password()
    personas.participant.save()
    client.force_login(personas.participant)
    _check_coprods_words(
        client.get(reverse("account_set_password")).content.decode(), "Set a password"
    )
    overview = client.get(reverse("stakeholders:account")).content.decode()
    assert reverse("account_set_password") in overview


def test_a_confirmation_link_asks_in_coprods_words(client):
    address = _unconfirmed_address()
    response = client.get(
        reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])
    )
    html = response.content.decode()
    _check_coprods_words(html, "Confirm your email address")
    assert "Confirm my email address" in html


def test_a_failed_form_puts_the_error_summary_first_with_a_link_to_each_field(client):
    response = client.post(reverse("account_signup"), {"email": "", "password1": ""})
    html = response.content.decode()
    summary = html[
        html.index('id="error-summary"') : html.index("<form", html.index('id="error-summary"'))
    ]
    assert "data-error-summary" in summary
    assert '<a class="alert-link" href="#id_email">Enter your email address</a>' in summary
    assert '<a class="alert-link" href="#id_password1">Enter a password</a>' in summary
    assert "This field is required" not in html


def test_every_page_loads_the_error_summary_script(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'src="/static/js/error-summary.js"' in html
    assert "<script>" not in html


# The account overview.


def test_the_account_page_links_to_email_and_password_but_not_two_step_for_participants(
    participant_client,
):
    html = participant_client.get(reverse("stakeholders:account")).content.decode()
    assert reverse("account_email") in html
    assert reverse("account_change_password") in html
    assert reverse("mfa_index") not in html


def test_the_account_page_links_staff_to_two_step_login(staff_client):
    html = staff_client.get(reverse("stakeholders:account")).content.decode()
    assert reverse("mfa_index") in html
    assert "You have not set up an authenticator app yet." in html


def test_the_menu_links_to_the_account_page(participant_client):
    html = participant_client.get(reverse("pages:me")).content.decode()
    assert f'href="{reverse("stakeholders:account")}">Account</a>' in html


# Links that no longer work.


def _unconfirmed_address(email: str = "new.person@example.org") -> EmailAddress:
    user = UserFactory(email=email)
    EmailAddress.objects.filter(user=user).update(verified=False)
    return EmailAddress.objects.get(user=user)


def _expired_key(address: EmailAddress) -> str:
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        return EmailConfirmationHMAC(address).key


def test_an_expired_confirmation_link_offers_a_new_link_and_pressing_it_sends_one(client):
    address = _unconfirmed_address()
    key = _expired_key(address)

    page = client.get(reverse("account_confirm_email", args=[key])).content.decode()
    assert _heading(page) == "This link does not work any more"
    assert "Send a new link" in page
    assert "new.person@example.org" in page

    response = client.post(reverse("stakeholders:new_confirmation_link"), {"key": key})
    assert response["Location"] == reverse("account_email_verification_sent")
    (sent,) = mail.outbox
    assert sent.to == ["new.person@example.org"]
    client.post(_link_in(sent))
    assert EmailAddress.objects.get(pk=address.pk).verified


def test_a_new_link_is_sent_at_most_once_every_few_minutes(client):
    address = _unconfirmed_address()
    key = _expired_key(address)
    client.post(reverse("stakeholders:new_confirmation_link"), {"key": key})
    response = client.post(reverse("stakeholders:new_confirmation_link"), {"key": key}, follow=True)
    assert len(mail.outbox) == 1
    assert "a few minutes ago, and its link still works" in response.content.decode()


def test_a_used_confirmation_link_says_the_address_is_confirmed_and_sends_nothing(client):
    address = _unconfirmed_address()
    key = EmailConfirmationHMAC(address).key
    client.post(reverse("account_confirm_email", args=[key]))
    client.logout()

    page = client.get(reverse("account_confirm_email", args=[key])).content.decode()
    assert _heading(page) == "This link has been used already"
    assert reverse("account_login") in page

    mail.outbox.clear()
    response = client.post(reverse("stakeholders:new_confirmation_link"), {"key": key}, follow=True)
    assert "is confirmed already, so you can log in" in response.content.decode()
    assert mail.outbox == []


def test_a_broken_confirmation_link_asks_for_the_address_and_sends_a_link_to_it(client):
    address = _unconfirmed_address()
    page = client.get(reverse("account_confirm_email", args=["cut-short"])).content.decode()
    assert _heading(page) == "This link does not work any more"
    assert 'name="email"' in page and "Send a new link" in page

    response = client.post(
        reverse("stakeholders:new_confirmation_link"), {"email": "New.Person@example.org"}
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    (sent,) = mail.outbox
    client.post(_link_in(sent))
    assert EmailAddress.objects.get(pk=address.pk).verified


def test_a_typed_address_nobody_has_gets_the_same_answer_as_one_waiting(client):
    waiting = client.post(
        reverse("stakeholders:new_confirmation_link"),
        {"email": _unconfirmed_address().email},
        follow=True,
    )
    nobody = client.post(
        reverse("stakeholders:new_confirmation_link"), {"email": "nobody@example.org"}, follow=True
    )
    said = (
        [str(m) for m in waiting.context["messages"]],
        [str(m) for m in nobody.context["messages"]],
    )
    assert said[0] == [
        "We have sent an email to new.person@example.org. Open it and press the link in it."
    ]
    assert said[1] == [
        "We have sent an email to nobody@example.org. Open it and press the link in it."
    ]
    assert mail.outbox[1].subject == "[coprod] Someone tried to use this email address"


def test_a_confirmed_address_typed_in_is_told_it_has_an_account(client, personas):
    client.post(
        reverse("stakeholders:new_confirmation_link"), {"email": personas.participant.email}
    )
    (sent,) = mail.outbox
    assert sent.to == [personas.participant.email]
    assert sent.subject == "[coprod] You already have a coprod account"


def test_a_mistyped_address_is_explained_and_kept(client, db):
    response = client.post(reverse("stakeholders:new_confirmation_link"), {"email": "pat@"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter an email address in the right format, like name@example.com" in html
    assert 'value="pat@"' in html
    assert 'id="error-summary"' in html
    assert mail.outbox == []


def test_asking_for_new_links_is_rate_limited_by_address(client, db):
    for n in range(5):
        client.post(reverse("stakeholders:new_confirmation_link"), {"email": f"a{n}@example.org"})
    response = client.post(
        reverse("stakeholders:new_confirmation_link"), {"email": "a9@example.org"}
    )
    assert response.status_code == 429
    assert len(mail.outbox) == 5


# "Check your email" after signing up.

JOIN = {
    "full_name": "Ann Other",
    "email": "ann.other@example.org",
    "password1": "a-long-pass-1234",
    "password2": "a-long-pass-1234",
    "stakeholder_group": "carer",
    "preferred_contact": "email",
    "consent_involvement": "on",
}


def test_check_your_email_after_joining_names_the_address_and_the_projects_contact(client):
    project = ProjectFactory(
        slug="crisis-care",
        name="Crisis care",
        contact_name="Jo Bloggs",
        contact_email="jo@example.org",
        contact_phone="01632 960 123",
    )
    response = client.post(reverse("projects:join", args=[project.slug]), JOIN, follow=True)
    html = response.content.decode()
    assert _heading(html) == "Check your email"
    assert "<strong>ann.other@example.org</strong>" in html
    assert "Jo Bloggs" in html and "mailto:jo@example.org" in html and "tel:01632960123" in html
    assert "Send it again" in html


def test_check_your_email_without_a_project_names_the_organisations_contact(client, settings):
    settings.COPROD_HELP_NAME = "the Involvement Team"
    settings.COPROD_HELP_EMAIL = "involve@example.org"
    client.post(
        reverse("account_signup"),
        {
            "email": "b@example.org",
            "password1": "a-long-pass-1234",
            "password2": "a-long-pass-1234",
        },
    )
    html = client.get(reverse("account_email_verification_sent")).content.decode()
    assert "the Involvement Team" in html and "mailto:involve@example.org" in html


def test_send_it_again_sends_the_link_again(client):
    project = ProjectFactory(slug="crisis-care")
    client.post(reverse("projects:join", args=[project.slug]), JOIN)
    assert len(mail.outbox) == 1
    page = client.get(reverse("account_email_verification_sent")).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)".*?</form>', page, re.S)
    email = re.search(r'name="email" value="([^"]+)"', form.group(0)).group(1)

    # At once, allauth holds it back: the first link still works.
    response = client.post(form.group(1), {"email": email}, follow=True)
    assert len(mail.outbox) == 1
    assert "a few minutes ago, and its link still works" in response.content.decode()

    cache.clear()  # allauth counts in the cache: as if the few minutes had passed
    client.post(form.group(1), {"email": email})
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["ann.other@example.org"]
    client.post(_link_in(mail.outbox[1]))
    assert EmailAddress.objects.get(email="ann.other@example.org").verified


# "Since" dates.


def test_my_page_never_says_since_with_no_date(participant_client, personas):
    Membership.objects.filter(person=personas.participant.person).update(
        status=MembershipStatus.ACTIVE, active_at=None
    )
    html = participant_client.get(reverse("pages:me")).content.decode()
    assert "you are taking part" in html
    assert "(since )" not in html and "since )" not in html


def test_the_roster_never_says_since_with_no_date(staff_client, personas):
    Membership.objects.filter(person=personas.participant.person).update(
        status=MembershipStatus.ACTIVE, active_at=None
    )
    html = staff_client.get(
        reverse("projects:roster", args=[personas.project.slug])
    ).content.decode()
    assert re.search(r"since\s*</div>", html) is None
    assert "date not recorded" in html


def test_a_participant_can_log_in_after_resetting_a_password_from_the_new_pages(client):
    user = ParticipantFactory(email="reset.me@example.org")
    client.post(reverse("account_reset_password"), {"email": user.email})
    page = client.get(_link_in(mail.outbox[0]), follow=True)
    _check_coprods_words(page.content.decode(), "Choose a new password")
    new = "a-brand-new-password-8"
    client.post(page.request["PATH_INFO"], {"password1": new, "password2": new})
    used = client.get(_link_in(mail.outbox[0]), follow=True).content.decode()
    assert _heading(used) == "This link does not work any more"
    user.refresh_from_db()
    assert user.check_password(new) and not user.check_password(PASSWORD)


# Two-step login (staff).


def _current_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time

    return f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"


def test_two_step_login_pages_are_in_coprods_words(client, personas):
    staff = personas.staff
    client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    _check_coprods_words(page, "Set up an authenticator app")
    secret = client.session["mfa.totp.secret"]
    client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})

    for name, heading in [
        ("mfa_index", "Two-step login"),
        ("mfa_view_recovery_codes", "Your backup codes"),
        ("mfa_generate_recovery_codes", "Make new backup codes"),
        ("mfa_deactivate_totp", "Remove your authenticator app"),
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        _check_coprods_words(response.content.decode(), heading)

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    page = client.get(reverse("mfa_authenticate")).content.decode()
    _check_coprods_words(page, "Enter the code from your authenticator app")
    assert ">Log in</button>" in page
