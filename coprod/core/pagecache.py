"""Rendered page parts kept in the cache (Redis in production) until the data changes.

The busiest pages (dashboard, project, roster, report, /me/, join) spend most of their
time rendering the same HTML from the same rows. `{% pagecache %}` (coprod_tags) keeps
that HTML under a key holding the current *data version*; any write bumps the version, so
the next request renders afresh and nobody sees a page older than their own change.

The version goes up:
- when any coprod model instance is saved (a signal),
- after every request that may write (POST and the other unsafe methods), once its
  transactions have committed: this covers bulk `update()` and `delete()` calls that
  send no signals, and a page rendered from the old rows while the request was writing,
- when a background task deletes or bulk-changes rows shown on those pages.

Parts that depend on the clock (upcoming meetings, overdue payments) also expire after a
short time of their own; see the `timeout` of each `{% pagecache %}` use.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

VERSION_KEY = "pagecache:data-version"
# The apps whose rows appear on cached pages; the users' own table is in stakeholders.
WATCHED_APPS = {"stakeholders", "projects", "decisions", "evidence"}
TEMPLATES_DIR = settings.BASE_DIR / "templates"


def data_version() -> int:
    return cache.get(VERSION_KEY) or 0


def data_changed() -> None:
    """Make every cached page part stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # No version stored (never, or the cache lost it): start from the clock, above
        # any version that parts still in the cache could have been stored under. If the
        # cache is down this stores nothing, and nothing can be read from it either.
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)


def deferred(function, /, *args, **kwargs) -> SimpleLazyObject:
    """`function(*args, **kwargs)`, called only when a template first uses the result: a
    page part found in the cache runs none of the queries behind it."""
    return SimpleLazyObject(lambda: function(*args, **kwargs))


def fragment_key(*, name: str, vary_on: list) -> str:
    raw = "\x1f".join([templates_hash(), name, str(data_version()), *map(str, vary_on)])
    return "pagecache:" + hashlib.sha256(raw.encode()).hexdigest()


@functools.cache
def templates_hash() -> str:
    """A short hash of all of coprod's templates, worked out once per process, so a deploy
    that changes any of them (an included one too) never serves HTML from the old ones."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        digest.update(str(path.relative_to(TEMPLATES_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _is_watched(sender) -> bool:
    return getattr(sender, "_meta", None) is not None and sender._meta.app_label in WATCHED_APPS


# No post_delete receiver: one listening to every model would stop Django deleting rows in
# bulk. Deletions happen in POST requests (the middleware) or in tasks that call
# data_changed() themselves.
@receiver(post_save, dispatch_uid="pagecache_saved")
@receiver(m2m_changed, dispatch_uid="pagecache_m2m")
def _model_changed(sender, **kwargs) -> None:
    if _is_watched(sender) or _is_watched(kwargs.get("model")):
        data_changed()


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class DataChangedMiddleware:
    """Bumps the data version after any request that may have written, whatever it did."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS:
            data_changed()
        return response
