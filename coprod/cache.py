"""A Redis cache that keeps pages serving while Redis is down.

Django's RedisCache raises when Redis cannot be reached, and every page that counts a rate
limit (allauth's login and sign-up, coprod's RSVP links) or reads the cache would answer
500. Nothing coprod keeps in the cache is needed to serve a page, so while Redis is down
each call logs a warning and acts as if the key were not there: reads miss, writes are
dropped, and `add` reports success, because the key is indeed absent. Rate limits are
therefore not enforced until Redis is back: locking everybody out of signing in for the
length of an outage would be worse.
"""

import logging

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Short enough that a page waits well under a second for a Redis host that does not
# answer, long enough for a busy Redis on the same network.
SOCKET_TIMEOUT_SECONDS = 0.3
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError)


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

    def _unavailable(self, operation: str, error: Exception) -> None:
        logger.warning("Redis cache unavailable, %s treated as a miss: %r", operation, error)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("add", error)
            return True

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            self._unavailable("get", error)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set", error)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            self._unavailable("delete", error)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as error:
            self._unavailable("has_key", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as error:
            self._unavailable("incr", error)
            # What Django raises for a key that is not there.
            raise ValueError(f"Key '{key}' not found (Redis unavailable).") from error

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            self._unavailable("set_many", error)
            # Django's contract: the keys that could not be stored.
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNAVAILABLE as error:
            self._unavailable("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except UNAVAILABLE as error:
            self._unavailable("clear", error)
            return False
