"""Signed RSVP links that work without logging in, for one invitation only."""

from dataclasses import dataclass

from django.core import signing

from projects.models import Invitation

SALT = "coprod.rsvp"


class RsvpAction:
    ACCEPT = "accept"
    DECLINE = "decline"
    SUPPORT = "support"
    ALL = (ACCEPT, DECLINE, SUPPORT)


class BadToken(Exception):
    """The link was changed, cut short or made up."""


@dataclass(frozen=True)
class Rsvp:
    invitation_id: str
    action: str


def rsvp_token(invitation: Invitation, action: str) -> str:
    return signing.dumps({"i": str(invitation.public_id), "a": action}, salt=SALT, compress=True)


def rsvp_read(token: str) -> Rsvp:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise BadToken from error
    if not isinstance(data, dict) or data.get("a") not in RsvpAction.ALL or "i" not in data:
        raise BadToken
    return Rsvp(invitation_id=str(data["i"]), action=data["a"])
