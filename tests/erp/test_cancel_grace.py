"""Cancellation the ERP allows: a confirmed sale stays cancellable during the sale configuration's
"Process Sale after" and is processed by the reference ERP's queue worker afterwards.

Each test starts its own ERP with the grace period it needs (``start_erp_server``): half an hour
(a manufacturer's setting: nothing gets processed during the test), or two seconds (the worker
processes the sale while the test waits)."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest

from storefleet.erp.errors import ErpRejected
from storefleet.erp.types import OrderState, ReasonCode

from .conftest import point_gateway_at
from .test_orders import line, order

WORKER_WAIT = 60  # seconds: the worker polls every second; the machine is shared and slow


@pytest.fixture(scope="module")
def half_hour_erp(start_erp_server):
    server = start_erp_server(process_sales_after=1800)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_second_erp(start_erp_server):
    server = start_erp_server(process_sales_after=2)
    yield server
    server.stop()


def expect_erp_state(erp, number: str, wanted: str, within: float = WORKER_WAIT) -> dict:
    """Wait (bounded) for the ERP's worker to move the sale to ``wanted``; fail otherwise."""
    deadline = time.monotonic() + within
    while True:
        (row,) = erp.search_read(
            "sale.sale", [["number", "=", number]], ["state", "shipments", "invoices"]
        )
        if row["state"] == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert row["state"] == wanted
    return row


def test_a_confirmed_sale_waits_for_its_grace_period_and_cancels_in_the_erp(
    settings, half_hour_erp
):
    gateway = point_gateway_at(settings, half_hour_erp)
    erp = half_hour_erp.client()
    assert gateway.cancel_grace_period() == datetime.timedelta(minutes=30)

    submitted = gateway.submit_order(order=order(erp, "C-1004", line("FAS-1003", 10), key="g1"))
    # Confirmed, not processed: no shipment, no invoice yet.
    assert submitted.state is OrderState.CONFIRMED
    (row,) = erp.search_read(
        "sale.sale", [["number", "=", submitted.number]], ["state", "shipments", "invoices"]
    )
    assert (row["state"], row["shipments"], row["invoices"]) == ("confirmed", [], [])

    cancelled = gateway.cancel_order(number=submitted.number)
    assert (cancelled.state, cancelled.already_cancelled) == (OrderState.CANCELLED, False)
    row = expect_erp_state(erp, submitted.number, "cancelled", within=0)
    assert (row["shipments"], row["invoices"]) == ([], [])


def test_after_the_grace_period_the_worker_processes_and_a_cancel_is_refused(
    settings, two_second_erp
):
    gateway = point_gateway_at(settings, two_second_erp)
    erp = two_second_erp.client()
    assert gateway.cancel_grace_period() == datetime.timedelta(seconds=2)

    submitted = gateway.submit_order(order=order(erp, "C-1004", line("FAS-1003", 10), key="g2"))
    assert submitted.state is OrderState.CONFIRMED
    row = expect_erp_state(erp, submitted.number, "processing")
    assert len(row["shipments"]) == 1  # the worker made the shipment

    with pytest.raises(ErpRejected) as refused:
        gateway.cancel_order(number=submitted.number)
    assert refused.value.reasons == (ReasonCode.NOT_CANCELLABLE,)
    assert "already being processed" in str(refused.value)
    # Nothing half-done: still processing, its shipment untouched.
    after = expect_erp_state(erp, submitted.number, "processing", within=0)
    assert after["shipments"] == row["shipments"]
    (shipment,) = erp.search_read("stock.shipment.out", [["id", "in", row["shipments"]]], ["state"])
    assert shipment["state"] != "cancelled"


def test_without_a_grace_period_a_sale_is_processed_at_once(settings, erp_server):
    """The tests' default (and an ERP configured so): processed in the same request."""
    gateway = point_gateway_at(settings, erp_server)
    assert gateway.cancel_grace_period() is None


def _tryton_processes(server) -> list[str]:
    """What ``erpctl serve`` runs under ``server``: "server", and "worker" if a queue worker."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            args = (entry / "cmdline").read_bytes().decode().split("\0")
        except (OSError, ValueError, IndexError):
            continue  # not a process, or gone meanwhile
        if parent != server.process.pid:
            continue
        found += [args[i + 1] for i, arg in enumerate(args[:-1]) if arg.endswith("tryton_run.py")]
    return sorted(found)


def test_a_queue_worker_runs_beside_a_server_whose_sales_wait_and_no_other(
    half_hour_erp, erp_server
):
    """A queue worker only runs what a grace period scheduled for later: without one nothing
    is ever scheduled, and none is started (the suite starts ~160 servers without one)."""
    assert _tryton_processes(half_hour_erp) == ["server", "worker"]
    assert _tryton_processes(erp_server) == ["server"]
