"""The public page /join/<slug>/: what the project is, and signing up to it."""

import hashlib
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coprod.core.csrf_slot import CSRF_SLOT
from projects.models import Membership, MembershipStatus
from projects.services.memberships import person_add_assisted
from stakeholders.consent import CONSENT_TEXTS
from stakeholders.models import (
    ConsentKind,
    ConsentMethod,
    ConsentRecord,
    EqualityMonitoring,
    Person,
    Role,
    User,
)
from stakeholders.privacy import retention_apply
from stakeholders.services import consent_withdraw
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "full_name": "Ann Other",
    "preferred_name": "Annie",
    "email": "Ann.Other@Example.org",
    "phone": "07911 123456",
    "password1": "a-long-pass-1234",
    "password2": "a-long-pass-1234",
    "stakeholder_group": "carer",
    "preferred_contact": "text",
    "access_needs": ["needs_bsl", "needs_step_free"],
    "consent_involvement": "on",
}


@pytest.fixture
def project():
    return ProjectFactory(
        slug="crisis-care",
        name="Crisis care",
        summary="Changing what happens in a crisis.",
        time_commitment="Two hours a month",
        place="Town Hall",
        payment_offer="£25 an hour plus travel",
        access_support="BSL interpreters and step-free rooms.",
        contact_name="Jo Bloggs",
        contact_email="jo@example.org",
    )


def test_the_page_says_what_taking_part_involves(client, project):
    html = client.get(reverse("projects:join", args=[project.slug])).content.decode()
    for text in (
        "Changing what happens in a crisis.",
        "Two hours a month",
        "Town Hall",
        "£25 an hour plus travel",
        "BSL interpreters",
        "jo@example.org",
    ):
        assert text in html
    assert 'for="id_full_name"' in html


def test_the_home_page_links_to_each_open_project(client, project):
    ProjectFactory(slug="closed-one", is_open_to_join=False)
    html = client.get("/").content.decode()
    assert reverse("projects:join", args=["crisis-care"]) in html
    assert reverse("projects:join", args=["closed-one"]) not in html


def test_a_project_not_open_to_join_is_not_found(client):
    ProjectFactory(slug="closed-one", is_open_to_join=False)
    assert client.get(reverse("projects:join", args=["closed-one"])).status_code == 404
    assert client.get(reverse("projects:join", args=["no-such-project"])).status_code == 404


def test_sign_up_creates_a_participant_a_roster_entry_consent_and_interest(client, project):
    response = client.post(reverse("projects:join", args=[project.slug]), SIGN_UP)

    assert response.status_code == 302
    user = User.objects.get(email="ann.other@example.org")
    assert user.role == Role.PARTICIPANT
    assert not EmailAddress.objects.get(user=user).verified
    person = Person.objects.get(user=user)
    assert person.full_name == "Ann Other"
    assert str(person.phone) == "07911 123456" and person.phone.as_e164 == "+447911123456"
    assert person.needs_bsl and person.needs_step_free and not person.needs_easy_read
    membership = Membership.objects.get(person=person, project=project)
    assert membership.status == MembershipStatus.INTERESTED
    consent = ConsentRecord.objects.get(person=person)
    assert consent.kind == ConsentKind.INVOLVEMENT
    assert consent.method == ConsentMethod.ONLINE
    assert consent.recorded_by == user
    assert consent.wording.text == CONSENT_TEXTS[ConsentKind.INVOLVEMENT][1]
    assert consent.wording.sha256 == hashlib.sha256(consent.wording.text.encode()).hexdigest()
    assert not EqualityMonitoring.objects.exists()
    assert mail.outbox[0].to == ["ann.other@example.org"]


def test_equality_answers_are_kept_only_with_their_own_consent(client, project):
    answers = {"equality-age_band": "25_34", "equality-disability": "yes"}
    client.post(reverse("projects:join", args=[project.slug]), {**SIGN_UP, **answers})
    assert not EqualityMonitoring.objects.exists()

    other = {**SIGN_UP, "email": "b@example.org", "phone": "", "preferred_contact": "email"}
    client.post(
        reverse("projects:join", args=[project.slug]),
        {**other, **answers, "consent_equality": "on"},
    )
    person = Person.objects.get(email="b@example.org")
    assert person.equality.age_band == "25_34"
    assert ConsentRecord.objects.filter(person=person, kind=ConsentKind.EQUALITY).exists()


def test_sign_up_without_involvement_consent_is_refused_and_keeps_what_was_typed(client, project):
    data = {**SIGN_UP}
    del data["consent_involvement"]
    response = client.post(reverse("projects:join", args=[project.slug]), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please tick this box so that we can keep your details." in html
    assert 'value="Ann Other"' in html
    assert 'value="Ann.Other@Example.org"' in html
    assert re.search(r'value="needs_bsl"[^>]*checked', html)
    assert not User.objects.exists() and not Person.objects.exists()


def test_a_bad_phone_number_is_explained_beside_the_field(client, project):
    response = client.post(
        reverse("projects:join", args=[project.slug]), {**SIGN_UP, "phone": "12345"}
    )
    assert b"Enter a UK phone number, like 07911 123456." in response.content
    assert not User.objects.exists()


def test_text_messages_need_a_phone_number(client, project):
    response = client.post(reverse("projects:join", args=[project.slug]), {**SIGN_UP, "phone": ""})
    assert b"Please give a phone number so that we can call or text you." in response.content


def test_after_confirming_the_email_the_participant_sees_the_project_on_their_page(client, project):
    response = client.post(reverse("projects:join", args=[project.slug]), SIGN_UP)
    assert b"Open the email and press the link" in client.get(response["Location"]).content
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)
    response = client.post(link)
    assert response["Location"] == reverse("projects:joined", args=[project.slug])
    assert b"Thank you for signing up" in client.get(response["Location"]).content
    html = client.get(reverse("pages:me")).content.decode()
    assert "Crisis care" in html
    assert "you said you are interested" in html


def _confirm_from_the_email(client) -> None:
    link = re.search(r"https?://testserver(\S+)", mail.outbox[-1].body).group(1)
    client.post(link)


def test_someone_staff_added_before_is_matched_not_duplicated(client, project):
    Person.objects.create(full_name="Ann Other", email="ann.other@example.org")
    client.post(reverse("projects:join", args=[project.slug]), SIGN_UP)
    _confirm_from_the_email(client)
    assert Person.objects.count() == 1
    assert Person.objects.get().user.email == "ann.other@example.org"


@pytest.fixture
def staff_added(personas, project):
    """Someone staff added on paper, who later withdrew: equality answers, a withdrawn
    consent and a project they left."""
    person = person_add_assisted(
        staff=personas.staff,
        project=project,
        person_fields={"full_name": "Ann Other", "email": "ann.other@example.org"},
        skills=[],
        consent_method=ConsentMethod.PAPER,
        equality_consent=True,
        equality_answers={"age_band": "35_49"},
    )
    consent_withdraw(person=person, kind=ConsentKind.INVOLVEMENT, withdrawn_by=personas.staff)
    return person


def _state(person) -> tuple:
    person.refresh_from_db()
    return (
        person.user_id,
        person.full_name,
        person.phone,
        person.involvement_consent_given,
        list(person.consents.values_list("kind", "method", "withdrawn_at")),
        list(EqualityMonitoring.objects.filter(person=person).values()),
        list(person.memberships.values_list("project", "status")),
    )


def test_a_sign_up_with_someone_elses_email_changes_nothing_about_them(
    client, project, staff_added
):
    before = _state(staff_added)
    takeover = {
        **SIGN_UP,
        "full_name": "Not Ann",
        "equality-age_band": "65_79",
        "consent_equality": "on",
    }

    response = client.post(reverse("projects:join", args=[project.slug]), takeover)

    assert response.status_code == 302
    assert _state(staff_added) == before
    assert not Person.objects.filter(full_name="Not Ann").exists()


def test_a_held_sign_up_never_confirmed_is_swept_leaving_the_real_entry(
    client, project, staff_added
):
    before = _state(staff_added)
    client.post(reverse("projects:join", args=[project.slug]), SIGN_UP)
    User.objects.filter(email="ann.other@example.org").update(
        date_joined=timezone.now() - timedelta(days=91)
    )

    removed = retention_apply()

    assert removed["unconfirmed_signups"] == 1
    assert not User.objects.filter(email="ann.other@example.org").exists()
    assert _state(staff_added) == before


def test_once_the_owner_confirms_the_sign_up_joins_their_entry_with_a_new_password_to_choose(
    client, project, staff_added
):
    client.post(reverse("projects:join", args=[project.slug]), SIGN_UP)

    _confirm_from_the_email(client)

    staff_added.refresh_from_db()
    user = User.objects.get(email="ann.other@example.org")
    assert staff_added.user == user
    assert staff_added.full_name == "Ann Other"  # what staff wrote is kept
    assert staff_added.phone == "+447911123456"  # what was blank is filled in
    assert staff_added.involvement_consent_given
    assert staff_added.consents.filter(method=ConsentMethod.ONLINE, withdrawn_at=None).exists()
    assert staff_added.memberships.get().status == MembershipStatus.INTERESTED
    # Whoever typed the password need not be whoever owns the mailbox.
    assert not user.has_usable_password()
    assert not client.login(email=user.email, password=SIGN_UP["password1"])


def test_a_phone_number_on_the_roster_is_not_revealed_by_signing_up(client, project):
    Person.objects.create(full_name="Kim Lee", phone="+447911123456")
    fresh = client.post(
        reverse("projects:join", args=[project.slug]), {**SIGN_UP, "email": "new@example.org"}
    )
    client.logout()
    known = client.post(
        reverse("projects:join", args=[project.slug]),
        {**SIGN_UP, "email": "newer@example.org", "phone": "07911 123456"},
    )

    assert fresh.status_code == known.status_code == 302
    assert fresh["Location"] == known["Location"]
    assert Person.objects.filter(phone="+447911123456").count() == 1
    _confirm_from_the_email(client)
    newer = Person.objects.get(email="newer@example.org")
    assert newer.phone == ""
    assert newer.user.has_usable_password()


def test_a_signed_in_participant_joins_another_project_in_one_click(client, personas):
    client.force_login(personas.participant)
    url = reverse("projects:join", args=[personas.other_project.slug])
    assert b"Yes, I am interested" in client.get(url).content
    response = client.post(url)
    assert response.status_code == 302
    membership = Membership.objects.get(
        person=personas.participant.person, project=personas.other_project
    )
    assert membership.status == MembershipStatus.INTERESTED


def test_staff_cannot_join_a_project_as_a_participant(client, personas):
    client.force_login(personas.staff)
    url = reverse("projects:join", args=[personas.other_project.slug])
    assert b"cannot join projects" in client.get(url).content
    client.post(url)
    assert not Membership.objects.filter(project=personas.other_project).exists()


# Equality answers given without their consent are never dropped silently.

EQUALITY_ANSWERS = {"equality-age_band": "25_34", "equality-disability": "yes"}


def _selected(html: str, name: str, value: str) -> bool:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(rf'<option value="{value}"[^>]*selected', select) is not None


def test_the_form_says_beside_the_answers_that_they_are_kept_only_with_the_box_ticked(
    client, project
):
    html = client.get(reverse("projects:join", args=[project.slug])).content.decode()

    fieldset = html[html.index("Equality questions (optional)") :]
    assert fieldset.index("We only keep your answers if you tick the box below.") < (
        fieldset.index('name="consent_equality"')
    )
    assert fieldset.index('name="consent_equality"') < fieldset.index('name="equality-age_band"')


def test_answers_without_the_box_ticked_show_the_form_again_with_a_message_and_the_answers(
    client, project
):
    response = client.post(
        reverse("projects:join", args=[project.slug]), {**SIGN_UP, **EQUALITY_ANSWERS}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please check the form" in html
    assert 'href="#id_consent_equality"' in html, "the summary links to the box"
    assert "Tick this box so that we can keep your equality answers" in html
    assert _selected(html, "equality-age_band", "25_34")
    assert _selected(html, "equality-disability", "yes")
    assert 'value="Ann Other"' in html, "nothing typed is lost"
    assert not User.objects.exists() and not Person.objects.exists()
    assert mail.outbox == []


def test_ticking_the_box_then_signs_up_and_keeps_the_answers(client, project):
    client.post(reverse("projects:join", args=[project.slug]), {**SIGN_UP, **EQUALITY_ANSWERS})

    response = client.post(
        reverse("projects:join", args=[project.slug]),
        {**SIGN_UP, **EQUALITY_ANSWERS, "consent_equality": "on"},
    )

    assert response.status_code == 302
    person = Person.objects.get(email="ann.other@example.org")
    assert person.equality.age_band == "25_34" and person.equality.disability == "yes"


def test_no_answers_and_no_tick_signs_up_without_asking(client, project):
    response = client.post(reverse("projects:join", args=[project.slug]), SIGN_UP)

    assert response.status_code == 302
    assert not EqualityMonitoring.objects.exists()


def test_an_error_elsewhere_keeps_the_equality_answers_and_names_every_problem(client, project):
    data = {**SIGN_UP, **EQUALITY_ANSWERS, "full_name": ""}

    html = client.post(reverse("projects:join", args=[project.slug]), data).content.decode()

    assert 'href="#id_full_name"' in html
    assert 'href="#id_consent_equality"' in html, "both problems at once"
    assert _selected(html, "equality-age_band", "25_34")
    assert not User.objects.exists()


def test_the_blank_form_rendered_once_carries_each_visitors_own_csrf_token():
    project = ProjectFactory(is_open_to_join=True)
    url = reverse("projects:join", args=[project.slug])
    tokens = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(url).content.decode()
        assert CSRF_SLOT not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        tokens.append(token)
        # The token in the form is one this visitor's own session accepts.
        answer = visitor.post(url, {"full_name": "Ann", "csrfmiddlewaretoken": token})
        assert answer.status_code == 200
    assert tokens[0] != tokens[1]
