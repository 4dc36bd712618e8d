"""Reads about the ERP integration itself (for platform IT's admin view)."""

from __future__ import annotations

from .resilience import breaker
from .stats import call_stats
from .types import CallStats


def erp_call_stats() -> list[CallStats]:
    """Count, errors, total and max milliseconds per backend operation, across processes."""
    return call_stats()


def erp_breaker_state() -> str:
    """``closed``, ``open`` or ``half-open``."""
    return breaker.state()
