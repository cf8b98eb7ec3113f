"""Counting requests per client address, or per signed-in person, in the shared cache, for
pages allauth does not guard.

allauth limits login, sign-up and password reset itself; this covers coprod's own public
pages and costly downloads. The cache is Redis in production, so every gunicorn process
shares the counts.
"""

import time

from allauth.account.adapter import get_adapter
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def rate_limited(
    request: HttpRequest, *, action: str, per_minute: int, by_user: bool = False
) -> bool:
    """Count this request; True once its sender has made more than `per_minute` this minute.

    The sender is the client address or, with `by_user`, the signed-in person (anyone not
    signed in is still counted by address).
    """
    if by_user and request.user.is_authenticated:
        sender = f"user:{request.user.pk}"
    else:
        sender = get_adapter().get_client_ip(request)
    return count_exceeded(action=action, sender=sender, most=per_minute, minutes=1)


def count_exceeded(*, action: str, sender: str, most: int, minutes: int) -> bool:
    """Count one more for `sender` (an address, a login, or anything else that names who or
    what is counted: pass a hash, never someone's email or number); True once there have
    been more than `most` in this window of `minutes`."""
    window = int(time.time() // (60 * minutes))
    key = f"coprod:rl:{action}:{sender}:{window}"
    cache.add(key, 0, timeout=120 * minutes)
    try:
        count = cache.incr(key)
    except ValueError:
        # The count expired between `add` and `incr`; this request starts a new one.
        cache.set(key, 1, timeout=120 * minutes)
        count = 1
    return count > most


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)
