"""Reads about the ERP integration itself (for platform IT's admin view)."""

from __future__ import annotations

from django.core.cache import cache

from .resilience import STATS_OPERATIONS, breaker
from .types import CallStats


def erp_call_stats() -> list[CallStats]:
    """Count, errors, total and max milliseconds per backend operation, across processes."""
    operations = sorted(cache.get(STATS_OPERATIONS) or set())
    stats = []
    for operation in operations:
        prefix = f"erp:stats:{operation}:"
        values = cache.get_many([prefix + k for k in ("count", "errors", "total_us", "max_ms")])
        stats.append(
            CallStats(
                operation=operation,
                count=int(values.get(prefix + "count", 0)),
                errors=int(values.get(prefix + "errors", 0)),
                total_ms=int(values.get(prefix + "total_us", 0)) / 1000,
                max_ms=float(values.get(prefix + "max_ms", 0.0)),
            )
        )
    return stats


def erp_breaker_state() -> str:
    """``closed``, ``open`` or ``half-open``."""
    return breaker.state()
