"""The ERP change watch (erp/watch.py): prices, stock and buyer pages kept past their TTL for as
long as the ERP's fingerprints say nothing they are made of changed, and retired at the first
check that sees a change. Against the real reference ERP (a module's own: it moves a list price,
a sale and a price list line); the clock is moved by hand, ERP requests and renders counted.

The suite runs with the watch off (settings/test.py: tests elsewhere move the clock past a TTL
and expect the TTL); here it is on, as in production (base.py: every 10 seconds)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from storefleet.erp import resilience, watch
from storefleet.erp.tasks import erp_watch_task

from ..erp.conftest import q
from .test_buyer_page_refresh import _browser, _get, _price_shown

pytestmark = pytest.mark.django_db

EVERY, TTL, WATCHED = 10, 60, 900
SKU = "BRG-1003"  # Nordwerk's price for it follows the list price (x 0.88)


@pytest.fixture(scope="module")
def erp_server(fresh_erp_server):  # type: ignore[no-untyped-def]
    return fresh_erp_server


@pytest.fixture
def clock(settings, monkeypatch):  # type: ignore[no-untyped-def]
    settings.ERP_WATCH_SECONDS = EVERY
    settings.ERP_WATCHED_MAX_AGE_SECONDS = WATCHED
    settings.ERP_WATCH_IN_THREAD = False
    settings.ERP_PRICE_TTL_SECONDS = TTL
    settings.ERP_AVAILABILITY_TTL_SECONDS = TTL
    settings.STOREFLEET_BUYER_PAGE_CACHE_SECONDS = None
    settings.STOREFLEET_BUYER_PAGE_STALE_SECONDS = 120
    settings.STOREFLEET_BUYER_PAGE_REFRESH = "after-response"
    for key in (watch.CHECKED_AT, watch.FINGERPRINTS, watch.LOCK):
        cache.delete(key)
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


@pytest.fixture
def checks(monkeypatch):  # type: ignore[no-untyped-def]
    """The watch's checks that reached the ERP, by answer."""
    seen: list[str] = []
    check = watch._check_holding_lock

    def counted() -> str:
        answer = check()
        seen.append(answer)
        return answer

    monkeypatch.setattr(watch, "_check_holding_lock", counted)
    return seen


def _template(erp_server, sku: str = SKU) -> tuple[int, Decimal]:  # type: ignore[no-untyped-def]
    erp = erp_server.client()
    [product] = erp.search_read("product.product", [["code", "=", sku]], ["template"])
    [template] = erp.model("product.template", "read", [product["template"]], ["list_price"])
    return product["template"], Decimal(str(template["list_price"]))


def _generations() -> tuple[int, int]:
    watch.generations()  # made where missing, as a page's reads make them
    return cache.get(watch.PRICE_GENERATION), cache.get(watch.STOCK_GENERATION)


def test_the_fingerprints_move_with_what_prices_and_stock_are_made_of(shop, erp_server, clock):
    first = _generations()
    # The first check begins a series: it vouches for nothing cached before it, so it need
    # not retire anything.
    assert watch.check() == "checked" and _generations() == first
    since, last = cache.get(watch.CHECKED_AT)
    assert since == last == clock[0]
    assert watch.life(TTL, cache.get(watch.CHECKED_AT), since - 1) == TTL
    assert watch.life(TTL, cache.get(watch.CHECKED_AT), since) == WATCHED
    clock[0] += EVERY
    assert watch.check() == "checked" and _generations() == first  # nothing changed
    assert cache.get(watch.CHECKED_AT) == (since, clock[0])  # the series goes on

    template, price = _template(erp_server)
    erp = erp_server.client()
    erp.model("product.template", "write", [template], {"list_price": price + 1})
    assert watch.check() == "changed"
    assert _generations() == (first[0] + 1, first[1])  # prices only

    [sale] = erp.search_read("sale.sale", [], ["id"], limit=1)
    erp.model("sale.sale", "write", [sale["id"]], {"description": "asked by phone"})
    assert watch.check() == "changed"
    assert _generations() == (first[0] + 1, first[1] + 1)  # stock only

    # A line made (at the end of its list: it changes no price) and deleted again: a deletion
    # leaves no write date behind, the count sees it.
    [line] = erp.search_read("product.price_list.line", [], ["price_list"], limit=1)
    [made] = erp.model(
        "product.price_list.line",
        "create",
        [{"price_list": line["price_list"], "formula": "unit_price", "sequence": 10000}],
    )
    assert watch.check() == "changed"
    erp.model("product.price_list.line", "delete", [made])
    assert watch.check() == "changed"
    assert _generations() == (first[0] + 3, first[1] + 1)
    assert watch.check() == "checked"
    # The beat runs the same check.
    assert erp_watch_task.apply().get() == "checked"


def test_a_watched_price_outlives_its_ttl_until_the_erp_changes_it(shop, erp_server, clock):
    gateway, _buyer = shop
    assert watch.check() in ("changed", "checked")
    lines = [q(SKU)]
    [before] = gateway.prices(store="ferrum", customer="C-1001", lines=lines)

    clock[0] += TTL - 5
    assert watch.check() == "checked"  # the beat asks, within the TTL
    clock[0] += EVERY  # past the TTL; the watch was asked an interval ago: due again
    requests = gateway.backend.request_count()
    assert gateway.prices(store="ferrum", customer="C-1001", lines=lines) == [before]
    # No price asked: one check of the watch (ran in place here, on a thread in production).
    assert cache.get(watch.CHECKED_AT)[1] == clock[0]
    checked = gateway.backend.request_count() - requests
    assert checked == 3 * (len(watch_models()))  # three small reads per watched model

    # The ERP moves the price: the next check retires the kept one, the next read asks.
    template, price = _template(erp_server)
    erp_server.client().model("product.template", "write", [template], {"list_price": price * 2})
    clock[0] += EVERY
    assert watch.check() == "changed"
    [after] = gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    assert after.unit_price is not None and before.unit_price is not None
    assert after.unit_price.amount == (before.unit_price.amount * 2).quantize(
        after.unit_price.amount
    )


def test_without_a_recent_check_the_ttl_applies(shop, erp_server, clock, checks, settings):
    gateway, _buyer = shop
    assert watch.check() in ("changed", "checked")
    lines = [q("FAS-1003")]
    gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    # Two intervals without a check (no traffic, the beat not running): not vouched for.
    clock[0] += TTL + 2 * EVERY
    requests = gateway.backend.request_count()
    gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    # The price asked again, as without a watch; and the watch, due, asked too (for the next).
    assert gateway.backend.request_count() - requests == 1 + 3 * len(watch_models())
    # And with the watch off, never past the TTL.
    settings.ERP_WATCH_SECONDS = 0
    assert watch.check() == "off"
    clock[0] += TTL
    requests = gateway.backend.request_count()
    gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    assert gateway.backend.request_count() - requests == 1


def test_an_unreachable_erp_leaves_the_watch_unhealthy(shop, erp_server, clock, settings):
    assert watch.check() in ("changed", "checked")
    checked_at = cache.get(watch.CHECKED_AT)
    settings.ERP_URL = "http://127.0.0.1:9"  # nothing listens there: another backend
    try:
        clock[0] += EVERY
        assert watch.check() == "unavailable"
        assert cache.get(watch.CHECKED_AT) == checked_at
        clock[0] += EVERY
        assert not watch.healthy(cache.get(watch.CHECKED_AT))
        assert watch.life(TTL, cache.get(watch.CHECKED_AT), checked_at[0]) == TTL
        assert cache.get(watch.LOCK) is None  # released for the next try
    finally:
        cache.delete_many(
            [resilience.BREAKER_FAILURES, resilience.BREAKER_OPENED_AT, resilience.BREAKER_PROBE]
        )


def test_a_buyers_page_lives_on_the_watchs_word_and_goes_with_a_change(
    shop, erp_server, clock, checks
):
    gateway, buyer = shop
    assert watch.check() in ("changed", "checked")
    client, _secret = _browser(buyer)
    first = _get(client)
    assert first["X-Storefleet-Cache"] == "miss"

    clock[0] += TTL - EVERY
    assert watch.check() == "checked"  # the beat, within the page's life
    # Past the page's life (the TTLs), nothing changed: fresh on the watch's word, and each
    # time the watch is due it is asked again (here in place; on a thread in production).
    for _ in range(3):
        clock[0] += EVERY
        requests = gateway.backend.request_count()
        page = _get(client)
        assert page["X-Storefleet-Cache"] == "hit"
        assert page.content == first.content
        # Not a price or stock read: only the watch's three reads per model.
        assert gateway.backend.request_count() - requests == 3 * len(watch_models())
    assert checks[-3:] == ["checked"] * 3
    clock[0] += 3 * EVERY
    # The watch last asked three intervals ago, and another process holds its lock (its check
    # not back yet): not vouched for, the page is past its life.
    assert cache.add(watch.LOCK, 1, 30)
    page = _get(client)
    assert page["X-Storefleet-Cache"] == "hit-stale"
    cache.delete(watch.LOCK)

    # A price moved in the ERP: the first check after it retires the page at once.
    template, price = _template(erp_server)
    erp_server.client().model("product.template", "write", [template], {"list_price": price * 3})
    clock[0] += EVERY
    assert watch.check() == "changed"
    requests = gateway.backend.request_count()
    after = _get(client)
    assert after["X-Storefleet-Cache"] == "miss"
    assert gateway.backend.request_count() > requests
    assert _price_shown(after.content) == (price * 3 * Decimal("0.88")).quantize(Decimal("0.01"))


def watch_models() -> tuple[str, ...]:
    from storefleet.erp.backends.tryton import reads

    return (*reads.PRICE_MODELS, *reads.STOCK_MODELS)
