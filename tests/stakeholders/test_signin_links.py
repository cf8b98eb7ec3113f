"""Signing in without a password, by a link staff send or someone asks for on the login page."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from coprod.core.texts import LocmemBackend
from stakeholders.models import ContactMethod, Person, Role, ShortLink, SigninLink, User
from stakeholders.privacy import person_erase
from stakeholders.signin import signin_link_give_up, signin_link_send
from stakeholders.tasks import send_signin_link
from stakeholders.views_signin import TOO_MANY_TO_ONE_ADDRESS
from tests.factories.people import ParticipantFactory
from tests.factories.roster import PersonFactory

BASE = "http://127.0.0.1:8000"
# Real commits, so links queued with transaction.on_commit are really sent.
pytestmark = pytest.mark.django_db(transaction=True)

SAME_ANSWER = "If we know that address or number, we've sent a link."
EXPIRED = "This link has expired or has already been used"


@pytest.fixture
def phone_only(db):
    """Someone staff added with a mobile number and no email, who has no login."""
    return PersonFactory(full_name="Morag Mobile", email="", phone="07911123456")


@pytest.fixture
def email_only(db):
    """Someone staff added with an email address, who has no login."""
    return PersonFactory(full_name="Eddie Email", email="eddie@example.org")


def _send_from_person_page(client, person):
    return client.post(reverse("stakeholders:person_signin_link", args=[person.public_id]))


def _path_in(text: str) -> str:
    url = re.search(r"http://127\.0\.0\.1:8000/\S+", text).group(0)
    return url.removeprefix(BASE)


def _follow(client, path: str):
    """Open the link as the person would: a short link leads on; then press the button."""
    if path.startswith("/l/"):
        path = client.get(path)["Location"]
    return client.post(path)


def _email_link(index: int = -1) -> str:
    return _path_in(mail.outbox[index].body)


def _text_link(text_outbox, index: int = -1) -> str:
    return _path_in(text_outbox[index]["body"])


# Staff send a link from the person page ---------------------------------------------------


def test_staff_send_a_link_by_email_and_following_it_opens_their_page(
    staff_client, email_only, client
):
    response = _send_from_person_page(staff_client, email_only)

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["eddie@example.org"]
    assert "works once, for 24 hours" in mail.outbox[0].body
    client.logout()
    answer = _follow(client, _email_link())
    assert answer["Location"] == reverse("pages:me")
    me = client.get(reverse("pages:me"))
    assert me.status_code == 200
    assert b"You logged in with a link" in me.content
    assert reverse("account_set_password").encode() in me.content


def test_staff_send_a_link_by_text_to_someone_with_only_a_phone(
    staff_client, phone_only, client, text_outbox
):
    _send_from_person_page(staff_client, phone_only)

    assert mail.outbox == []
    assert len(text_outbox) == 1
    text = text_outbox[0]
    assert text["to"] == "+447911123456"
    assert text["body"].startswith("coprod: Hello Morag Mobile, this link opens your own page")
    assert text["body"].endswith("It works once, for 24 hours.")
    short = _text_link(text_outbox)
    assert re.fullmatch(r"/l/[A-Za-z0-9_-]{8,10}/", short)
    client.logout()
    assert _follow(client, short)["Location"] == reverse("pages:me")
    assert client.get(reverse("pages:me")).status_code == 200


def test_someone_with_no_login_is_given_one_with_no_password_and_no_email(staff_client, phone_only):
    _send_from_person_page(staff_client, phone_only)

    phone_only.refresh_from_db()
    user = phone_only.user
    assert user is not None
    assert user.role == Role.PARTICIPANT
    assert user.email is None
    assert not user.has_usable_password()
    assert str(user) == "Morag Mobile"


def test_the_person_page_says_when_the_last_link_went_and_how(staff_client, phone_only):
    _send_from_person_page(staff_client, phone_only)

    page = staff_client.get(reverse("projects:person", args=[phone_only.public_id]))
    assert b"Last link sent" in page.content
    assert b"by text message to 07911 123456" in page.content
    assert b"Not used yet." in page.content


def test_the_person_page_shows_a_link_that_failed_and_why(staff_client, phone_only, monkeypatch):
    monkeypatch.setattr("stakeholders.signin._queue", lambda link_id: None)
    _send_from_person_page(staff_client, phone_only)
    link = SigninLink.objects.get()

    def refused(self, **kwargs):
        raise RuntimeError("The number is not a mobile number")

    monkeypatch.setattr(LocmemBackend, "send", refused)
    with pytest.raises(RuntimeError):
        signin_link_send(link_id=link.pk)
    page = staff_client.get(reverse("projects:person", args=[phone_only.public_id]))
    assert b"the last try failed (The number is not a mobile number)" in page.content

    signin_link_give_up(link_id=link.pk, error="The number is not a mobile number")
    page = staff_client.get(reverse("projects:person", args=[phone_only.public_id]))
    assert b"The last link did not go" in page.content
    assert b"The number is not a mobile number" in page.content


def test_someone_with_neither_email_nor_phone_gets_nothing_and_staff_are_told(staff_client):
    nobody = PersonFactory(email="", phone="")

    response = _send_from_person_page(staff_client, nobody)

    assert SigninLink.objects.count() == 0
    page = staff_client.get(response["Location"])
    assert b"No email or mobile number: add one first." in page.content


def test_an_email_another_login_holds_is_never_linked_and_staff_are_told(staff_client):
    ParticipantFactory(email="shared@example.org")
    person = PersonFactory(email="shared@example.org", preferred_contact=ContactMethod.EMAIL)

    response = _send_from_person_page(staff_client, person)

    person.refresh_from_db()
    assert person.user is None
    assert mail.outbox == []
    page = staff_client.get(response["Location"])
    assert b"Someone already logs in with shared@example.org" in page.content


def test_pressing_send_twice_sends_one_link(staff_client, email_only):
    _send_from_person_page(staff_client, email_only)
    _send_from_person_page(staff_client, email_only)

    assert len(mail.outbox) == 1


def test_staff_logins_are_never_sent_a_link(staff_client, personas):
    staff_person = PersonFactory(user=personas.staff, email="staff@example.org")

    _send_from_person_page(staff_client, staff_person)

    assert mail.outbox == []
    assert SigninLink.objects.count() == 0


def test_only_staff_may_send_a_link(participant_client, email_only):
    response = _send_from_person_page(participant_client, email_only)

    assert response.status_code == 403
    assert mail.outbox == []


# Following a link -------------------------------------------------------------------------


def test_a_link_works_once(staff_client, email_only, client):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    path = _email_link()
    _follow(client, path)
    client.logout()

    second = client.post(path)

    assert second.status_code == 200
    assert EXPIRED.encode() in second.content
    assert client.get(reverse("pages:me")).status_code == 302


def test_opening_a_link_does_not_use_it_up(staff_client, email_only, client):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    path = _email_link()

    assert b"Go to my page" in client.get(path).content
    assert b"Go to my page" in client.get(path).content
    assert client.post(path)["Location"] == reverse("pages:me")


def test_a_link_from_staff_lasts_24_hours(staff_client, email_only, client, monkeypatch):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    path = _email_link()
    now = time.time()

    monkeypatch.setattr("sesame.tokens_v2.time.time", lambda: now + 24 * 3600 - 60)
    assert b"Go to my page" in client.get(path).content
    monkeypatch.setattr("sesame.tokens_v2.time.time", lambda: now + 24 * 3600 + 1)
    assert EXPIRED.encode() in client.post(path).content
    assert client.get(reverse("pages:me")).status_code == 302


def test_a_link_asked_for_on_the_login_page_lasts_15_minutes(
    client, personas, monkeypatch, text_outbox
):
    client.post(reverse("stakeholders:signin_link_ask"), {"address": "participant@example.org"})
    path = _email_link()
    assert "works once, for 15 minutes" in mail.outbox[0].body
    now = time.time()

    monkeypatch.setattr("sesame.tokens_v2.time.time", lambda: now + 14 * 60)
    assert b"Go to my page" in client.get(path).content
    monkeypatch.setattr("sesame.tokens_v2.time.time", lambda: now + 15 * 60 + 1)
    assert EXPIRED.encode() in client.post(path).content


def test_a_link_is_refused_once_the_person_is_erased(staff_client, email_only, client, personas):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    path = _email_link()
    email_only.refresh_from_db()

    person_erase(person=email_only, erased_by=personas.staff)

    assert EXPIRED.encode() in client.post(path).content
    assert client.get(reverse("pages:me")).status_code == 302


def test_a_link_is_refused_for_an_erased_person_even_if_their_login_is_still_on(
    staff_client, email_only, client
):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    path = _email_link()
    Person.objects.filter(pk=email_only.pk).update(erased_at=timezone.now())

    assert EXPIRED.encode() in client.post(path).content
    assert client.get(reverse("pages:me")).status_code == 302


def test_a_link_is_refused_once_the_login_is_switched_off(staff_client, email_only, client):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    path = _email_link()
    email_only.refresh_from_db()
    User.objects.filter(pk=email_only.user_id).update(is_active=False)

    assert EXPIRED.encode() in client.post(path).content
    assert client.get(reverse("pages:me")).status_code == 302


def test_one_links_token_does_not_open_another_link(staff_client, email_only, personas, client):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    token = _email_link().split("?sesame=")[1]
    client.post(reverse("stakeholders:signin_link_ask"), {"address": "eddie@example.org"})
    other = SigninLink.objects.order_by("-pk").first()

    answer = client.post(
        reverse("stakeholders:signin_link_follow", args=[other.public_id]) + f"?sesame={token}"
    )

    assert EXPIRED.encode() in answer.content


def test_a_broken_or_unknown_link_lands_on_the_friendly_page(client, db):
    for path in [
        "/l/nothing1/",
        reverse("stakeholders:signin_link_follow", args=["00000000-0000-0000-0000-000000000000"]),
        reverse("stakeholders:signin_link_follow", args=["00000000-0000-0000-0000-000000000000"])
        + "?sesame=%%%",
    ]:
        response = client.get(path)
        assert response.status_code == 200
        assert EXPIRED.encode() in response.content
        assert b"Send me a link" in response.content


def test_a_short_link_stops_working_when_it_expires(staff_client, phone_only, text_outbox):
    _send_from_person_page(staff_client, phone_only)
    short = _text_link(text_outbox)
    ShortLink.objects.update(expires_at="2020-01-01T00:00Z")

    assert EXPIRED.encode() in staff_client.get(short).content


# Email addresses are proved only by email -----------------------------------------------


def test_following_a_link_by_email_proves_the_address(staff_client, email_only, client):
    _send_from_person_page(staff_client, email_only)
    client.logout()
    email_only.refresh_from_db()
    assert not EmailAddress.objects.filter(user=email_only.user).exists()

    _follow(client, _email_link())

    address = EmailAddress.objects.get(user=email_only.user)
    assert (address.email, address.verified, address.primary) == ("eddie@example.org", True, True)


def test_following_a_link_by_text_proves_no_email(staff_client, client, text_outbox):
    person = PersonFactory(
        email="unproved@example.org", phone="07911123457", preferred_contact=ContactMethod.TEXT
    )
    _send_from_person_page(staff_client, person)
    client.logout()

    _follow(client, _text_link(text_outbox))

    person.refresh_from_db()
    assert person.user.email == "unproved@example.org"
    assert not EmailAddress.objects.filter(user=person.user, verified=True).exists()


# Asking on the login page -----------------------------------------------------------------


def test_the_login_page_offers_a_link_beside_the_password(client, db):
    page = client.get(reverse("account_login"))

    assert b"Or get a link to log in" in page.content
    assert reverse("stakeholders:signin_link_ask").encode() in page.content


def test_asking_answers_the_same_for_known_and_unknown_addresses(client, personas):
    known = client.post(
        reverse("stakeholders:signin_link_ask"), {"address": "participant@example.org"}
    )
    unknown = client.post(
        reverse("stakeholders:signin_link_ask"), {"address": "stranger@example.org"}
    )

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert SAME_ANSWER.encode() in known.content
    assert [message.to for message in mail.outbox] == [["participant@example.org"]]


def test_asking_by_mobile_number_sends_a_text_to_the_number_on_the_roster(
    client, phone_only, text_outbox
):
    response = client.post(reverse("stakeholders:signin_link_ask"), {"address": "07911 123456"})

    assert SAME_ANSWER.encode() in response.content
    assert [text["to"] for text in text_outbox] == ["+447911123456"]
    assert mail.outbox == []
    assert _follow(client, _text_link(text_outbox))["Location"] == reverse("pages:me")


def test_asking_for_an_erased_or_switched_off_person_sends_nothing(
    client, personas, email_only, text_outbox
):
    person_erase(person=personas.other_participant.person, erased_by=personas.staff)
    User.objects.filter(pk=personas.participant.pk).update(is_active=False)

    for address in ["participant@example.org", "other.participant@example.org"]:
        response = client.post(reverse("stakeholders:signin_link_ask"), {"address": address})
        assert SAME_ANSWER.encode() in response.content
    assert mail.outbox == []


def test_staff_and_commissioners_cannot_ask_for_a_link(client, personas):
    PersonFactory(user=personas.staff, email="staff@example.org")
    for address in ["staff@example.org", "commissioner@example.org"]:
        response = client.post(reverse("stakeholders:signin_link_ask"), {"address": address})
        assert SAME_ANSWER.encode() in response.content
    assert mail.outbox == []


def test_something_neither_an_email_nor_a_number_is_refused_and_kept(client, db):
    response = client.post(reverse("stakeholders:signin_link_ask"), {"address": "my name is Jo"})

    assert response.status_code == 200
    assert b"Enter an email address, like name@example.com" in response.content
    assert b'value="my name is Jo"' in response.content
    assert b"Please check the form" in response.content
    assert SigninLink.objects.count() == 0


def test_one_address_is_sent_at_most_three_links_an_hour(client, personas):
    for _ in range(3):
        client.post(reverse("stakeholders:signin_link_ask"), {"address": "participant@example.org"})

    fourth = client.post(
        reverse("stakeholders:signin_link_ask"), {"address": "PARTICIPANT@example.org"}
    )

    assert len(mail.outbox) == 3
    assert TOO_MANY_TO_ONE_ADDRESS.replace("'", "&#x27;").encode() in fourth.content


def test_one_client_may_ask_ten_times_a_minute(client, db, settings):
    for number in range(10):
        response = client.post(
            reverse("stakeholders:signin_link_ask"), {"address": f"someone{number}@example.org"}
        )
        assert response.status_code == 200

    eleventh = client.post(
        reverse("stakeholders:signin_link_ask"), {"address": "another@example.org"}
    )

    assert eleventh.status_code == 429


# The outbox -------------------------------------------------------------------------------


def test_a_link_is_sent_once_however_often_its_task_runs(staff_client, phone_only, text_outbox):
    _send_from_person_page(staff_client, phone_only)
    link = SigninLink.objects.get()

    send_signin_link.delay(link.pk)
    assert signin_link_send(link_id=link.pk) is False

    assert len(text_outbox) == 1
    link.refresh_from_db()
    assert link.sent_at is not None
    assert link.attempts == 1
    assert link.provider_id == text_outbox[0]["id"]


def test_a_failed_send_is_released_for_the_next_try(phone_only, staff_client, monkeypatch):
    monkeypatch.setattr("stakeholders.signin._queue", lambda link_id: None)
    _send_from_person_page(staff_client, phone_only)
    link = SigninLink.objects.get()
    sent = LocmemBackend.send

    def unreachable(self, **kwargs):
        raise OSError("provider unreachable")

    monkeypatch.setattr(LocmemBackend, "send", unreachable)
    with pytest.raises(OSError):
        signin_link_send(link_id=link.pk)
    link.refresh_from_db()
    assert (link.claimed_at, link.sent_at, link.last_error) == (None, None, "provider unreachable")

    monkeypatch.setattr(LocmemBackend, "send", sent)
    assert signin_link_send(link_id=link.pk) is True
    link.refresh_from_db()
    assert link.attempts == 2
    assert link.last_error == ""


# A login with no email address ------------------------------------------------------------


def test_a_login_with_no_email_can_set_a_password_and_shows_in_the_admin(
    staff_client, phone_only, client, text_outbox
):
    _send_from_person_page(staff_client, phone_only)
    client.logout()
    _follow(client, _text_link(text_outbox))

    page = client.get(reverse("account_set_password"))
    assert page.status_code == 200
    saved = client.post(
        reverse("account_set_password"),
        {"password1": "a-long-new-password-42", "password2": "a-long-new-password-42"},
    )
    assert saved.status_code == 302
    phone_only.refresh_from_db()
    assert phone_only.user.has_usable_password()
    assert b"You logged in with a link" not in client.get(reverse("pages:me")).content

    admin = User.objects.create_superuser("admin@example.org", "an-admin-password-42")
    client.force_login(admin)
    listing = client.get(reverse("admin:stakeholders_user_changelist"))
    assert listing.status_code == 200
    assert b"Morag Mobile" in listing.content
    change = client.get(reverse("admin:stakeholders_user_change", args=[phone_only.user_id]))
    assert change.status_code == 200


def test_any_number_of_logins_may_have_no_email_but_an_email_is_still_unique(db):
    first = User.objects.create(name="One", email="")
    second = User.objects.create(name="Two", email=None)
    User.objects.create(email="Taken@example.org")

    assert first.email is None and second.email is None
    with pytest.raises(IntegrityError):
        User.objects.create(email="taken@EXAMPLE.org")


def test_my_page_offers_to_set_a_password_and_add_an_email_to_a_login_with_neither(
    staff_client, phone_only, client, text_outbox
):
    _send_from_person_page(staff_client, phone_only)
    client.logout()
    _follow(client, _text_link(text_outbox))

    page = client.get(reverse("pages:me")).content.decode()

    assert "Set a password (optional)" in page and "Change my password" not in page
    assert "Add an email address (optional)" in page
    assert "Change the email address I log in with" not in page
