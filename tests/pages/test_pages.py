"""The homes and error pages: plain English, landmarks, one <h1>, a skip link."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def _assert_accessible_structure(html: str) -> None:
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert 'href="#main"' in html and 'id="main"' in html
    assert '<html lang="en-GB">' in html
    assert "<header" in html and "<footer" in html


@pytest.mark.parametrize(
    ("role", "url_name", "says"),
    [
        ("staff", "pages:dashboard", "Upcoming meetings"),
        ("participant", "pages:me", "Find a project to join"),
        ("commissioner", "evidence:reports", "Crisis support"),
    ],
)
def test_each_home_says_what_the_person_can_do_next(client, personas, role, url_name, says):
    client.force_login(personas.by_role()[role])
    response = client.get(reverse(url_name))
    html = response.content.decode()
    _assert_accessible_structure(html)
    assert says in html


def test_the_commissioners_reports_list_only_granted_projects(client, personas):
    client.force_login(personas.commissioner)
    html = client.get(reverse("evidence:reports")).content.decode()
    assert personas.project.name in html
    assert personas.other_project.name not in html


def test_a_commissioner_without_grants_is_told_what_to_do(client, personas):
    client.force_login(personas.ungranted_commissioner)
    assert (
        b"Ask the project's staff to give you access"
        in client.get(reverse("evidence:reports")).content
    )


def test_the_home_page_lists_only_projects_open_to_join(client, personas):
    personas.other_project.is_open_to_join = False
    personas.other_project.save()
    html = client.get(reverse("pages:home")).content.decode()
    _assert_accessible_structure(html)
    assert personas.project.name in html
    assert personas.other_project.name not in html
    assert reverse("account_login") in html


def test_the_project_list_paginates(client, personas):
    from tests.factories.projects import ProjectFactory

    ProjectFactory.create_batch(30)
    client.force_login(personas.staff)
    first = client.get(reverse("projects:list")).content.decode()
    assert "Page 1 of 2" in first
    assert "Next page" in first
    assert client.get(reverse("projects:list"), {"page": "not-a-number"}).status_code == 200


def test_a_missing_page_is_a_plain_english_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_a_wrong_role_gets_a_plain_english_403(client, personas):
    client.force_login(personas.participant)
    response = client.get(reverse("pages:dashboard"))
    assert response.status_code == 403
    assert b"This page is for staff who run co-production projects." in response.content


def test_the_500_page_is_plain_english_and_needs_no_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Sorry, something went wrong" in response.content


@pytest.mark.parametrize("url_name", ["pages:home", "pages:healthz"])
def test_load_balancers_may_probe_with_head(client, db, url_name):
    response = client.head(reverse(url_name))
    assert response.status_code == 200
    assert response.content == b""
