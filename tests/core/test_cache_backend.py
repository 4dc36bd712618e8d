"""The Redis cache keeps one redis-py client per connection pool (storefleet/cache.py)."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import caches

from storefleet.cache import RedisCache
from storefleet.settings import base


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("redis://127.0.0.1:6379/3", "storefleet.cache.RedisCache"),
        ("rediss://cache.example:6380/0", "storefleet.cache.RedisCache"),
        ("locmemcache://", "django.core.cache.backends.locmem.LocMemCache"),
        ("filecache:///tmp/x", "django.core.cache.backends.filebased.FileBasedCache"),
    ],
)
def test_a_redis_url_selects_the_kept_client_cache(monkeypatch, url, backend):
    monkeypatch.setenv("CACHE_URL", url)
    assert base.cache_from_env("locmemcache://")["BACKEND"] == backend


class Counting(redis.Redis):
    made = 0

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        type(self).made += 1
        super().__init__(*args, **kwargs)


def test_every_call_gets_the_same_client_of_its_pool():
    cache = RedisCache("redis://127.0.0.1:1/0", {})
    client = cache._cache
    client._client = Counting
    Counting.made = 0
    first = client.get_client("a")
    assert all(client.get_client(k) is first for k in "bcd")
    assert client.get_client("e", write=True) is first  # one server: one pool
    assert Counting.made == 1
    # Django's own builds one per call: what this backend saves.
    assert type(client).__mro__[1].get_client(client, "f") is not first


def test_the_configured_cache_answers_through_one_client():
    """On the suite's own cache (Redis in CI): reads and writes work, and after the first no
    client is built again."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("CACHE_URL names no Redis (the embedded default): nothing kept to check")
    Counting.made = 0
    original = cache._cache._client
    cache._cache._client = Counting
    cache._cache._clients.clear()
    try:
        cache.set("kept-client:a", {"x": 1}, 30)
        cache.set_many({"kept-client:b": 2, "kept-client:c": 3}, 30)
        assert cache.get("kept-client:a") == {"x": 1}
        assert cache.get_many(["kept-client:b", "kept-client:c"]) == {
            "kept-client:b": 2,
            "kept-client:c": 3,
        }
        assert cache.incr("kept-client:b") == 3
        assert cache.add("kept-client:a", 0, 30) is False
        cache.delete_many(["kept-client:a", "kept-client:b", "kept-client:c"])
        assert cache.get("kept-client:a") is None
        assert Counting.made == 1
    finally:
        cache._cache._client = original
        cache._cache._clients.clear()
