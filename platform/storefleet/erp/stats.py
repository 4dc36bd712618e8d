"""Per-operation statistics of the ERP gateway's backend calls (count, errors, total and max
time), kept in the database so that every web and worker process adds to the same figures and
none is ever culled (a file cache drops entries at random: counts at 0 beside a max of 2 s).

A process adds its calls up in memory and writes them in one statement (an upsert adding
to each operation's row, autocommit: a short transaction of its own) when the request or task
that made them ends (``apps.ErpConfig``), at the first call outside a transaction once
``FLUSH_INTERVAL_SECONDS`` have passed since its last write (long-running commands), and at
exit. So a gateway read costs no query in the request's path, and SQLite's single writer sees
one short write per request rather than one per call. Never inside a caller's transaction:
there the row's lock would be held until the caller commits (on SQLite, the whole database,
against the other process), and a rollback would take the counts of calls that did happen with
it. A write the database refuses (SQLite busy) is kept for the next one: counting never fails
the call it counts, and never loses it while the process lives."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import CallStat
from .types import CallStats

logger = logging.getLogger("storefleet.erp")


@dataclass
class _Delta:
    count: int = 0
    errors: int = 0
    total_us: int = 0
    max_ms: float = 0.0

    def add(self, other: _Delta) -> None:
        self.count += other.count
        self.errors += other.errors
        self.total_us += other.total_us
        self.max_ms = max(self.max_ms, other.max_ms)


FLUSH_INTERVAL_SECONDS = 1.0

_lock = threading.Lock()
_pending: dict[str, _Delta] = {}
_last_flush = time.monotonic()


def call_record(*, operation: str, ms: float, failed: bool) -> None:
    """Add one backend call to ``operation``'s figures."""
    delta = _Delta(count=1, errors=int(failed), total_us=round(ms * 1000), max_ms=ms)
    with _lock:
        _pending.setdefault(operation, _Delta()).add(delta)
    if not connection.in_atomic_block and time.monotonic() - _last_flush >= FLUSH_INTERVAL_SECONDS:
        stats_flush()


def stats_flush(**signal_kwargs: object) -> None:
    """Write what this process has counted and not yet written (also a signal receiver: at the
    end of each request and task)."""
    global _last_flush
    with _lock:
        _last_flush = time.monotonic()
        if not _pending:
            return
        pending = dict(_pending)
        _pending.clear()
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: a refusal leaves the caller's intact
                _write(pending)
        else:
            _write(pending)
    except Exception:  # busy, down, or no database in this process: keep them
        logger.warning(
            "erp call statistics of %s kept for the next write", ", ".join(pending), exc_info=True
        )
        with _lock:
            for operation, delta in pending.items():
                _pending.setdefault(operation, _Delta()).add(delta)


def _write(pending: dict[str, _Delta]) -> None:
    """Add ``pending`` to the operations' rows, creating those not there yet: one statement for
    them all (an upsert, which PostgreSQL and SQLite both speak), so the first call of an
    operation costs no more than the next and a request's end is one write whatever it called."""
    table = connection.ops.quote_name(CallStat._meta.db_table)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    now = CallStat._meta.get_field("updated_at").get_db_prep_value(timezone.now(), connection)
    rows = sorted(pending.items())  # one order for every process: no deadlock between two
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for operation, delta in rows:
        params += [operation, delta.count, delta.errors, delta.total_us, delta.max_ms, now]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({q('operation')}, {q('count')}, {q('errors')}, "  # noqa: S608
            f"{q('total_us')}, {q('max_ms')}, {q('updated_at')}) VALUES {values} "
            f"ON CONFLICT ({q('operation')}) DO UPDATE SET "
            + ", ".join(
                f"{q(column)} = {table}.{q(column)} + EXCLUDED.{q(column)}"
                for column in ("count", "errors", "total_us")
            )
            + f", {q('max_ms')} = {greatest}({table}.{q('max_ms')}, EXCLUDED.{q('max_ms')}), "
            f"{q('updated_at')} = EXCLUDED.{q('updated_at')}",
            params,
        )


def call_stats() -> list[CallStats]:
    """Every operation's figures, with what this process has counted but not yet written."""
    with _lock:
        pending = {operation: _Delta(**vars(delta)) for operation, delta in _pending.items()}
    figures = {
        row.operation: _Delta(row.count, row.errors, row.total_us, row.max_ms)
        for row in CallStat.objects.all()
    }
    for operation, delta in pending.items():
        figures.setdefault(operation, _Delta()).add(delta)
    return [
        CallStats(
            operation=operation,
            count=delta.count,
            errors=delta.errors,
            total_ms=delta.total_us / 1000,
            max_ms=delta.max_ms,
        )
        for operation, delta in sorted(figures.items())
    ]


def _flush_at_exit() -> None:
    try:
        stats_flush()
    except Exception:  # the process is ending; the log says what was lost
        logger.warning("erp call statistics not written at exit", exc_info=True)


atexit.register(_flush_at_exit)


def stats_forget() -> None:
    """Drop what this process has counted and not written (the test suite, between tests)."""
    with _lock:
        _pending.clear()
