"""Sales as the buyer follows them, read from the real ERP: batches by cursor in one request
each, one sale by number (cached by the gateway, with explicit invalidation), and the seeded
partial delivery read as the two shipments it is."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from storefleet.erp.errors import ErpNotFound
from storefleet.erp.types import OrderState, ShipmentLineDetail, SyncCursor
from storefleet.money import Money, Quantity


def test_sales_are_read_in_batches_of_one_request_each(gateway, manifest):
    gateway.sales_changed_since(cursor=SyncCursor(), limit=1)  # log in, learn the fields
    seeded = [s for s in manifest["sales"] if s["customer"].startswith("C-")]
    before = gateway.backend.request_count()
    first = gateway.sales_changed_since(cursor=SyncCursor(), limit=4)
    rest = gateway.sales_changed_since(cursor=first.next_cursor, limit=100)
    assert gateway.backend.request_count() - before == 2
    assert not first.complete and rest.complete
    # Every seeded sale, each once across the two batches; a sale another module wrote in
    # the session's ERP (modules run in any order on pytest-xdist workers) may come too.
    ids = [r.erp_id for r in first.records + rest.records]
    assert len(ids) == len(set(ids)) and {s["id"] for s in seeded} <= set(ids)
    by_id = {r.erp_id: r for r in first.records + rest.records}
    for s in seeded:
        record = by_id[s["id"]]
        assert (record.number, record.customer, record.po_number) == (
            s["number"] or "",
            s["customer"],
            s["reference"],
        )
        assert (record.state.value, record.shipment_state, record.invoice_state) == (
            s["state"],
            s["shipment_state"],
            s["invoice_state"],
        )
        assert record.total == Money(Decimal(s["total_amount"]), "EUR")
        assert record.idempotency_key == ""  # entered in the ERP, not on the web
    # Nothing written since: the next run reads nothing.
    assert gateway.sales_changed_since(cursor=rest.next_cursor).records == ()


def test_a_partial_delivery_is_two_shipments_with_what_each_carries(gateway, manifest):
    seeded = next(s for s in manifest["sales"] if s["kind"] == "partially shipped")
    sale = gateway.sale(number=seeded["number"], customer=seeded["customer"])
    assert sale.state is OrderState.PROCESSING and sale.shipment_state == "partially shipped"
    first_line, second_line = sale.lines
    assert first_line.quantity.value > first_line.shipped > 0  # half of it went
    assert second_line.shipped == second_line.quantity.value
    sent, rest = sale.shipments
    assert (sent.state, rest.state) == ("done", "waiting")
    assert sent.effective_date == datetime.date.fromisoformat(manifest["seeded_on"])
    half = first_line.quantity.value / 2
    unit = first_line.quantity.unit
    assert sent.lines == (
        ShipmentLineDetail(first_line.erp_id, first_line.sku, Quantity(half, unit)),
        ShipmentLineDetail(second_line.erp_id, second_line.sku, second_line.quantity),
    )
    assert rest.lines == (
        ShipmentLineDetail(first_line.erp_id, first_line.sku, Quantity(half, unit)),
    )
    assert sum((line.amount.amount for line in sale.lines), Decimal(0)) <= sale.total.amount
    (invoice,) = sale.invoices  # Tryton drafts the invoice when the sale is processed
    assert (invoice.state, invoice.number, invoice.total) == ("draft", "", sale.total)


def test_one_sale_is_cached_until_invalidated(gateway, manifest):
    seeded = manifest["sales"][0]
    number, customer = seeded["number"], seeded["customer"]
    first = gateway.sale(number=number, customer=customer)
    before = gateway.backend.request_count()
    assert gateway.sale(number=number, customer=customer) == first
    assert gateway.backend.request_count() == before
    gateway.invalidate_sale(number=number, customer=customer)
    assert gateway.sale(number=number, customer=customer) == first
    assert gateway.backend.request_count() == before + 1
    gateway.invalidate_sales(customer="C-1004")  # another customer's: still cached
    assert gateway.sale(number=number, customer=customer) == first
    assert gateway.backend.request_count() == before + 1
    gateway.invalidate_sales(customer=customer)
    assert gateway.sale(number=number, customer=customer) == first
    assert gateway.backend.request_count() == before + 2


def test_an_unknown_sale_is_not_found(gateway):
    with pytest.raises(ErpNotFound):
        gateway.sale(number="SO-99999", customer="C-1001")


def test_the_customer_domain_is_applied_to_the_sales_party():
    from storefleet.erp.backends.tryton.sales import _party_domain

    assert _party_domain([["code", "like", "C-%"]]) == [["party.code", "like", "C-%"]]
    assert _party_domain(
        ["OR", ["code", "like", "C-%"], [["name", "=", "X"], ["active", "=", True]]]
    ) == [
        "OR",
        ["party.code", "like", "C-%"],
        [["party.name", "=", "X"], ["party.active", "=", True]],
    ]
