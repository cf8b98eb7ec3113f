"""Invitations from the pool go by text to people who prefer texts, once each; a text the
provider refuses is given up on, with its reason, and the person listed to contact."""

import pytest
from django.core import mail
from django.urls import reverse

from coprod.core.texts import TextNotSent
from projects.models import ProjectInvitation
from projects.services.pool import pool_invitation_send, pool_invitations_sweep
from projects.tasks import send_pool_invitation
from stakeholders.models import ContactMethod
from tests.factories.roster import PersonFactory

pytestmark = pytest.mark.django_db


class RefusingBackend:
    def send(self, *, to: str, body: str, reference: str = "") -> str:
        raise TextNotSent("GOV.UK Notify refused it (400): Not a UK mobile number")


@pytest.fixture
def invitation(personas) -> ProjectInvitation:
    person = PersonFactory(
        full_name="Tess Texter",
        email="tess@example.org",
        phone="+447700900982",
        preferred_contact=ContactMethod.TEXT,
        in_pool=True,
    )
    return ProjectInvitation.objects.create(project=personas.project, person=person)


def test_a_pool_invitation_text_is_sent_once_however_often_its_task_runs(invitation, text_outbox):
    send_pool_invitation.delay(invitation.pk)
    send_pool_invitation.delay(invitation.pk)

    assert pool_invitation_send(invitation_id=invitation.pk) is False
    assert len(text_outbox) == 1
    assert mail.outbox == []
    invitation.refresh_from_db()
    assert (invitation.channel, invitation.provider_id) == ("text", text_outbox[0]["id"])


def test_a_refused_text_is_given_up_on_with_its_reason_and_never_swept_again(
    staff_client, personas, invitation, settings, text_outbox
):
    settings.COPROD_SMS_BACKEND = f"{__name__}.RefusingBackend"

    assert pool_invitation_send(invitation_id=invitation.pk) is False
    ProjectInvitation.objects.filter(pk=invitation.pk).update(
        created_at=invitation.created_at.replace(year=2020)
    )

    invitation.refresh_from_db()
    assert invitation.failed_at is not None
    assert invitation.last_error == "GOV.UK Notify refused it (400): Not a UK mobile number"
    assert pool_invitations_sweep() == 0
    assert pool_invitation_send(invitation_id=invitation.pk) is False
    page = staff_client.get(reverse("projects:finder", args=[personas.project.slug]))
    assert "Tess Texter: contact by phone" in page.content.decode()
    assert "Not a UK mobile number" in page.content.decode()
