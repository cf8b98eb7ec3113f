"""Staff add someone who has no email or prefers not to use the web."""

import pytest
from django.urls import reverse

from projects.models import Membership, MembershipStatus
from stakeholders.models import ConsentKind, ConsentMethod, ConsentRecord, Person
from tests.factories.roster import SkillFactory

pytestmark = pytest.mark.django_db

FORM = {
    "full_name": "Doris Day",
    "preferred_name": "",
    "email": "",
    "phone": "0161 496 0000",
    "address": "",
    "preferred_contact": "phone",
    "stakeholder_group": "lived_experience",
    "access_needs": ["needs_large_print"],
    "other_access_needs": "",
    "other_interests": "",
    "availability": ["free_weekday_afternoons"],
    "consent_method": "paper",
    "consent_involvement": "on",
}


@pytest.fixture
def url(personas):
    return reverse("projects:roster_add", args=[personas.project.slug])


def test_staff_add_someone_without_an_email_with_consent_given_on_paper(client, personas, url):
    skill = SkillFactory(name="Listening")
    client.force_login(personas.staff)
    response = client.post(url, {**FORM, "skills": [skill.pk]})

    assert response.status_code == 302
    person = Person.objects.get(full_name="Doris Day")
    assert person.user is None and person.email == ""
    assert person.phone.as_e164 == "+441614960000"
    assert person.needs_large_print and person.free_weekday_afternoons
    assert list(person.skills.all()) == [skill]
    assert person.created_by == personas.staff
    consent = ConsentRecord.objects.get(person=person)
    assert consent.kind == ConsentKind.INVOLVEMENT
    assert consent.method == ConsentMethod.PAPER
    assert consent.recorded_by == personas.staff
    membership = Membership.objects.get(person=person)
    assert membership.project == personas.project
    assert membership.status == MembershipStatus.INTERESTED


def test_a_phone_number_already_on_the_roster_is_matched_not_duplicated(client, personas, url):
    Person.objects.create(full_name="Doris Day", phone="+441614960000")
    client.force_login(personas.staff)
    response = client.post(url, {**FORM, "phone": "0161 4960000"})
    assert response.status_code == 200
    assert b"Someone on the roster already has this phone number." in response.content
    assert Person.objects.filter(full_name="Doris Day").count() == 1


def test_consent_must_be_recorded(client, personas, url):
    data = {**FORM}
    del data["consent_involvement"]
    client.force_login(personas.staff)
    response = client.post(url, data)
    assert b"Please tick this box" in response.content
    assert b'value="Doris Day"' in response.content
    assert not Person.objects.filter(full_name="Doris Day").exists()


def test_consent_given_online_is_not_an_option_for_staff(client, personas, url):
    client.force_login(personas.staff)
    response = client.post(url, {**FORM, "consent_method": "online"})
    assert response.status_code == 200
    assert not Person.objects.filter(full_name="Doris Day").exists()


def test_some_way_to_reach_them_is_required(client, personas, url):
    client.force_login(personas.staff)
    response = client.post(url, {**FORM, "phone": ""})
    assert b"Give at least one way to reach them" in response.content


def test_participants_cannot_add_people(client, personas, url):
    client.force_login(personas.participant)
    assert client.post(url, FORM).status_code == 403
    assert not Person.objects.filter(full_name="Doris Day").exists()


def test_equality_answers_without_their_tick_box_are_not_dropped_silently(client, personas, url):
    client.force_login(personas.staff)
    response = client.post(url, {**FORM, "equality-age_band": "25_34"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tick this box if they agreed to equality monitoring" in page
    assert 'value="25_34" selected' in page
    assert not Person.objects.filter(full_name="Doris Day").exists()


def test_equality_answers_with_their_tick_box_are_kept(client, personas, url):
    client.force_login(personas.staff)
    response = client.post(url, {**FORM, "equality-age_band": "25_34", "consent_equality": "on"})

    assert response.status_code == 302
    assert Person.objects.get(full_name="Doris Day").equality.age_band == "25_34"
