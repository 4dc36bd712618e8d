"""The ERP change watch: prices and stock kept for as long as the ERP says nothing changed.

The gateway keeps a customer's prices for ``ERP_PRICE_TTL_SECONDS`` and a warehouse's stock for
``ERP_AVAILABILITY_TTL_SECONDS``, and a buyer's page lives no longer than those. Most of the
time nothing changed in the ERP meanwhile, and asking again costs the ERP a price computation
per customer and page: 200 companies' catalog pages made again every minute is more than two
cores can do. So every ``ERP_WATCH_SECONDS`` the watch asks the ERP one cheap question per
kind: a fingerprint of the records prices are computed from, and of those stock is computed
from (per model: how many, the newest id, the newest write; the backend's
``change_fingerprints``). A fingerprint that moved bumps its watch generation, which every
cached price batch, stock batch, checkout total and buyer page depends on: they are retired at
once, as an explicit invalidation would.

While the watch is *healthy* — its last check that the ERP answered started less than
``2 x ERP_WATCH_SECONDS`` ago — what is cached is current up to that check, so it is kept past
its TTL, until a generation moves, for at most ``ERP_WATCHED_MAX_AGE_SECONDS`` (a bound for
what no fingerprint sees, such as a price list line whose validity starts at midnight). A change
in the ERP then shows within one or two watch intervals instead of one TTL. When the watch does
not run (``ERP_WATCH_SECONDS = 0``, the ERP away, no traffic and no beat) the TTLs apply as
before: the watch only ever lengthens a life it can vouch for.

Who runs it: the beat (``storefleet.erp.watch``), and any request that served something only
the watch kept alive once the watch is due (:func:`due`), after its response; one check at a
time across processes (a lock in the cache)."""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from .errors import ErpUnavailable

logger = logging.getLogger(__name__)

# Generations every price (and checkout total) and every stock answer depend on, bumped when the
# ERP's fingerprint of what they are computed from moved.
PRICE_GENERATION = "erp:watch:price-gen"
STOCK_GENERATION = "erp:watch:stock-gen"
# The watch's state, ``(since, last)``: when the series of checks the ERP answered began (each
# compared with the one before), and when the last of them started (epoch seconds); and what
# the last one saw.
CHECKED_AT = "erp:watch:checked-at"
FINGERPRINTS = "erp:watch:fingerprints"
LOCK = "erp:watch:lock"
LOCK_SECONDS = 30

State = tuple[float, float]


def interval() -> int:
    return max(settings.ERP_WATCH_SECONDS, 0)


def _state(value: object) -> State | None:
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None


def healthy(value: object) -> bool:
    """Whether a check the ERP answered started less than two intervals ago (``value``: that
    of ``CHECKED_AT``, read by the caller with what it reads anyway)."""
    every, state = interval(), _state(value)
    return bool(every) and state is not None and time.time() - state[1] < 2 * every


def life(ttl: float, value: object, fetched_at: float) -> float:
    """How long an answer fetched at ``fetched_at`` and cached for ``ttl`` seconds may be kept
    now: up to the watched maximum while the watch is healthy and has watched since before it
    was fetched (a change before the series began is not in its fingerprints), else ``ttl``."""
    state = _state(value)
    if state is not None and fetched_at >= state[0] and healthy(value):
        return max(ttl, settings.ERP_WATCHED_MAX_AGE_SECONDS)
    return ttl


def longest(ttl: float) -> float:
    """The longest an answer cached for ``ttl`` seconds may ever be kept."""
    return max(ttl, settings.ERP_WATCHED_MAX_AGE_SECONDS) if interval() else ttl


def due(value: object) -> bool:
    """Whether a check should run now (none yet, or the last one started an interval ago)."""
    every, state = interval(), _state(value)
    return bool(every) and (state is None or time.time() - state[1] >= every)


def generations() -> list[str]:
    """The watch's generation keys, made where missing (a page depends on the values its reads
    saw, not on "missing")."""
    for key in (PRICE_GENERATION, STOCK_GENERATION):
        cache.add(key, 1, timeout=None)
    return [PRICE_GENERATION, STOCK_GENERATION]


def _bump(key: str) -> None:
    cache.add(key, 1, timeout=None)
    cache.incr(key)


def check() -> str:
    """Ask the ERP for its fingerprints and bump the generation of each kind that moved (both,
    the first time: nothing says what was cached before). One check at a time; answers
    ``"checked"``, ``"changed"``, ``"busy"`` (another holds the lock), ``"off"`` or
    ``"unavailable"``."""
    if not interval():
        return "off"
    if not cache.add(LOCK, 1, LOCK_SECONDS):
        return "busy"
    return _check_holding_lock()


def _check_holding_lock() -> str:
    try:
        from .gateway import get_gateway

        started = time.time()
        try:
            prices, stock = get_gateway().change_fingerprints()
        except ErpUnavailable:
            return "unavailable"
        before = cache.get(FINGERPRINTS)
        previous = _state(cache.get(CHECKED_AT))
        changed = False
        # The first check of all vouches for nothing cached before it (its series begins now);
        # after it, a moved fingerprint retires what was made of the old.
        if before is not None and before[0] != prices:
            _bump(PRICE_GENERATION)
            changed = True
        if before is not None and before[1] != stock:
            _bump(STOCK_GENERATION)
            changed = True
        cache.set(FINGERPRINTS, (prices, stock), timeout=None)
        # Each check compares with the last one, however long ago: a change at any time
        # between them moved a fingerprint. So the series goes on from the first check whose
        # fingerprints are still known; what was cached before that is vouched for by none.
        since = previous[0] if before is not None and previous is not None else started
        # Set last: what was cached before a bump is not vouched for by this check.
        cache.set(CHECKED_AT, (since, started), timeout=None)
        return "changed" if changed else "checked"
    finally:
        cache.delete(LOCK)


def check_soon() -> None:
    """Have a check run now without waiting for it: on a thread of its own (the serving
    request goes on; ``ERP_WATCH_IN_THREAD = False`` runs it in place, for the tests), unless
    another check holds the lock. A failure is logged, never raised."""
    if not interval() or not cache.add(LOCK, 1, LOCK_SECONDS):
        return

    def run() -> None:
        try:
            _check_holding_lock()
        except Exception:
            logger.exception("the ERP change watch failed")

    def run_in_thread() -> None:
        try:
            run()
        finally:
            # The thread's own database connections (the gateway counts its calls): closed
            # with it, not left open for the life of the serving process.
            connections.close_all()

    if settings.ERP_WATCH_IN_THREAD:
        threading.Thread(target=run_in_thread, name="erp-watch", daemon=True).start()
    else:
        run()


class PageLife:
    """The watch as a page cache's life extender (``brand.buyer_cache.LifeExtender``: the
    catalog registers it): a buyer's page of prices and stock lives as the gateway's answers
    do, and a page served asks the watch again when it is due."""

    key = CHECKED_AT

    def life(self, life: float, value: object, made_at: float) -> float:
        return globals()["life"](life, value, made_at)

    def longest(self, life: float) -> float:
        return longest(life)

    def served(self, value: object) -> None:
        if due(value):
            check_soon()
