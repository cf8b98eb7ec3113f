"""Signed links to a pool invitation's page, which work without logging in (as RSVP links
do, projects/rsvp.py). One link per invitation: the page offers both answers."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from projects.models import ProjectInvitation

SALT = "coprod.pool-invitation"


class BadToken(Exception):
    """The link was changed, cut short or made up."""


def pool_invitation_token(invitation: ProjectInvitation) -> str:
    return signing.dumps({"i": str(invitation.public_id)}, salt=SALT, compress=True)


def pool_invitation_read(token: str) -> str:
    """The invitation's public id from a token; raises BadToken."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(data, dict) or not isinstance(data.get("i"), str):
        raise BadToken
    return data["i"]


def pool_invitation_path(invitation: ProjectInvitation) -> str:
    return reverse("projects:pool_invitation", args=[pool_invitation_token(invitation)])


def pool_invitation_url(invitation: ProjectInvitation) -> str:
    """The absolute address of the invitation's page, for an email or a text message."""
    return settings.COPROD_BASE_URL.rstrip("/") + pool_invitation_path(invitation)
