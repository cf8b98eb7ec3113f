"""Sessions and rate limits: a new session key on login, idle timeouts by role, every
session ended when an account is deactivated, and too many tries met with a plain 429."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from projects.rsvp import RsvpAction, rsvp_token
from stakeholders.sessions import LAST_SEEN
from tests.factories.meetings import InvitationFactory
from tests.factories.people import PASSWORD, ParticipantFactory

pytestmark = pytest.mark.django_db

MINUTE = 60
TOO_MANY = b"Please wait a moment"


def _seen_minutes_ago(client: Client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - minutes * MINUTE
    session.save()


def test_access_logging_in_gives_a_new_session_key(client):
    user = ParticipantFactory()
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == str(user.pk)
    assert not Session.objects.filter(session_key=before).exists()


@pytest.mark.parametrize(
    ("role", "page", "minutes"),
    [
        ("staff", "pages:dashboard", 30),
        ("commissioner", "evidence:reports", 2 * 60),
        ("participant", "pages:me", 8 * 60),
    ],
)
def test_access_each_role_has_its_own_idle_timeout(client, personas, role, page, minutes):
    client.force_login(personas.by_role()[role])

    assert client.get(reverse(page)).status_code == 200

    assert client.session.get_expiry_age() == minutes * MINUTE


def test_access_an_idle_staff_session_ends_after_30_minutes(client, personas):
    client.force_login(personas.staff)
    client.get(reverse("pages:dashboard"))
    _seen_minutes_ago(client, 31)

    response = client.get(reverse("pages:dashboard"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert SESSION_KEY not in client.session
    assert b"had not used coprod for 30 minutes" in response.content


def test_access_a_staff_session_used_within_30_minutes_stays_open(client, personas):
    client.force_login(personas.staff)
    client.get(reverse("pages:dashboard"))
    _seen_minutes_ago(client, 29)

    assert client.get(reverse("pages:dashboard")).status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - MINUTE


def test_access_a_participant_idle_for_an_hour_is_still_signed_in(client, personas):
    client.force_login(personas.participant)
    client.get(reverse("pages:me"))
    _seen_minutes_ago(client, 60)

    assert client.get(reverse("pages:me")).status_code == 200


def test_access_a_participant_idle_for_nine_hours_is_signed_out(client, personas):
    client.force_login(personas.participant)
    client.get(reverse("pages:me"))
    _seen_minutes_ago(client, 9 * 60)

    response = client.get(reverse("pages:me"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_access_the_idle_timeout_is_a_setting(client, personas, settings):
    settings.COPROD_IDLE_TIMEOUT_STAFF_MINUTES = 5
    client.force_login(personas.staff)
    client.get(reverse("pages:dashboard"))
    assert client.session.get_expiry_age() == 5 * MINUTE
    _seen_minutes_ago(client, 6)

    assert client.get(reverse("pages:dashboard")).status_code == 302


def test_access_a_session_that_ends_with_the_browser_keeps_doing_so(client, personas):
    client.post(
        reverse("account_login"), {"login": personas.participant.email, "password": PASSWORD}
    )
    assert client.session.get_expire_at_browser_close()

    client.get(reverse("pages:me"))

    assert client.session.get_expire_at_browser_close()


def test_access_deactivating_an_account_ends_every_one_of_its_sessions(personas):
    laptop, phone, someone_else = Client(), Client(), Client()
    laptop.force_login(personas.participant)
    phone.force_login(personas.participant)
    someone_else.force_login(personas.other_participant)

    personas.participant.is_active = False
    personas.participant.save()

    assert not Session.objects.filter(
        session_key__in=[laptop.session.session_key, phone.session.session_key]
    ).exists()
    assert Session.objects.filter(session_key=someone_else.session.session_key).exists()
    assert laptop.get(reverse("pages:me")).status_code == 302
    assert someone_else.get(reverse("pages:me")).status_code == 200


def test_access_a_deactivated_accounts_sessions_leave_the_cache_too(personas):
    laptop = Client()
    laptop.force_login(personas.participant)
    laptop.get(reverse("pages:me"))  # read once, so the session is in the cache
    cached_key = cached_db.KEY_PREFIX + laptop.session.session_key
    assert cache.get(cached_key) is not None

    personas.participant.is_active = False
    personas.participant.save()

    assert cache.get(cached_key) is None


def test_access_saving_an_active_account_keeps_its_sessions(client, personas):
    client.force_login(personas.participant)

    personas.participant.name = "Pat P."
    personas.participant.save()

    assert client.get(reverse("pages:me")).status_code == 200


def _posts_until_refused(client: Client, url: str, data, tries: int) -> list[int]:
    return [client.post(url, data(attempt)).status_code for attempt in range(tries)]


def test_access_login_is_rate_limited(client):
    statuses = _posts_until_refused(
        client,
        reverse("account_login"),
        lambda n: {"login": f"nobody{n}@example.org", "password": "wrong-password-1"},
        31,
    )

    assert 429 not in statuses[:30]
    assert statuses[30] == 429


def test_access_repeated_wrong_passwords_for_one_account_are_refused(client):
    user = ParticipantFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-pass-1"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert SESSION_KEY not in client.session
    assert b"Too many failed login attempts" in response.content


def test_access_sign_up_is_rate_limited_with_a_plain_english_page(client):
    statuses = _posts_until_refused(
        client, reverse("account_signup"), lambda n: {"email": f"new{n}@example.org"}, 21
    )

    assert 429 not in statuses[:20]
    assert statuses[20] == 429
    response = client.post(reverse("account_signup"), {"email": "one.more@example.org"})
    assert TOO_MANY in response.content


def test_access_joining_a_project_is_rate_limited_like_sign_up(client, personas):
    url = reverse("projects:join", args=[personas.project.slug])
    statuses = _posts_until_refused(client, url, lambda n: {"email": f"new{n}@example.org"}, 21)

    assert 429 not in statuses[:20]
    assert statuses[20] == 429


def test_access_password_reset_is_rate_limited(client):
    statuses = _posts_until_refused(
        client, reverse("account_reset_password"), lambda n: {"email": f"p{n}@example.org"}, 21
    )

    assert 429 not in statuses[:20]
    assert statuses[20] == 429


def test_access_password_reset_for_one_address_is_limited_sooner(client, mailoutbox):
    user = ParticipantFactory()
    for _ in range(6):
        client.post(reverse("account_reset_password"), {"email": user.email})

    assert len(mailoutbox) == 5


def test_access_rsvp_links_are_rate_limited_with_a_plain_english_page(client, settings):
    settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE = 3
    url = reverse("projects:rsvp", args=[rsvp_token(InvitationFactory(), RsvpAction.ACCEPT)])

    statuses = [client.get(url).status_code for _ in range(3)]
    refused = client.post(url)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert TOO_MANY in refused.content


def test_access_rsvp_rate_limit_counts_each_address_separately(client, settings):
    settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE = 1
    url = reverse("projects:rsvp", args=[rsvp_token(InvitationFactory(), RsvpAction.ACCEPT)])

    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get(url, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(url, REMOTE_ADDR="192.0.2.2").status_code == 200


PROXY = "10.0.0.1"


def test_access_behind_a_proxy_one_visitor_cannot_lock_the_others_out_of_logging_in(
    client, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    def attempt(visitor: str, n: int) -> int:
        data = {"login": f"nobody{n}@example.org", "password": "wrong-password-1"}
        headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": visitor}
        return client.post(reverse("account_login"), data, **headers).status_code

    attacker = [attempt("198.51.100.7", n) for n in range(31)]
    someone_else = attempt("198.51.100.8", 99)

    assert attacker[30] == 429
    assert someone_else != 429


def test_access_behind_a_proxy_rsvp_links_are_limited_per_visitor(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE = 1
    url = reverse("projects:rsvp", args=[rsvp_token(InvitationFactory(), RsvpAction.ACCEPT)])

    def answer(visitor: str) -> int:
        return client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=visitor).status_code

    assert answer("198.51.100.7") == 200
    assert answer("198.51.100.7") == 429
    assert answer("198.51.100.8") == 200


def test_access_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_limit(
    client, settings
):
    settings.COPROD_RSVP_RATE_LIMIT_PER_MINUTE = 1
    url = reverse("projects:rsvp", args=[rsvp_token(InvitationFactory(), RsvpAction.ACCEPT)])

    first = client.get(url, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    forged = client.get(url, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert first.status_code == 200
    assert forged.status_code == 429
