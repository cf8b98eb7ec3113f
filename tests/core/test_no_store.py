"""Nothing a signed-in person sees may be kept by a browser or a proxy."""

import pytest
from django.urls import reverse

from projects.rsvp import RsvpAction, rsvp_token
from tests.factories.meetings import InvitationFactory

pytestmark = pytest.mark.django_db


def _personal_pages(personas) -> list[tuple[object, str]]:
    project = personas.project.slug
    person = personas.participant.person.public_id
    return [
        (personas.participant, reverse("pages:me")),
        (personas.participant, reverse("stakeholders:profile")),
        (personas.participant, reverse("stakeholders:my_data")),
        (personas.participant, reverse("stakeholders:my_data_json")),
        (personas.participant, reverse("projects:my_payments")),
        (personas.participant, reverse("decisions:my_decisions")),
        (personas.staff, reverse("pages:dashboard")),
        (personas.staff, reverse("projects:roster", args=[project])),
        (personas.staff, reverse("stakeholders:sar", args=[person])),
        (personas.commissioner, reverse("evidence:report", args=[project])),
        (personas.commissioner, reverse("evidence:report", args=[project]) + "?format=csv"),
    ]


def test_personal_pages_and_downloads_are_never_stored(client, personas):
    for user, url in _personal_pages(personas):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_an_rsvp_page_reached_by_its_link_is_never_stored(client):
    url = reverse("projects:rsvp", args=[rsvp_token(InvitationFactory(), RsvpAction.ACCEPT)])
    assert "no-store" in client.get(url)["Cache-Control"]


def test_the_public_home_page_may_be_cached(client):
    assert "no-store" not in client.get(reverse("pages:home")).get("Cache-Control", "")
