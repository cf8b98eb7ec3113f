"""Requests for a copy of someone's data: staff note the day one arrived and how, the
export answers the oldest one waiting, and the rows outlive the person's erasure."""

import json
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import Person, RequestChannel, SubjectAccessRequest
from stakeholders.privacy import (
    ERASED_NAME,
    person_erase,
    subject_access_request_answer_oldest,
    subject_access_request_record,
)

pytestmark = pytest.mark.django_db


def _received_url(person: Person) -> str:
    return reverse("stakeholders:sar_received", args=[person.public_id])


def _note(person: Person, staff, *, days_ago: int, channel=RequestChannel.LETTER):
    return subject_access_request_record(
        person=person,
        received_on=timezone.localdate() - timedelta(days=days_ago),
        channel=channel,
        noted_by=staff,
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_staff_record_a_request_received_and_the_page_shows_it_waiting(staff_client, personas):
    person = personas.participant.person
    received_on = timezone.localdate() - timedelta(days=2)

    response = staff_client.post(
        _received_url(person), {"received_on": received_on.isoformat(), "channel": "email"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("stakeholders:sar", args=[person.public_id])
    noted = SubjectAccessRequest.objects.get()
    assert (noted.person, noted.received_on, noted.channel, noted.noted_by) == (
        person,
        received_on,
        RequestChannel.EMAIL,
        personas.staff,
    )
    assert noted.answered_at is None
    page = _text(staff_client.get(response["Location"]))
    assert f"Requests waiting: 1. The oldest arrived on {received_on.day} " in page
    assert "(email)" in page


def test_a_request_cannot_have_arrived_in_the_future(staff_client, personas):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = staff_client.post(
        _received_url(personas.participant.person),
        {"received_on": tomorrow.isoformat(), "channel": "letter"},
    )

    assert response.status_code == 200
    page = _text(response)
    assert 'id="error-summary"' in page
    assert page.count("The day the request arrived cannot be in the future.") == 2
    assert not SubjectAccessRequest.objects.exists()


def test_the_service_refuses_a_request_dated_in_the_future(personas):
    with pytest.raises(ValidationError) as raised:
        _note(personas.participant.person, personas.staff, days_ago=-1)

    assert raised.value.message_dict == {
        "received_on": ["The day the request arrived cannot be in the future."]
    }
    assert not SubjectAccessRequest.objects.exists()


def test_a_request_without_a_date_or_a_way_says_what_to_enter_beside_each_field(
    staff_client, personas
):
    response = staff_client.post(
        _received_url(personas.participant.person), {"received_on": "30/02/2026", "channel": "fax"}
    )

    assert response.status_code == 200
    page = _text(response)
    assert "Enter a date, like 14/07/2026." in page
    assert "Choose how the request came: letter, email, phone or in person." in page
    assert not SubjectAccessRequest.objects.exists()


def test_the_same_request_noted_twice_is_refused_with_a_message(staff_client, personas):
    person = personas.participant.person
    data = {"received_on": timezone.localdate().isoformat(), "channel": "phone"}
    staff_client.post(_received_url(person), data)

    response = staff_client.post(_received_url(person), data)

    assert response.status_code == 200
    assert "A request from this person that arrived that day, the same way, is already" in _text(
        response
    )
    assert SubjectAccessRequest.objects.count() == 1


def test_only_staff_may_record_a_request(client, personas):
    data = {"received_on": timezone.localdate().isoformat(), "channel": "letter"}

    for visitor in [personas.participant, personas.commissioner]:
        client.force_login(visitor)
        response = client.post(_received_url(personas.participant.person), data)
        assert response.status_code == 403

    assert not SubjectAccessRequest.objects.exists()


def test_taking_the_export_answers_the_oldest_waiting_request_only(staff_client, personas):
    person = personas.participant.person
    newer = _note(person, personas.staff, days_ago=3)
    oldest = _note(person, personas.staff, days_ago=20, channel=RequestChannel.IN_PERSON)
    someone_elses = _note(personas.other_participant.person, personas.staff, days_ago=30)

    response = staff_client.post(
        reverse("stakeholders:sar", args=[person.public_id]),
        {"note": "Letter from Pat", "format": "json"},
    )

    assert response.status_code == 200
    oldest.refresh_from_db()
    assert oldest.answered_by == personas.staff
    assert oldest.answered_at is not None
    assert SubjectAccessRequest.objects.get(pk=newer.pk).answered_at is None
    assert SubjectAccessRequest.objects.get(pk=someone_elses.pk).answered_at is None


def test_an_export_that_fails_its_form_answers_no_request(staff_client, personas):
    person = personas.participant.person
    _note(person, personas.staff, days_ago=3)

    response = staff_client.post(
        reverse("stakeholders:sar", args=[person.public_id]), {"note": "", "format": "json"}
    )

    assert response.status_code == 200
    assert not SubjectAccessRequest.objects.exclude(answered_at=None).exists()


def test_each_export_answers_one_request_until_none_is_left(personas):
    person = personas.participant.person
    first = _note(person, personas.staff, days_ago=9)
    second = _note(person, personas.staff, days_ago=4)

    answered = [
        subject_access_request_answer_oldest(person=person, answered_by=personas.staff)
        for _ in range(3)
    ]

    assert [request.pk if request else None for request in answered] == [
        first.pk,
        second.pk,
        None,
    ]


def test_a_request_is_in_the_persons_own_export_without_naming_staff(participant_client, personas):
    _note(personas.participant.person, personas.staff, days_ago=5)

    export = json.loads(participant_client.get(reverse("stakeholders:my_data_json")).content)

    rows = next(
        section["rows"]
        for section in export["records"]
        if section["key"] == "stakeholders.SubjectAccessRequest.person"
    )
    assert [(row["channel"], row["noted_by"]) for row in rows] == [("Letter", "Staff")]
    assert personas.staff.email not in json.dumps(rows)


def test_erasing_the_person_keeps_their_requests_as_the_organisations_record(personas):
    person = personas.participant.person
    noted = _note(person, personas.staff, days_ago=5)

    person_erase(person=person, erased_by=personas.staff)

    kept = SubjectAccessRequest.objects.get(pk=noted.pk)
    assert kept.person.full_name == ERASED_NAME
    assert (kept.received_on, kept.noted_by) == (noted.received_on, personas.staff)
