"""A participant's own details and consents in /me/."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import MembershipStatus
from stakeholders.models import ConsentKind, ConsentRecord, EqualityMonitoring
from stakeholders.services import consent_give, equality_answers_save
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db

DETAILS = {
    "full_name": "Pat Participant",
    "preferred_name": "Pat",
    "email": "pat@example.org",
    "phone": "",
    "address": "",
    "preferred_contact": "email",
    "stakeholder_group": "lived_experience",
    "access_needs": ["needs_easy_read"],
    "availability": ["free_weekday_mornings", "free_weekends"],
    "other_access_needs": "",
    "other_interests": "",
    "in_pool": "on",
}


def test_me_shows_my_projects_details_and_consents(client, personas):
    client.force_login(personas.participant)
    html = client.get(reverse("pages:me")).content.decode()
    assert "Crisis support" in html
    assert "you are taking part" in html
    assert "Keeping my details for involvement:" in html
    assert reverse("stakeholders:consent_withdraw", args=["involvement"]) in html


def test_me_never_shows_another_participants_details(client, personas):
    client.force_login(personas.participant)
    html = client.get(reverse("pages:me")).content.decode()
    assert "Olu Other" not in html
    assert "other.participant@example.org" not in html


def test_a_participant_changes_their_own_details(client, personas):
    client.force_login(personas.participant)
    response = client.post(reverse("stakeholders:profile"), DETAILS)
    assert response.status_code == 302
    person = personas.participant.person
    person.refresh_from_db()
    assert person.preferred_name == "Pat"
    assert person.needs_easy_read and not person.needs_bsl
    assert (
        person.free_weekday_mornings and person.free_weekends and not person.free_weekday_evenings
    )
    assert person.in_pool


def test_the_details_form_shows_current_answers(client, personas):
    person = personas.participant.person
    person.needs_bsl = True
    person.save()
    client.force_login(personas.participant)
    html = client.get(reverse("stakeholders:profile")).content.decode()
    assert re.search(r'<input[^>]*value="needs_bsl"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="needs_large_print"[^>]*checked', html)


def test_typing_another_email_in_my_details_changes_nothing_until_it_is_confirmed(client, personas):
    client.force_login(personas.participant)
    response = client.post(
        reverse("stakeholders:profile"), {**DETAILS, "email": "someone.else@example.org"}
    )
    person = personas.participant.person
    person.refresh_from_db()
    assert response.status_code == 302
    assert person.email == "participant@example.org"
    assert person.preferred_name == "Pat"  # the rest of the form is saved


def test_my_email_changes_once_i_follow_the_link_sent_to_the_new_address(client, personas):
    client.force_login(personas.participant)
    client.post(reverse("account_email"), {"action_add": "", "email": "Pat.New@example.org"})
    person = personas.participant.person
    person.refresh_from_db()
    assert person.email == "participant@example.org"

    link = re.search(r"https?://testserver(\S+)", mail.outbox[-1].body).group(1)
    client.post(link)

    person.refresh_from_db()
    assert person.email == "pat.new@example.org"


def test_a_confirmed_address_already_on_another_entry_leaves_that_entry_alone(client, personas):
    staff_added = PersonFactory(full_name="Pat on paper", email="pat.paper@example.org")
    client.force_login(personas.participant)
    client.post(reverse("account_email"), {"action_add": "", "email": "pat.paper@example.org"})
    link = re.search(r"https?://testserver(\S+)", mail.outbox[-1].body).group(1)

    response = client.post(link, follow=True)

    staff_added.refresh_from_db()
    assert staff_added.user is None
    assert personas.participant.person.email == "participant@example.org"
    assert b"the project team will check and join them up" in response.content


def test_the_preferred_contact_needs_its_details(client, personas):
    client.force_login(personas.participant)
    response = client.post(
        reverse("stakeholders:profile"), {**DETAILS, "preferred_contact": "post"}
    )
    assert b"Please give your postal address" in response.content


def test_withdrawing_equality_consent_deletes_the_answers_at_once(client, personas):
    person = personas.participant.person
    consent_give(person=person, kind=ConsentKind.EQUALITY, method="online", recorded_by=None)
    equality_answers_save(person=person, answers={"age_band": "25_34"})
    client.force_login(personas.participant)

    url = reverse("stakeholders:consent_withdraw", args=["equality"])
    assert b"Yes, withdraw my consent" in client.get(url).content
    response = client.post(url)

    assert response.status_code == 302
    assert not EqualityMonitoring.objects.filter(person=person).exists()
    record = ConsentRecord.objects.get(person=person, kind=ConsentKind.EQUALITY)
    assert record.withdrawn_at is not None
    assert record.withdrawn_by == personas.participant
    assert b"Your equality answers have been deleted" in client.get(reverse("pages:me")).content


def test_withdrawing_involvement_consent_takes_them_out_of_everything_at_once(client, personas):
    person = personas.participant.person
    person.in_pool = True
    person.save()
    client.force_login(personas.participant)

    client.post(reverse("stakeholders:consent_withdraw", args=["involvement"]))

    person.refresh_from_db()
    assert not person.involvement_consent_given
    assert not person.in_pool
    assert set(person.memberships.values_list("status", flat=True)) == {MembershipStatus.LEFT}


def test_an_unknown_consent_kind_is_not_found(client, personas):
    client.force_login(personas.participant)
    response = client.post(reverse("stakeholders:consent_withdraw", args=["everything"]))
    assert response.status_code == 404


def test_answering_equality_questions_later_records_that_consent(client, personas):
    client.force_login(personas.participant)
    response = client.post(reverse("stakeholders:equality"), {"gender": "woman"})
    assert response.status_code == 302
    person = personas.participant.person
    assert person.equality.gender == "woman"
    assert ConsentRecord.objects.filter(
        person=person, kind=ConsentKind.EQUALITY, withdrawn_at=None
    ).exists()


def test_a_participant_without_a_roster_entry_is_told_how_to_join(client, db):
    from tests.factories.people import ParticipantFactory

    client.force_login(ParticipantFactory())
    assert b"We do not have your details yet" in client.get(reverse("pages:me")).content
    assert client.get(reverse("stakeholders:profile")).status_code == 404


def test_the_change_email_page_explains_itself_and_asks_plainly(client, personas):
    client.force_login(personas.participant)

    page = client.get(reverse("account_email")).content.decode()
    empty = client.post(reverse("account_email"), {"action_add": "", "email": ""})

    assert "Change my email address" in page
    assert "Nothing changes until you press it" in page
    assert "Enter your new email address." in empty.content.decode()
