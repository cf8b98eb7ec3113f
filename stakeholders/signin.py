"""Signing in without a password, by a link sent by email or text message.

Staff send anyone on the roster a link to their own area from the person page; anyone can
ask for one on the login page. Each link is a row of the SigninLink outbox: the worker that
claims the row makes a django-sesame token signed for that row alone (its scope) and sends
it. Following the link checks the token, the row (unused, not expired for its kind) and
the person (not erased, login switched on, a participant: staff and commissioners log in
with their password and authenticator app), then marks the row used.

Someone staff added has no login yet; one is made for them when a link is sent (a sesame
token names a login, so it must exist first). It has no usable password, so it lets
nobody in until its link is followed.
"""

import hashlib
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlencode

import phonenumbers
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_token, get_user

from coprod.core.emails import send_email
from coprod.core.outbox import give_up, outbox_waiting_ids
from coprod.core.queue import task_delay
from coprod.core.texts import Channel, render_text, send_text
from stakeholders.models import (
    Person,
    Role,
    ShortLink,
    SigninLink,
    SigninLinkKind,
    User,
)

logger = logging.getLogger(__name__)

SHORT_LINK_BYTES = 6  # 8 url-safe characters: 2**48 codes
SENT_AGAIN_WITHIN = timedelta(minutes=1)
NO_ADDRESS = "No email or mobile number: add one first."


class SigninRefused(Exception):
    """No link can be sent; the message tells staff why, in plain English."""


# Short links -----------------------------------------------------------------------------


def short_link_create(path: str, *, expires_at) -> str:
    """A short absolute URL (/l/<code>/) that leads to `path` until `expires_at`."""
    for _attempt in range(5):
        code = secrets.token_urlsafe(SHORT_LINK_BYTES)
        try:
            with transaction.atomic():
                ShortLink.objects.create(code=code, path=path, expires_at=expires_at)
        except IntegrityError:
            continue
        return settings.COPROD_BASE_URL.rstrip("/") + reverse(
            "stakeholders:short_link", args=[code]
        )
    raise RuntimeError("Could not find an unused short link code.")


def short_link_target(code: str) -> str | None:
    """Where a short link leads, or None if there is no such link or it has expired."""
    return (
        ShortLink.objects.filter(code=code, expires_at__gt=timezone.now())
        .values_list("path", flat=True)
        .first()
    )


# Who may have a link ---------------------------------------------------------------------


def _lifetime(kind: str) -> timedelta:
    minutes = (
        settings.COPROD_SIGNIN_LINK_INVITATION_MINUTES
        if kind == SigninLinkKind.INVITATION
        else settings.COPROD_SIGNIN_LINK_REQUESTED_MINUTES
    )
    return timedelta(minutes=minutes)


def lifetime_in_words(kind: str) -> str:
    minutes = int(_lifetime(kind).total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _login_refusal(person: Person, user: User) -> str | None:
    if user.role != Role.PARTICIPANT:
        return (
            f"{person.full_name} logs in as {user.get_role_display().lower()} with a password "
            "and an authenticator app, so links are not sent to them."
        )
    if not user.is_active:
        return f"{person.full_name}'s login has been switched off, so no link can be sent."
    return None


def signin_login_for(person: Person) -> User:
    """The person's login, made now if they have none: a participant with no usable
    password and the email staff typed (not yet proved theirs). Raises SigninRefused when
    they cannot have one: erased, not a participant, switched off, or their email is
    already another login's (which may be this same person under another record: nothing
    about either changes on the strength of an address nobody has proved)."""
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        if person.erased_at is not None:
            raise SigninRefused("This person's details have been erased.")
        if person.user is not None:
            if refusal := _login_refusal(person, person.user):
                raise SigninRefused(refusal)
            return person.user
        email = person.email or None
        if email and User.objects.filter(email__iexact=email).exists():
            raise SigninRefused(
                f"Someone already logs in with {email}, and it is not linked to "
                f"{person.full_name}'s record. It may be the same person: ask an "
                "administrator to join the two before sending a link."
            )
        user = User(email=email, name=person.full_name, role=Role.PARTICIPANT)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as error:
            raise SigninRefused(
                f"Someone already logs in with {email}: ask an administrator to join them."
            ) from error
        person.user = user
        person.save(update_fields=["user"])
    return user


def _link_create(
    *, person: Person, kind: str, channel: str, to: str, sent_by: User | None
) -> SigninLink:
    user = signin_login_for(person)
    link = SigninLink.objects.create(
        person=person, user=user, kind=kind, channel=channel, to=to, sent_by=sent_by
    )
    transaction.on_commit(lambda: _queue(link.pk))
    return link


def _queue(link_id: int) -> None:
    try:
        task_delay("stakeholders.tasks.send_signin_link", link_id)
    except Exception:  # noqa: BLE001 - broker down: the row waits for the sweep
        logger.warning("Sign-in link %s left in the outbox for the sweep", link_id)


def signin_link_invite(*, person: Person, sent_by: User) -> SigninLink:
    """Staff send someone a link to their own area, by the person's own channel. Raises
    SigninRefused, saying why, when it cannot go; pressing twice sends one link."""
    channel = person.message_channel
    if channel is None:
        raise SigninRefused(NO_ADDRESS)
    recent = (
        SigninLink.objects.filter(
            person=person,
            kind=SigninLinkKind.INVITATION,
            created_at__gt=timezone.now() - SENT_AGAIN_WITHIN,
            failed_at=None,
        )
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        return recent
    to = person.phone.as_e164 if channel == Channel.TEXT else person.email.lower()
    return _link_create(
        person=person, kind=SigninLinkKind.INVITATION, channel=channel, to=to, sent_by=sent_by
    )


def address_fingerprint(address: str) -> str:
    """What the rate limit counts an address or number by: never the address itself."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def phone_parse(text: str) -> str | None:
    """A phone number in E.164, or None if `text` cannot be one. Possible rather than valid:
    it is only ever looked up on the roster, where the number staff typed may be one that
    the numbering plan does not list (such as the 07700 900 numbers kept for examples)."""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def signin_link_request(*, email: str = "", phone: str = "") -> SigninLink | None:
    """Someone asked on the login page for a link to this email address or phone number.
    It goes there only if that address or number is on the roster, by the channel asked
    for; otherwise nothing happens, and the caller answers the same either way."""
    people = Person.objects.filter(erased_at=None)
    if email:
        person = (
            people.filter(email__iexact=email).first()
            or people.filter(user__email__iexact=email).first()
        )
        # The address asked for, whether it is the roster's or the login's.
        channel, to = Channel.EMAIL, email.strip().lower()
    else:
        person = people.filter(phone=phone).first()
        channel, to = Channel.TEXT, phone
    if person is None:
        return None
    try:
        link = _link_create(
            person=person, kind=SigninLinkKind.REQUESTED, channel=channel, to=to, sent_by=None
        )
    except SigninRefused as refusal:
        logger.info("No sign-in link sent to person %s: %s", person.pk, refusal)
        return None
    return link


# Sending ---------------------------------------------------------------------------------


def _follow_path(link: SigninLink, token: str) -> str:
    return (
        reverse("stakeholders:signin_link_follow", args=[link.public_id])
        + "?"
        + urlencode({"sesame": token})
    )


def _why_not_sent(link: SigninLink) -> str | None:
    if link.person.erased_at is not None:
        return "Not sent: this person's details have been erased."
    if link.person.user_id != link.user_id:
        return "Not sent: this person's login has changed since the link was asked for."
    return _login_refusal(link.person, link.user)


def signin_link_send(*, link_id: int) -> bool:
    """Claim one outbox row and send its link. Returns False if another worker has it, it
    was sent already, or it may no longer go. On failure the claim is released."""
    claimed = SigninLink.objects.filter(
        pk=link_id, claimed_at=None, sent_at=None, failed_at=None
    ).update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
    if not claimed:
        return False
    link = SigninLink.objects.select_related("person", "user").get(pk=link_id)
    if reason := _why_not_sent(link):
        SigninLink.objects.filter(pk=link_id).update(failed_at=timezone.now(), last_error=reason)
        return False
    expires_at = timezone.now() + _lifetime(link.kind)
    path = _follow_path(link, get_token(link.user, scope=link.scope))
    context = {
        "name": link.person.display_name,
        "lasts": lifetime_in_words(link.kind),
        "invited": link.kind == SigninLinkKind.INVITATION,
    }
    provider_id = ""
    try:
        if link.channel == Channel.TEXT:
            context["url"] = short_link_create(path, expires_at=expires_at)
            provider_id = send_text(
                to=link.to,
                body=render_text("signin-link", context),
                reference=f"signin-link-{link.public_id}",
            )
        else:
            context["url"] = settings.COPROD_BASE_URL.rstrip("/") + path
            send_email("signin-link", to=[link.to], context=context)
    except Exception as error:
        SigninLink.objects.filter(pk=link_id).update(claimed_at=None, last_error=str(error)[:1000])
        raise
    SigninLink.objects.filter(pk=link_id).update(
        sent_at=timezone.now(), expires_at=expires_at, provider_id=provider_id or "", last_error=""
    )
    return True


def signin_link_give_up(*, link_id: int, error: str) -> None:
    give_up(SigninLink, link_id, error)


def signin_links_sweep() -> int:
    """Hand the broker again the links it never got (or whose worker died)."""
    ids = outbox_waiting_ids(SigninLink, older_than=timedelta(minutes=2))
    for link_id in ids:
        _queue(link_id)
    return len(ids)


# Following a link ------------------------------------------------------------------------


def signin_link_check(*, link_id, token: str) -> SigninLink | None:
    """The link, if `token` is its own and it may still be used; None otherwise. Changes
    nothing, so that opening the link (or a mail scanner opening it) does not use it up."""
    link = (
        SigninLink.objects.select_related("person", "user")
        .filter(public_id=link_id, used_at=None)
        .exclude(sent_at=None)
        .first()
    )
    if link is None or not token or _why_not_sent(link):
        return None
    user = get_user(token, scope=link.scope, max_age=_lifetime(link.kind), update_last_login=False)
    if user is None or user.pk != link.user_id:
        return None
    return link


def signin_link_use(*, link_id, token: str) -> SigninLink | None:
    """Use the link up (it works once) and return it, with its login to sign in; None if it
    may not be used. A link that went by email proves the address it went to."""
    link = signin_link_check(link_id=link_id, token=token)
    if link is None:
        return None
    with transaction.atomic():
        used = SigninLink.objects.filter(pk=link.pk, used_at=None).update(used_at=timezone.now())
        if not used:
            return None
        if link.channel == Channel.EMAIL:
            _email_proved(link.user, link.to)
    return link


def _email_proved(user: User, address: str) -> None:
    """The login's own address (or, for a login with none, the one the link went to) is
    verified. An address another login holds is never given to this one."""
    address = address.lower()
    if user.email and user.email != address:
        EmailAddress.objects.filter(user=user, email__iexact=address).update(verified=True)
        return
    if EmailAddress.objects.filter(email__iexact=address).exclude(user=user).exists():
        return
    if User.objects.filter(email__iexact=address).exclude(pk=user.pk).exists():
        return
    if not user.email:
        user.email = address
        user.save(update_fields=["email"])
    has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
    record, created = EmailAddress.objects.get_or_create(
        user=user,
        email=address,
        defaults={"verified": True, "primary": not has_primary},
    )
    if not created and not record.verified:
        record.verified = True
        record.save(update_fields=["verified"])
