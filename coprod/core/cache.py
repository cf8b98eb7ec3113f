"""A Redis cache that keeps pages serving while Redis is down.

Django's RedisCache raises when Redis cannot be reached, and every page that counts a rate
limit (allauth's login and sign-up, coprod's RSVP links) or reads the cache would answer
500. Nothing coprod keeps in the cache is needed to serve a page, so while Redis is down
each call logs a warning and acts as if the key were not there: reads miss, writes are
dropped, and `add` reports success, because the key is indeed absent. Rate limits are
therefore not enforced until Redis is back: locking everybody out of signing in for the
length of an outage would be worse. After a failure the process does not ask Redis again
for RETRY_AFTER_SECONDS, so a Redis host that hangs (rather than refusing) costs one
socket timeout a second, not one for every call a page makes.
"""

import logging
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# Short enough that a page waits well under a second for a Redis host that does not
# answer, long enough for a busy Redis on the same network.
SOCKET_TIMEOUT_SECONDS = 0.3
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError)
# After a failure, calls in this process act as misses without asking Redis for this long.
RETRY_AFTER_SECONDS = 1.0


class _ReusedRedisClient(RedisCacheClient):
    """Django's client builds a new redis.Redis for every call, which costs more CPU than the
    call itself (most of a session read on every signed-in page). One per connection pool
    is enough: a redis.Redis is safe to share, and the pool behind it is what holds the
    connections."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.get("OPTIONS", {})
        params = {
            **params,
            "OPTIONS": {
                "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": SOCKET_TIMEOUT_SECONDS,
                **options,
            },
        }
        super().__init__(server, params)
        self._class = _ReusedRedisClient
        self._skip_until = 0.0

    def _try(self, operation: str, call, *, if_unavailable):
        """`call()`, or `if_unavailable()` while Redis cannot be reached."""
        if time.monotonic() < self._skip_until:
            return if_unavailable()
        try:
            return call()
        except UNAVAILABLE as error:
            logger.warning("Redis cache unavailable, %s treated as a miss: %r", operation, error)
            self._skip_until = time.monotonic() + RETRY_AFTER_SECONDS
            return if_unavailable()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # The key is indeed absent, so adding it "succeeds".
        return self._try(
            "add",
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            if_unavailable=lambda: True,
        )

    def get(self, key, default=None, version=None):
        return self._try(
            "get",
            lambda: super(ResilientRedisCache, self).get(key, default, version),
            if_unavailable=lambda: default,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try(
            "set",
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            if_unavailable=lambda: None,
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(
            "touch",
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            if_unavailable=lambda: False,
        )

    def delete(self, key, version=None):
        return self._try(
            "delete",
            lambda: super(ResilientRedisCache, self).delete(key, version),
            if_unavailable=lambda: False,
        )

    def get_many(self, keys, version=None):
        return self._try(
            "get_many",
            lambda: super(ResilientRedisCache, self).get_many(keys, version),
            if_unavailable=dict,
        )

    def has_key(self, key, version=None):
        return self._try(
            "has_key",
            lambda: super(ResilientRedisCache, self).has_key(key, version),
            if_unavailable=lambda: False,
        )

    def incr(self, key, delta=1, version=None):
        def missing():
            # What Django raises for a key that is not there.
            raise ValueError(f"Key '{key}' not found (Redis unavailable).")

        return self._try(
            "incr",
            lambda: super(ResilientRedisCache, self).incr(key, delta, version),
            if_unavailable=missing,
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._try(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            if_unavailable=lambda: list(data),
        )

    def delete_many(self, keys, version=None):
        self._try(
            "delete_many",
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            if_unavailable=lambda: None,
        )

    def clear(self):
        return self._try(
            "clear", lambda: super(ResilientRedisCache, self).clear(), if_unavailable=lambda: False
        )
