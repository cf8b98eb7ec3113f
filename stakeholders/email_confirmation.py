"""Sending a new link to confirm an email address, when the first one expired, was used
already or never arrived.

allauth sends the first link and counts how often a link may be sent to one address (one
every three minutes by default); this asks it to send again through that same limit.
"""

from dataclasses import dataclass

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from django.core import signing
from django.http import HttpRequest


@dataclass(frozen=True)
class LinkState:
    """What a confirmation link that no longer works was for: the address it named (None
    when the link cannot be read at all) and whether that address is confirmed already."""

    address: EmailAddress | None

    @property
    def used(self) -> bool:
        return self.address is not None and self.address.verified

    @property
    def expired(self) -> bool:
        return self.address is not None and not self.address.verified


def confirmation_link_state(key: str) -> LinkState:
    """The address named by a confirmation link's key, read without its time limit.

    The key is signed, so only someone who was sent the link can hold it: it is safe to say
    whether its address is confirmed, and to send that address a new link.
    """
    try:
        pk = signing.loads(key, salt=account_settings.SALT)
    except signing.BadSignature:
        return LinkState(address=None)
    return LinkState(address=EmailAddress.objects.filter(pk=pk).select_related("user").first())


def confirmation_link_send_again(request: HttpRequest, *, address: EmailAddress) -> bool:
    """Send a new link to confirm `address`; False when allauth's limit held it back (the
    last link, sent a few minutes ago, still works)."""
    return send_verification_email_to_address(request, address)


def confirmation_link_send_to(request: HttpRequest, *, email: str) -> bool:
    """Send whatever helps the owner of a typed-in address, and show the visitor the same
    "we have sent it" message whether or not the address has an account: a new link if it
    is waiting to be confirmed, allauth's "you already have an account" email if it is
    confirmed, and its "someone tried to use this address" email if nobody has it.

    False when allauth's limit held it back, which it does alike for every address."""
    address = (
        EmailAddress.objects.filter(email__iexact=email, user__isnull=False)
        .order_by("verified")
        .first()
    )
    if address is None:
        return send_verification_email_to_address(request, EmailAddress(email=email))
    if not address.verified:
        return send_verification_email_to_address(request, address)
    return send_verification_email_to_address(
        request, EmailAddress(email=address.email), signup=True
    )
