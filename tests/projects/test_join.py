"""The public page /join/<slug>/: what the project is, and signing up to it."""

import hashlib
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from projects.models import Membership, MembershipStatus
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

    client.logout()
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


def test_someone_staff_added_before_is_matched_not_duplicated(client, project):
    Person.objects.create(full_name="Ann Other", email="ann.other@example.org")
    client.post(reverse("projects:join", args=[project.slug]), SIGN_UP)
    assert Person.objects.count() == 1
    assert Person.objects.get().user.email == "ann.other@example.org"


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
