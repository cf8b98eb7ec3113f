"""The Django admin: staff only, logging in through allauth."""

import pytest
from allauth.mfa.models import Authenticator
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
    assert client.get(reverse("admin:stakeholders_person_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_project_add")).status_code == 200


def test_only_administrators_make_staff_or_commissioners(client, personas):
    administrator = User.objects.create_superuser("admin@example.org", "a-long-admin-password-9")
    new_commissioner = {
        "email": "new.commissioner@example.org",
        "name": "New Commissioner",
        "role": Role.COMMISSIONER,
        "password1": "a-long-admin-password-3",
        "password2": "a-long-admin-password-3",
        "usable_password": "true",
    }
    client.force_login(personas.staff)
    refused = client.post(reverse("admin:stakeholders_user_add"), new_commissioner)

    client.force_login(administrator)
    response = client.post(reverse("admin:stakeholders_user_add"), new_commissioner)

    assert refused.status_code == 403
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new.commissioner@example.org").role == Role.COMMISSIONER


ADMINISTRATORS_ONLY_PAGES = [
    "admin:stakeholders_user_changelist",
    "admin:mfa_authenticator_changelist",
    "admin:account_emailaddress_changelist",
    "admin:auth_group_changelist",
    "admin:django_celery_beat_periodictask_changelist",
]


@pytest.mark.parametrize("url_name", ADMINISTRATORS_ONLY_PAGES)
def test_everyday_staff_cannot_reach_accounts_authenticators_or_the_schedule(
    client, personas, url_name
):
    client.force_login(personas.staff)
    assert client.get(reverse(url_name)).status_code == 403


def test_everyday_staff_cannot_change_another_staff_members_login(client, personas):
    colleague = User.objects.create_user("colleague@example.org", role=Role.STAFF)
    client.force_login(personas.staff)

    page = client.get(reverse("admin:stakeholders_user_change", args=[colleague.pk]))
    index = client.get(reverse("admin:index")).content.decode()

    assert page.status_code == 403
    assert "Authenticator" not in index
    assert "Periodic tasks" not in index


def test_no_one_sees_an_authenticator_secret_in_the_admin(client, personas):
    administrator = User.objects.create_superuser("admin@example.org", "a-long-admin-password-9")
    totp = Authenticator.objects.create(
        user=personas.staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    client.force_login(administrator)

    page = client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk]))

    assert page.status_code == 200
    assert "JBSWY3DPEHPK3PXP" not in page.content.decode()
