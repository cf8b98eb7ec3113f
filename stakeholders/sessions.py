"""How long a signed-in session lasts, and ending every session of a deactivated account.

Staff hold everyone's personal data, so their sessions end soonest when left idle;
participants often come back to a page hours later, so theirs last longest.
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from stakeholders.models import Role

LAST_SEEN = "coprod_last_seen"
# The last-seen time is written at most this often, so reading pages does not write the
# session row on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60


def idle_limit_seconds(user) -> int:
    """Seconds a session of `user` may sit unused before it ends."""
    minutes = {
        Role.STAFF: settings.COPROD_IDLE_TIMEOUT_STAFF_MINUTES,
        Role.COMMISSIONER: settings.COPROD_IDLE_TIMEOUT_COMMISSIONER_MINUTES,
    }.get(user.role, settings.COPROD_IDLE_TIMEOUT_PARTICIPANT_MINUTES)
    return minutes * 60


def session_touch(session, user) -> None:
    """Record activity now and make the session (and its cookie) last the role's idle limit.

    A session that allauth made end with the browser ("remember me" not ticked) keeps
    that; the idle limit still applies to it through the last-seen time.
    """
    now = int(time.time())
    if now - session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN] = now
    limit = idle_limit_seconds(user)
    if session.get("_session_expiry") not in (0, limit):
        session.set_expiry(limit)


def session_is_idle(session, user) -> bool:
    last_seen = session.get(LAST_SEEN)
    return last_seen is not None and time.time() - last_seen > idle_limit_seconds(user)


def sessions_end_for_user(user) -> int:
    """Delete every stored session signed in as `user`; returns how many ended.

    Sessions are signed data, not a column, so each live one is decoded; this runs only
    when an account is deactivated.
    """
    user_pk = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_pk
    ]
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in ended:
        # Through the session engine, so a copy kept in the cache goes too.
        session_store(session_key=session_key).delete()
    return len(ended)


@receiver(user_logged_in, dispatch_uid="coprod_session_touch_on_login")
def _touch_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())
        session_touch(request.session, user)


@receiver(post_save, sender=get_user_model(), dispatch_uid="coprod_end_sessions_of_inactive")
def _end_sessions_of_inactive_user(sender, instance, created, **kwargs) -> None:
    if not created and not instance.is_active:
        sessions_end_for_user(instance)
