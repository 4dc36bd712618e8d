"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around the pool for every
cache operation, and redis-py 5+ fills a table of some 200 response callbacks in each: 60 µs,
half a round trip to a local Redis, on every ``get``. A buyer's catalog page served from the
page cache makes five or six such reads, so in ``make bench-storefront`` (e) building clients was
about 8 % of the web workers' time. A ``redis.Redis`` is safe to share between threads (each
command takes a connection from the pool) and its pool starts afresh in a forked process, so one
client per pool is kept and reused; everything else is Django's.

Selected by the settings for a ``redis://`` or ``rediss://`` ``CACHE_URL``
(``settings.base.cache_from_env``)."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's own
        client = self._clients.get(id(pool))
        if client is None:
            made = self._client(connection_pool=pool)  # type: ignore[attr-defined]  # redis.Redis
            client = self._clients.setdefault(id(pool), made)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient
