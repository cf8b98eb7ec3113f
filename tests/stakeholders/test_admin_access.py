"""The Django admin: staff only, logging in through allauth."""

import pytest
from django.urls import reverse

from stakeholders.models import Role, User

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_allauth_login(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_participants_and_commissioners_are_refused(client, personas):
    for user in (personas.participant, personas.commissioner):
        client.force_login(user)
        response = client.get(reverse("admin:index"), follow=True)
        assert response.status_code == 403


def test_staff_who_are_not_superusers_can_manage_people_and_projects(client, personas):
    assert not personas.staff.is_superuser
    client.force_login(personas.staff)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:stakeholders_user_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_project_add")).status_code == 200


def test_only_staff_make_staff_or_commissioners(client, personas):
    client.force_login(personas.staff)
    response = client.post(
        reverse("admin:stakeholders_user_add"),
        {
            "email": "new.commissioner@example.org",
            "name": "New Commissioner",
            "role": Role.COMMISSIONER,
            "password1": "a-long-admin-password-3",
            "password2": "a-long-admin-password-3",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new.commissioner@example.org").role == Role.COMMISSIONER
