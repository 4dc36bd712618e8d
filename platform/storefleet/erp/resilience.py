"""Circuit breaker and retries, kept in the Django cache so that every web and worker process
agrees on whether the ERP is down; each call is counted and timed in ``stats`` (database)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from .errors import ErpError, ErpRejected, ErpUnavailable
from .stats import call_record

logger = logging.getLogger("storefleet.erp")
T = TypeVar("T")

BREAKER_FAILURES = "erp:breaker:failures"
BREAKER_OPENED_AT = "erp:breaker:opened_at"
BREAKER_PROBE = "erp:breaker:probe"


class Breaker:
    """Closed → open after ``ERP_BREAKER_FAILURE_THRESHOLD`` consecutive failures; open →
    half-open once ``ERP_BREAKER_COOLDOWN_SECONDS`` have passed, when one caller (elected with
    an atomic ``cache.add``) probes; its success closes the breaker, its failure re-opens it."""

    def state(self) -> str:
        opened_at = cache.get(BREAKER_OPENED_AT)
        if opened_at is None:
            return "closed"
        if time.time() - opened_at < settings.ERP_BREAKER_COOLDOWN_SECONDS:
            return "open"
        return "half-open"

    def allow(self) -> bool:
        state = self.state()
        if state == "closed":
            return True
        if state == "half-open":
            return bool(cache.add(BREAKER_PROBE, 1, timeout=30))
        return False

    def success(self) -> None:
        if cache.get(BREAKER_FAILURES) or cache.get(BREAKER_OPENED_AT) is not None:
            cache.delete_many([BREAKER_FAILURES, BREAKER_OPENED_AT, BREAKER_PROBE])
            logger.info("erp breaker closed")

    def failure(self) -> None:
        cache.add(BREAKER_FAILURES, 0, timeout=None)
        failures = cache.incr(BREAKER_FAILURES)
        probing = cache.get(BREAKER_OPENED_AT) is not None
        if probing or failures >= settings.ERP_BREAKER_FAILURE_THRESHOLD:
            cache.set(BREAKER_OPENED_AT, time.time(), timeout=None)
            cache.delete(BREAKER_PROBE)
            logger.warning("erp breaker open failures=%s", failures)


breaker = Breaker()


def record(operation: str, ms: float, outcome: str) -> None:
    """Count and time one backend call: a structured log line and the statistics (``stats``)."""
    logger.info(
        "erp_call operation=%s outcome=%s ms=%.1f",
        operation,
        outcome,
        ms,
        extra={"erp_operation": operation, "erp_outcome": outcome, "erp_ms": round(ms, 1)},
    )
    call_record(operation=operation, ms=ms, failed=outcome not in ("ok", "rejected"))


def _outcome(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, ErpRejected):
        return "rejected"
    if isinstance(error, ErpUnavailable):
        return "unavailable"
    if isinstance(error, ErpError):
        return "error"
    return "crash"


def call(operation: str, func: Callable[[], T], *, idempotent: bool) -> T:
    """Run one backend operation through the breaker, with retries (exponential backoff and
    full jitter) when it is idempotent, timing and counting every attempt."""
    attempts = settings.ERP_RETRY_ATTEMPTS if idempotent else 1
    for attempt in range(1, attempts + 1):
        if not breaker.allow():
            record(operation, 0.0, "open")
            raise ErpUnavailable("circuit breaker open")
        started = time.perf_counter()
        error: BaseException | None = None
        try:
            result = func()
        except BaseException as exc:
            error = exc
            raise_now = not isinstance(exc, ErpUnavailable) or attempt == attempts
            if isinstance(exc, ErpUnavailable):
                breaker.failure()
            else:
                breaker.success()  # the ERP answered: it is up
            record(operation, (time.perf_counter() - started) * 1000, _outcome(exc))
            if raise_now:
                raise
        else:
            breaker.success()
            record(operation, (time.perf_counter() - started) * 1000, "ok")
            return result
        assert error is not None
        base = settings.ERP_RETRY_BACKOFF_SECONDS * (2 ** (attempt - 1))
        time.sleep(random.uniform(0, base))  # noqa: S311 - jitter, not security
    raise AssertionError("unreachable")
