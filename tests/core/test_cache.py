"""The Redis cache keeps pages serving when Redis is down: every call is a quick miss."""

import logging
import socket
import time

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

import coprod.core.cache
from coprod.core.cache import ResilientRedisCache
from tests.redis_server import RedisServer

pytestmark = pytest.mark.redis


def _cache(url: str) -> ResilientRedisCache:
    return ResilientRedisCache(url, {"KEY_PREFIX": "test"})


@pytest.fixture
def redis_server():
    with RedisServer() as server:
        yield server


def test_it_works_as_a_redis_cache_while_redis_is_up(redis_server):
    cache = _cache(redis_server.url)
    assert cache.add("count", 1) is True
    assert cache.add("count", 5) is False
    assert cache.incr("count") == 2
    cache.set("answer", {"value": 42})
    assert cache.get("answer") == {"value": 42}
    assert cache.get_many(["answer", "missing"]) == {"answer": {"value": 42}}
    assert cache.set_many({"a": 1, "b": 2}) == []
    assert cache.has_key("a")
    assert cache.delete("a") is True
    assert cache.get("a") is None


def test_with_redis_stopped_reads_miss_and_writes_are_dropped_with_a_warning(redis_server, caplog):
    cache = _cache(redis_server.url)
    cache.set("answer", 42)
    redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="coprod.core.cache"):
        started = time.monotonic()
        assert cache.get("answer") is None
        assert cache.get("answer", "default") == "default"
        assert cache.get_many(["answer"]) == {}
        assert cache.has_key("answer") is False
        # The key is not there, so adding it "succeeds": a lock taken with `add` (allauth's
        # rate limits) goes ahead instead of waiting for a Redis that is not there.
        assert cache.add("lock", True) is True
        with pytest.raises(ValueError):
            cache.incr("count")
        cache.set("answer", 43)
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.delete("answer") is False
        assert cache.touch("answer") is False
        cache.delete_many(["a", "b"])
        assert cache.clear() is False
        elapsed = time.monotonic() - started

    assert elapsed < 2, f"12 calls to a stopped Redis took {elapsed:.1f} s"
    # The first call found Redis down; the others within a second did not ask again.
    (warning,) = caplog.records
    assert "Redis cache unavailable, get treated as a miss" in warning.getMessage()


def test_it_works_again_once_redis_is_back(redis_server, monkeypatch):
    monkeypatch.setattr(coprod.core.cache, "RETRY_AFTER_SECONDS", 0.2)
    cache = _cache(redis_server.url)
    redis_server.stop()
    assert cache.get("answer") is None
    redis_server.start()
    time.sleep(0.3)
    cache.set("answer", 42)
    assert cache.get("answer") == 42


def test_it_builds_one_redis_client_and_reuses_it_for_every_call(redis_server):
    """Django builds a client per call, costing more CPU than a session read itself."""
    cache = _cache(redis_server.url)
    client = cache._cache.get_client()
    cache.set("answer", 42)
    assert cache.get("answer") == 42
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client


def test_djangos_own_redis_cache_raises_when_redis_is_stopped(redis_server):
    """Why coprod has its own backend."""
    cache = RedisCache(redis_server.url, {})
    redis_server.stop()
    with pytest.raises(redis.ConnectionError):
        cache.get("answer")


def test_a_redis_that_accepts_but_never_answers_costs_a_fraction_of_a_second():
    # A listening socket nobody accepts from: the connection is made, no reply ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        host, port = silent.getsockname()
        cache = _cache(f"redis://{host}:{port}/0")
        started = time.monotonic()
        assert cache.get("answer") is None
        elapsed = time.monotonic() - started
    assert 0.2 < elapsed < 1.5, f"a silent Redis held the request {elapsed:.2f} s"


def test_after_a_silent_redis_times_out_calls_skip_it_for_a_moment(monkeypatch):
    monkeypatch.setattr(coprod.core.cache, "RETRY_AFTER_SECONDS", 1.0)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        host, port = silent.getsockname()
        cache = _cache(f"redis://{host}:{port}/0")
        assert cache.get("session") is None  # one socket timeout

        started = time.monotonic()
        for _ in range(10):
            assert cache.get("page part") is None
            cache.set("page part", "<p>html</p>")
        skipped = time.monotonic() - started

        time.sleep(1.0)
        started = time.monotonic()
        assert cache.get("session") is None
        asked_again = time.monotonic() - started
    assert skipped < 0.1, f"20 calls within the pause took {skipped:.2f} s"
    assert asked_again > 0.2, "after the pause Redis is asked again"
