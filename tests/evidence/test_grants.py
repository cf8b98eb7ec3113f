"""Staff give and take away a commissioner's access to a project's report, per project; taking
it away works from the commissioner's very next request."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from evidence.models import ReportGrant

pytestmark = pytest.mark.django_db


def grants_url(project) -> str:
    return reverse("evidence:grants", kwargs={"slug": project.slug})


def revoke_url(project) -> str:
    return reverse("evidence:grant_revoke", kwargs={"slug": project.slug})


def report_url(project) -> str:
    return reverse("evidence:report", kwargs={"slug": project.slug})


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_give_a_commissioner_access_to_one_projects_report(staff_client, personas):
    commissioner = logged_in(personas.ungranted_commissioner)
    assert commissioner.get(report_url(personas.other_project)).status_code == 403

    response = staff_client.post(
        grants_url(personas.other_project), {"commissioner": "ungranted@example.org"}, follow=True
    )

    grant = ReportGrant.objects.get(commissioner=personas.ungranted_commissioner)
    assert grant.project == personas.other_project
    assert grant.granted_by == personas.staff
    assert f"{escape(str(personas.ungranted_commissioner))} can now read" in (
        response.content.decode()
    )
    assert commissioner.get(report_url(personas.other_project)).status_code == 200
    assert commissioner.get(report_url(personas.project)).status_code == 403
    reports = commissioner.get(reverse("evidence:reports")).content.decode()
    assert "Housing repairs" in reports and "Crisis support" not in reports


def test_granting_twice_does_nothing_more(staff_client, personas):
    response = staff_client.post(
        grants_url(personas.project), {"commissioner": "commissioner@example.org"}, follow=True
    )

    assert ReportGrant.objects.filter(commissioner=personas.commissioner).count() == 1
    assert "could already read this project" in response.content.decode()


def test_revoking_takes_effect_at_the_commissioners_next_request(staff_client, personas):
    commissioner = logged_in(personas.commissioner)
    assert commissioner.get(report_url(personas.project)).status_code == 200

    response = staff_client.post(
        revoke_url(personas.project), {"commissioner": "commissioner@example.org"}, follow=True
    )

    assert not ReportGrant.objects.filter(commissioner=personas.commissioner).exists()
    assert "can no longer read this project" in response.content.decode()
    refused = commissioner.get(report_url(personas.project))
    assert refused.status_code == 403
    assert b"You have not been given access to this project&#x27;s report." in refused.content
    assert b"Crisis support" not in commissioner.get(reverse("evidence:reports")).content


def test_revoking_one_project_leaves_the_commissioners_other_grants(staff_client, personas):
    ReportGrant.objects.create(project=personas.other_project, commissioner=personas.commissioner)

    staff_client.post(revoke_url(personas.project), {"commissioner": "commissioner@example.org"})

    assert list(
        ReportGrant.objects.filter(commissioner=personas.commissioner).values_list(
            "project__slug", flat=True
        )
    ) == ["housing-repairs"]


def test_revoking_someone_without_access_changes_nothing(staff_client, personas):
    response = staff_client.post(
        revoke_url(personas.project), {"commissioner": "ungranted@example.org"}, follow=True
    )

    assert b"could not read this project&#x27;s report anyway" in response.content
    assert ReportGrant.objects.count() == 1


def test_only_commissioners_can_be_given_access(staff_client, personas):
    response = staff_client.post(
        grants_url(personas.other_project), {"commissioner": "participant@example.org"}
    )

    assert response.status_code == 200
    assert (
        '<p id="error_1_id_commissioner"><strong>That person is not a commissioner any more. '
        "Choose again.</strong></p>"
    ) in response.content.decode()
    assert not ReportGrant.objects.filter(project=personas.other_project).exists()


def test_the_page_lists_who_can_read_the_report_and_offers_every_commissioner(
    staff_client, personas
):
    page = staff_client.get(grants_url(personas.project)).content.decode()

    current = page[page.index("Who can read the report") : page.index("Give a commissioner")]
    offered = page[page.index("Give a commissioner") :]
    assert "commissioner@example.org" in current
    assert "ungranted@example.org" not in current
    assert 'value="ungranted@example.org"' in offered
    assert "participant@example.org" not in page


@pytest.mark.parametrize("visitor", ["participant", "commissioner", "ungranted_commissioner"])
def test_nobody_but_staff_can_give_or_take_away_access(client, personas, visitor):
    client.force_login(getattr(personas, visitor))

    given = client.post(
        grants_url(personas.other_project), {"commissioner": "ungranted@example.org"}
    )
    taken = client.post(revoke_url(personas.project), {"commissioner": "commissioner@example.org"})
    looked = client.get(grants_url(personas.project))

    assert [given.status_code, taken.status_code, looked.status_code] == [403, 403, 403]
    assert list(ReportGrant.objects.values_list("commissioner__email", "project__slug")) == [
        ("commissioner@example.org", "crisis-support")
    ]
