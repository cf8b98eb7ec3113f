"""Cached page parts: served without their queries until the data changes, never stale after
a change, each visitor with their own csrf token, and nothing a person typed kept."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coprod.core import pagecache
from coprod.core.pagecache import VERSION_KEY, data_changed, data_version
from projects.models import Membership, MembershipStatus
from stakeholders.privacy import retention_apply
from tests.factories.people import StaffFactory
from tests.factories.roster import MembershipFactory, PersonFactory
from tests.stakeholders.test_privacy_retention import _signup


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """The page cache is off unless COPROD_PAGE_CACHE says otherwise; these tests are about
    what it does when it is on."""
    settings.PAGE_CACHE = True


def _roster_url(project) -> str:
    return reverse("projects:roster", args=[project.slug])


def _queries_for(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def _without_csrf_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize(
    ("url_name", "of_project"),
    [
        ("pages:dashboard", False),
        ("projects:list", False),
        ("projects:detail", True),
        ("projects:roster", True),
        ("evidence:report", True),
    ],
)
def test_a_staff_page_seen_again_runs_none_of_its_own_queries(
    staff_client, personas, url_name, of_project
):
    url = reverse(url_name, args=[personas.project.slug] if of_project else [])

    first_count, first = _queries_for(staff_client, url)
    again_count, again = _queries_for(staff_client, url)

    assert again_count < first_count
    # What remains is the visitor's session, login and the project the URL names.
    assert again_count <= 4
    assert _without_csrf_tokens(again) == _without_csrf_tokens(first)


def test_with_the_page_cache_off_a_page_seen_again_runs_its_queries_again(
    staff_client, personas, settings
):
    settings.PAGE_CACHE = False
    url = _roster_url(personas.project)

    first_count, _ = _queries_for(staff_client, url)
    again_count, _ = _queries_for(staff_client, url)

    assert not [key for key in cache._cache if "pagecache:" in key and "data-version" not in key]
    settings.PAGE_CACHE = True
    _queries_for(staff_client, url)
    kept_count, _ = _queries_for(staff_client, url)
    # Seen again, the page runs all its queries again, not only those of a kept page.
    assert again_count == first_count > kept_count


def test_my_page_seen_again_runs_only_the_login_queries(client, personas):
    client.force_login(personas.participant)
    url = reverse("pages:me")

    first_count, first = _queries_for(client, url)
    again_count, again = _queries_for(client, url)

    assert "Planning session" in again
    assert again_count < first_count
    assert _without_csrf_tokens(again) == _without_csrf_tokens(first)


def test_a_staff_page_is_kept_for_each_member_of_staff_apart(staff_client, personas):
    other = StaffFactory(email="second-staff@example.org")
    other_client = Client()
    other_client.force_login(other)  # before: signing in saves the user, a change of data
    url = _roster_url(personas.project)
    first_count, _ = _queries_for(staff_client, url)

    other_count, _ = _queries_for(other_client, url)

    # The other member of staff's first visit renders the part afresh, not from the first's.
    assert other_count >= first_count - 2


def test_my_page_is_kept_for_each_person_apart(client, personas):
    client.force_login(personas.participant)
    client.get(reverse("pages:me"))
    other = Client()
    other.force_login(personas.other_participant)

    html = other.get(reverse("pages:me")).content.decode()

    assert "Olu Other" in html
    assert "Pat Participant" not in html
    assert "Planning session" not in html


def test_someone_saved_since_the_page_was_cached_shows_on_the_next_request(staff_client, personas):
    url = _roster_url(personas.project)
    assert "Newt Newcomer" not in staff_client.get(url).content.decode()

    MembershipFactory(project=personas.project, person=PersonFactory(full_name="Newt Newcomer"))

    assert "Newt Newcomer" in staff_client.get(url).content.decode()


def test_a_change_made_by_bulk_updates_in_a_post_shows_on_the_next_request(staff_client, personas):
    """Withdrawing consent takes the person out of every project with a bulk update."""
    url = _roster_url(personas.project)
    assert "consent withdrawn" not in staff_client.get(url).content.decode()
    participant = Client()
    participant.force_login(personas.participant)

    participant.post(reverse("stakeholders:consent_withdraw", args=["involvement"]))

    assert Membership.objects.get(person=personas.participant.person).status == "left"
    html = staff_client.get(url).content.decode()
    assert "consent withdrawn" in html


def test_any_post_makes_cached_parts_stale_even_one_that_is_refused(client, personas):
    client.force_login(personas.participant)
    before = data_version()

    response = client.post(reverse("pages:dashboard"))

    assert response.status_code in (403, 404)
    assert data_version() > before


def test_a_bulk_change_by_the_retention_task_makes_cached_parts_stale(db):
    _signup("stale@example.org", days_ago=91)
    before = data_version()

    retention_apply()

    assert data_version() > before


def test_a_lost_version_starts_again_above_every_version_used_before(db):
    data_changed()
    data_changed()
    used = data_version()
    cache.delete(VERSION_KEY)

    data_changed()

    assert data_version() > used


def test_each_visitor_gets_their_own_csrf_token_in_a_cached_form(personas):
    url = _roster_url(personas.project)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(personas.staff)
    second.force_login(personas.staff)
    first.get(url)

    html = second.get(url).content.decode()

    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1
    assert "placeholder" not in tokens.pop()
    # The token the cached page carried is accepted: the status change goes through.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    person = personas.participant.person
    response = second.post(
        reverse("projects:membership_status", args=[personas.project.slug, person.public_id]),
        {"status": MembershipStatus.LEFT, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Membership.objects.get(person=person, project=personas.project).status == "left"


def test_a_sign_up_form_sent_back_with_errors_is_never_cached_for_someone_else(personas):
    personas.project.is_open_to_join = True
    personas.project.save(update_fields=["is_open_to_join"])
    url = reverse("projects:join", args=[personas.project.slug])
    Client().get(url)  # the empty form is cached

    sent_back = Client().post(url, {"full_name": "Zebedee Quill", "email": "not-an-email"})
    html = Client().get(url).content.decode()

    assert "Zebedee Quill" in sent_back.content.decode()
    assert "Zebedee Quill" not in html
    assert "Sign up to take part" in html
    assert 'name="full_name"' in html


def test_a_changed_template_anywhere_gives_cached_parts_new_keys(tmp_path, monkeypatch, request):
    """A deploy that changes any template, an included one too, never serves the old HTML."""
    request.addfinalizer(pagecache.templates_hash.cache_clear)
    (tmp_path / "projects").mkdir()
    included = tmp_path / "projects" / "payments_budget.html"
    included.write_text("<p>Budget</p>")
    monkeypatch.setattr(pagecache, "TEMPLATES_DIR", tmp_path)
    pagecache.templates_hash.cache_clear()
    before = pagecache.templates_hash()

    included.write_text("<p>Involvement budget</p>")
    pagecache.templates_hash.cache_clear()

    assert pagecache.templates_hash() != before
