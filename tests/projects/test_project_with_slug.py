"""Every project page reads its project by slug through one query compiled once per
process (`project_with_slug`): the same object the ORM gives, nothing for an unknown slug,
and the pages that use it still answer 404 and 403 as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, Stage
from projects.selectors.projects import project_with_slug
from tests.factories.people import StaffFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_the_project_is_the_object_the_orm_gives(personas):
    project = personas.project
    Project.objects.filter(pk=project.pk).update(
        stage=Stage.DELIVERY,
        lead=StaffFactory(),
        archived_at=timezone.now(),
        is_open_to_join=False,
    )

    read = project_with_slug(project.slug)

    expected = Project.objects.get(pk=project.pk)
    with CaptureQueriesContext(connection) as queries:
        assert _fields(read) == _fields(expected)
    assert len(queries) == 0
    assert not read._state.adding and read._state.db == expected._state.db


def test_each_slug_reads_its_own_project_and_an_unknown_slug_reads_none(personas):
    assert project_with_slug(personas.project.slug).pk == personas.project.pk
    assert project_with_slug(personas.other_project.slug).pk == personas.other_project.pk
    assert project_with_slug("no-such-project") is None
    # Text that means something in SQL is only ever a value.
    assert project_with_slug("crisis-support' OR '1'='1") is None


def test_a_staff_page_of_an_unknown_project_is_not_found(staff_client, personas):
    response = staff_client.get(reverse("projects:detail", args=["no-such-project"]))

    assert response.status_code == 404


def test_a_staff_page_of_a_project_is_for_staff_only(participant_client, personas):
    response = participant_client.get(reverse("projects:detail", args=[personas.project.slug]))

    assert response.status_code == 403


def test_a_report_is_for_its_granted_commissioner_only(client, personas):
    url = reverse("evidence:report", args=[personas.project.slug])
    client.force_login(personas.commissioner)
    assert client.get(url).status_code == 200
    client.force_login(personas.ungranted_commissioner)
    assert client.get(url).status_code == 403
    assert client.get(reverse("evidence:report", args=["no-such-project"])).status_code == 404
