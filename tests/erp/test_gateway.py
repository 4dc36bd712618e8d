"""Caching, call statistics and the circuit breaker, with the real ERP — including killing it."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from storefleet.erp.errors import UNAVAILABLE_MESSAGE, ErpUnavailable
from storefleet.erp.selectors import erp_breaker_state, erp_call_stats

from .conftest import point_gateway_at, q

# The call statistics live in the database.
pytestmark = pytest.mark.django_db


def calls(operation: str) -> int:
    return next((s.count for s in erp_call_stats() if s.operation == operation), 0)


def test_second_read_is_served_from_cache(gateway):
    lines = [q("BRG-1002", 3), q("FAS-1003", 7)]
    first = gateway.prices(store="ferrum", customer="C-1004", lines=lines)
    requests = gateway.backend.request_count()
    second = gateway.prices(store="ferrum", customer="C-1004", lines=lines)
    assert second == first
    assert calls("prices") == 1
    assert gateway.backend.request_count() == requests  # not one ERP request


def test_only_the_uncached_lines_are_fetched(gateway):
    gateway.prices(store="ferrum", customer="C-1004", lines=[q("BRG-1002")])
    before = gateway.backend.request_count()
    quotes = gateway.prices(store="ferrum", customer="C-1004", lines=[q("BRG-1002"), q("BRG-1003")])
    assert calls("prices") == 2
    assert gateway.backend.request_count() - before == 1
    assert [quote.unit_price.amount for quote in quotes if quote.unit_price] == [
        Decimal("7.6770"),
        Decimal("140.3460"),
    ]


def test_cache_keys_differ_per_store_and_per_customer(gateway):
    lines = [q("BRG-1002")]
    a = gateway.prices(store="ferrum", customer="C-1002", lines=lines)
    b = gateway.prices(store="ferrum", customer="C-1003", lines=lines)
    c = gateway.prices(store="hydra", customer="C-1002", lines=lines)
    assert calls("prices") == 3
    assert [x[0].unit_price.amount for x in (a, b, c) if x[0].unit_price] == [
        Decimal("7.6770"),
        Decimal("8.1035"),
        Decimal("7.6770"),
    ]
    gateway.prices(store="ferrum", customer="C-1002", lines=lines)
    gateway.prices(store="hydra", customer="C-1002", lines=lines)
    assert calls("prices") == 3


def test_invalidation_per_customer_and_per_store(gateway):
    lines = [q("BRG-1002")]
    for store, customer in [("ferrum", "C-1002"), ("ferrum", "C-1003"), ("hydra", "C-1002")]:
        gateway.prices(store=store, customer=customer, lines=lines)
    assert calls("prices") == 3

    gateway.invalidate_prices(store="ferrum", customer="C-1002")
    for store, customer in [("ferrum", "C-1002"), ("ferrum", "C-1003"), ("hydra", "C-1002")]:
        gateway.prices(store=store, customer=customer, lines=lines)
    assert calls("prices") == 4  # only ferrum/C-1002 again

    gateway.invalidate_prices(store="ferrum")
    for store, customer in [("ferrum", "C-1002"), ("ferrum", "C-1003"), ("hydra", "C-1002")]:
        gateway.prices(store=store, customer=customer, lines=lines)
    assert calls("prices") == 6  # both ferrum customers, not hydra


def test_stock_is_asked_once_per_store_and_warehouse_for_every_customer(gateway):
    """Stock is the warehouse's: the pages of many companies ask the ERP for it once. A
    customer's price invalidation leaves it; the store's, and its own, drop it."""
    lines = [q("BRG-1002", 3), q("FAS-1003", 7)]

    def stock(customer: str, store: str = "ferrum") -> list:  # type: ignore[type-arg]
        return gateway.availability(store=store, customer=customer, warehouse="WH-EU", lines=lines)

    first = stock("C-1002")
    assert stock("C-1003") == first and stock("C-1004") == first
    assert calls("availability") == 1
    gateway.invalidate_prices(store="ferrum", customer="C-1002")  # the customer's prices only
    stock("C-1002")
    assert calls("availability") == 1
    gateway.invalidate_availability(store="ferrum")
    stock("C-1003")
    stock("C-1002")
    assert calls("availability") == 2
    gateway.invalidate_prices(store="ferrum")  # everything the store's cache holds
    stock("C-1002")
    assert calls("availability") == 3
    stock("C-1002", store="hydra")  # another store: its own cache
    assert calls("availability") == 4


def test_every_call_is_counted_timed_and_logged(gateway, caplog):
    with caplog.at_level(logging.INFO, logger="storefleet.erp"):
        gateway.credit_status(customer="C-1004")
        gateway.availability(
            store="ferrum", customer="C-1004", warehouse="WH-EU", lines=[q("BRG-1002")]
        )
        with pytest.raises(Exception):  # noqa: B017 - any typed error; the count is the point
            gateway.credit_status(customer="C-9999")
    stats = {s.operation: s for s in erp_call_stats()}
    assert (stats["credit_status"].count, stats["credit_status"].errors) == (2, 1)
    assert (stats["availability"].count, stats["availability"].errors) == (1, 0)
    assert (
        stats["credit_status"].max_ms > 0
        and stats["credit_status"].total_ms >= stats["credit_status"].max_ms
    )
    lines = [
        r
        for r in caplog.records
        if r.name == "storefleet.erp" and r.getMessage().startswith("erp_call")
    ]
    assert [(r.erp_operation, r.erp_outcome) for r in lines] == [  # type: ignore[attr-defined]
        ("credit_status", "ok"),
        ("availability", "ok"),
        ("credit_status", "error"),
    ]


def test_erp_killed_mid_run(settings, start_erp_server):
    server = start_erp_server()
    gateway = point_gateway_at(settings, server)
    cached = [q("BRG-1002"), q("FAS-1003", 100)]
    fresh = gateway.prices(store="ferrum", customer="C-1002", lines=cached)
    gateway.availability(store="ferrum", customer="C-1002", warehouse="WH-EU", lines=cached)
    settings.ERP_PRICE_TTL_SECONDS = 0  # from now on every read goes to the ERP first
    settings.ERP_AVAILABILITY_TTL_SECONDS = 0

    server.stop()

    # Fails over to the cached answer, marked stale; each read is tried twice (retry).
    stale = gateway.prices(store="ferrum", customer="C-1002", lines=cached)
    assert [s.unit_price for s in stale] == [f.unit_price for f in fresh]
    assert [s.stale for s in stale] == [True, True]
    assert erp_breaker_state() == "closed"  # two failures so far, threshold 3

    with pytest.raises(ErpUnavailable) as down:
        gateway.prices(store="ferrum", customer="C-1002", lines=[q("BRG-1003")])
    assert down.value.message == UNAVAILABLE_MESSAGE
    assert erp_breaker_state() == "open"
    failures = next(s.errors for s in erp_call_stats() if s.operation == "prices")

    # Open: no ERP call at all, cached reads still answer (stale), uncached ones refuse.
    stock = gateway.availability(store="ferrum", customer="C-1002", warehouse="WH-EU", lines=cached)
    assert [s.stale for s in stock] == [True, True]
    with pytest.raises(ErpUnavailable):
        gateway.credit_status(customer="C-1002")
    stats = {s.operation: s for s in erp_call_stats()}
    # Three attempts reached the dead ERP; the retry after the third was refused by the breaker.
    assert stats["prices"].errors == failures == 4
    assert stats["credit_status"].errors == 1  # refused by the open breaker

    server.start()
    settings.ERP_BREAKER_COOLDOWN_SECONDS = 0  # the cool-down is over: next call probes

    again = gateway.prices(store="ferrum", customer="C-1002", lines=cached)
    assert [a.stale for a in again] == [False, False]
    assert [a.unit_price for a in again] == [f.unit_price for f in fresh]
    assert erp_breaker_state() == "closed"
    assert gateway.credit_status(customer="C-1002").stale is False


def test_a_batch_asked_again_is_one_cache_read_and_no_backend_call(gateway, manifest):
    from django.core.cache import cache

    lines = [q("BRG-1002", 1), q("FAS-1002", 50)]
    first = gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    calls = gateway.backend.request_count()
    reads = []
    original = cache.get_many

    def counting_get_many(keys, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(list(keys))
        return original(keys, *args, **kwargs)

    cache.get_many = counting_get_many  # type: ignore[method-assign]
    try:
        again = gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    finally:
        # The cache's own attribute goes (the class's method answers again): set back to the
        # bound method, it would hide a later test's counting of the class's reads.
        del cache.get_many
    assert again == first
    assert gateway.backend.request_count() == calls
    assert len(reads) == 1  # generations and the whole batch in one round trip
    # Invalidation still reaches a cached batch.
    gateway.invalidate_prices(store="ferrum", customer="C-1001")
    gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    assert gateway.backend.request_count() > calls


def test_a_submit_lock_outlives_no_lease(settings):
    """The lock against two submissions of one key at once is held for the longest call, but
    never past the outbox's lease: a run ends with its lease (the task's time limit), so a lock
    left by a run that died (a killed worker) would only keep the message's next run waiting."""
    from django.core.cache import cache

    from storefleet.erp.gateway import ErpGateway
    from storefleet.erp.types import OrderRequest

    class Away:
        def submit_order(self, *, order: OrderRequest) -> None:
            raise ErpUnavailable("away")

    taken: list[float] = []
    add = cache.add

    def spy(key, value, timeout=None, **kwargs):  # type: ignore[no-untyped-def]
        if key.startswith("erp:submit-lock:"):
            taken.append(timeout)
        return add(key, value, timeout, **kwargs)

    settings.ERP_READ_TIMEOUT_SECONDS = 15
    settings.ERP_RETRY_ATTEMPTS = 1
    order = OrderRequest.__new__(OrderRequest)
    object.__setattr__(order, "idempotency_key", "lock-test")
    cache.add = spy  # type: ignore[method-assign]
    try:
        for lease, held_for in ((120, 60), (10, 10)):
            settings.OUTBOX_LEASE_SECONDS = lease
            with pytest.raises(ErpUnavailable):
                ErpGateway(Away()).submit_order(order=order)  # type: ignore[arg-type]
            assert taken.pop() == held_for
    finally:
        del cache.add  # the cache's own method again
