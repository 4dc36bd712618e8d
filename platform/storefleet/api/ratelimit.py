"""Request limits of the partner API, kept in the Django cache (Redis in production), so every
web process counts against the same figures.

Per key: a sliding window of ``API_RATE_WINDOW_SECONDS`` approximated from two fixed windows
(the previous window's count weighted by how much of it still overlaps, plus the current
one's) — the scheme Cloudflare and Redis's own rate-limiting pattern use: two counters per key,
no per-request list, smooth at window edges. Refused requests are not counted, so a client that
backs off as ``Retry-After`` says gets through again.

Per client address: failed key lookups (wrong, revoked, expired keys), so guessing keys is
refused long before it could matter — what django-axes does for passwords."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True, slots=True)
class Allowance:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the current window ends

    def headers(self) -> dict[str, str]:
        """The IETF draft's fields (draft-ietf-httpapi-ratelimit-headers)."""
        window = settings.API_RATE_WINDOW_SECONDS
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit};w={window}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


def _windows(name: str, window: int, now: float) -> tuple[str, str, float]:
    index = int(now // window)
    elapsed = now - index * window
    return f"api:rate:{name}:{index}", f"api:rate:{name}:{index - 1}", elapsed


def _weighted(previous: int, current: int, elapsed: float, window: int) -> float:
    return previous * (1 - elapsed / window) + current


def _count(name: str, *, timeout: int) -> int:
    """Add one to the counter ``name`` and answer its count: one ``incr`` (atomic in Redis)
    on every request but a window's first, which creates it with ``add`` (atomic too: of two
    first requests, the one whose ``add`` loses counts by ``incr``)."""
    try:
        return cache.incr(name)
    except ValueError:  # no counter yet (or it expired just now)
        pass
    if cache.add(name, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(name)
    except ValueError:  # created and expired in between: start it again
        cache.set(name, 1, timeout=timeout)
        return 1


def key_allowance(*, key_id: int, limit: int, now: float | None = None) -> Allowance:
    """Count one request of the key, unless it is over its limit."""
    window = settings.API_RATE_WINDOW_SECONDS
    now = time.time() if now is None else now
    current_key, previous_key, elapsed = _windows(f"key:{key_id}", window, now)
    current = _count(current_key, timeout=window * 2)
    previous = int(cache.get(previous_key) or 0)
    used = _weighted(previous, current, elapsed, window)
    reset = max(1, math.ceil(window - elapsed))
    if used > limit:
        cache.decr(current_key)
        return Allowance(allowed=False, limit=limit, remaining=0, reset_seconds=reset)
    return Allowance(
        allowed=True, limit=limit, remaining=max(0, math.floor(limit - used)), reset_seconds=reset
    )


def _failure_key(address: str) -> str:
    return f"api:key-failures:{address}"


def failed_lookups_blocked(address: str | None) -> int:
    """Seconds until this client may try keys again (0: it may now)."""
    if address is None:
        return 0
    failures = int(cache.get(_failure_key(address)) or 0)
    if failures < settings.API_FAILED_KEYS_PER_CLIENT:
        return 0
    return settings.API_FAILED_KEYS_COOL_OFF_SECONDS


def failed_lookup_note(address: str | None) -> None:
    if address is None:
        return
    _count(_failure_key(address), timeout=settings.API_FAILED_KEYS_COOL_OFF_SECONDS)
