"""ERP call statistics are never lost: they live in the database (a culled file cache left
counts at 0 beside a max of seconds), add up across processes and threads, cost no query in a
request's path (one statement for all its operations when it ends), and wait in memory while a
caller's transaction is open (its rollback cannot take them)."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection, transaction

from storefleet.erp import resilience, stats
from storefleet.erp.models import CallStat
from storefleet.erp.selectors import erp_call_stats


def _figures(operation: str) -> tuple[int, int, float, float]:
    found = next(s for s in erp_call_stats() if s.operation == operation)
    return found.count, found.errors, found.total_ms, found.max_ms


def _row(operation: str) -> tuple[int, int, int, float]:
    row = CallStat.objects.get(operation=operation)
    return row.count, row.errors, row.total_us, row.max_ms


@pytest.mark.django_db
def test_counts_survive_the_cache_being_emptied():
    resilience.record("prices", 12.5, "ok")
    resilience.record("prices", 1500.0, "unavailable")
    resilience.record("prices", 2.5, "rejected")  # the ERP answered: not an error
    cache.clear()  # what a file cache's cull did to the counters
    assert _figures("prices") == (3, 1, 1515.0, 1500.0)


@pytest.fixture
def write_at_once(monkeypatch):  # type: ignore[no-untyped-def]
    """Every call outside a transaction writes (no interval): the figures' arithmetic."""
    monkeypatch.setattr(stats, "FLUSH_INTERVAL_SECONDS", 0.0)


@pytest.mark.django_db(transaction=True)
def test_a_request_writes_its_calls_in_one_statement_when_it_ends(
    client, django_assert_num_queries
):
    resilience.record("availability", 4.0, "ok")
    resilience.record("prices", 3.0, "ok")
    with django_assert_num_queries(1):  # the first request's end makes the rows: one statement
        stats.stats_flush()
    with django_assert_num_queries(0):  # in the request's path: nothing
        resilience.record("availability", 9.0, "ok")
        resilience.record("availability", 1.0, "error")
        resilience.record("prices", 2.0, "ok")
    with django_assert_num_queries(1):  # its end: one statement for every operation
        stats.stats_flush()
    assert _row("availability") == (3, 1, 14_000, 9.0)
    assert _row("prices") == (2, 0, 5_000, 3.0)


@pytest.mark.django_db(transaction=True)
def test_each_call_outside_a_transaction_is_one_update_once_the_interval_passed(
    write_at_once, django_assert_num_queries
):
    resilience.record("availability", 4.0, "ok")  # the first also creates the row
    with django_assert_num_queries(1):
        resilience.record("availability", 9.0, "ok")
    with django_assert_num_queries(1):
        resilience.record("availability", 1.0, "error")
    assert _row("availability") == (3, 1, 14_000, 9.0)


@pytest.mark.django_db(transaction=True)
def test_calls_inside_a_transaction_are_written_after_it_even_when_it_rolls_back(
    write_at_once, django_assert_num_queries
):
    with pytest.raises(RuntimeError), transaction.atomic():
        with django_assert_num_queries(0):
            resilience.record("credit_status", 30.0, "ok")
            resilience.record("credit_status", 70.0, "ok")
        raise RuntimeError("the caller's transaction fails")
    assert not CallStat.objects.exists()
    assert _figures("credit_status") == (2, 0, 100.0, 70.0)  # this process still counts them
    resilience.record("credit_status", 5.0, "ok")  # the next call outside writes all three
    assert _row("credit_status") == (3, 0, 105_000, 70.0)


@pytest.mark.django_db(transaction=True)
def test_the_end_of_a_request_writes_what_waited(client):
    with transaction.atomic():
        resilience.record("open_invoices", 8.0, "ok")
    assert not CallStat.objects.exists()
    client.get("/healthz", HTTP_HOST="localhost")  # request_finished
    assert _row("open_invoices") == (1, 0, 8_000, 8.0)


@pytest.mark.django_db(transaction=True)
def test_a_write_the_database_refuses_is_kept_for_the_next(write_at_once, monkeypatch):
    write = stats._write
    refusals = iter([OperationalError("database is locked")])

    def busy_once(pending):  # type: ignore[no-untyped-def]
        error = next(refusals, None)
        if error is not None:
            raise error
        write(pending)

    monkeypatch.setattr(stats, "_write", busy_once)
    resilience.record("prices", 10.0, "ok")  # never fails the call it counts
    assert not CallStat.objects.exists()
    resilience.record("prices", 20.0, "ok")
    assert _row("prices") == (2, 0, 30_000, 20.0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_add_up_exactly(write_at_once):
    """Threads with their own database connections, as web and worker processes have."""
    calls, threads = 25, 4

    def caller(index: int) -> None:
        try:
            for n in range(calls):
                resilience.record("prices", float(index * 100 + n), "ok")
        finally:
            connection.close()

    workers = [threading.Thread(target=caller, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stats.stats_flush()  # whatever a busy database made wait
    expected_total_us = sum((i * 100 + n) * 1000 for i in range(threads) for n in range(calls))
    assert _row("prices") == (calls * threads, 0, expected_total_us, float(300 + calls - 1))
