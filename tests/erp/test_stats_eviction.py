"""The call statistics never fail the call they count: a counter evicted from the cache
between its creation and its increment (a file cache culls at random) starts again."""

from __future__ import annotations

from django.core.cache import cache

from storefleet.erp import resilience


def test_a_counter_evicted_mid_count_starts_again(monkeypatch):
    cache.clear()
    add = cache.add

    def add_then_evict(key, *args, **kwargs):  # type: ignore[no-untyped-def]
        added = add(key, *args, **kwargs)
        cache.delete(key)  # culled right after
        return added

    monkeypatch.setattr(cache, "add", add_then_evict)
    resilience.record("prices", 12.5, "ok")
    assert cache.get("erp:stats:prices:count") == 1
    assert cache.get("erp:stats:prices:total_us") == 12_500
