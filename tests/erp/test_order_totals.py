"""The tax and total a checkout shows are the ERP's: ``order_totals`` asks the reference ERP
(Tryton's own tax computation, nothing written) and the sale then submitted is invoiced at
exactly that total."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from storefleet.erp.errors import ErpNotFound
from storefleet.erp.types import OrderLineRequest, OrderRequest
from storefleet.money import Money

from .conftest import point_gateway_at


@pytest.fixture
def gateway(settings, fresh_erp_server):
    return point_gateway_at(settings, fresh_erp_server)


@pytest.fixture
def erp(fresh_erp_server):
    return fresh_erp_server.client()


def checkout_order(erp, gateway, customer: str, *lines: tuple[str, str], key: str) -> OrderRequest:
    (party,) = erp.search_read("party.party", [["code", "=", customer]], ["addresses"])
    order = OrderRequest(
        customer=customer,
        warehouse="WH-EU",
        ship_to_address_id=sorted(party["addresses"])[0],
        lines=tuple(OrderLineRequest(sku, Decimal(qty)) for sku, qty in lines),
        idempotency_key=key,
        currency="EUR",
    )
    verdict = gateway.validate_order(order=order)
    assert verdict.ok, verdict
    priced = tuple(
        dataclasses.replace(line, expected_unit_price=v.unit_price.amount)
        for line, v in zip(order.lines, verdict.lines, strict=True)
    )
    return dataclasses.replace(order, lines=priced, prechecked=True, first_submission=True)


@pytest.mark.django_db
def test_the_checkouts_total_is_what_the_erp_invoices(gateway, erp):
    order = checkout_order(
        erp, gateway, "C-1001", ("BRG-1002", "3"), ("FAS-1007", "200"), key="totals-1"
    )
    before = gateway.backend.request_count()
    totals = gateway.order_totals(store="ferrum", order=order)
    # One ERP request (the customer and products are known from the verdict just before).
    assert gateway.backend.request_count() - before == 1
    net = sum(
        (
            (line.expected_unit_price * line.quantity).quantize(Decimal("0.01"))
            for line in order.lines
        ),
        Decimal(0),
    )
    assert totals.untaxed == Money(net, "EUR")
    assert totals.tax == Money((net * Decimal("0.19")).quantize(Decimal("0.01")), "EUR")
    assert totals.total == Money(net + totals.tax.amount, "EUR")
    assert (
        erp.search_read("sale.sale", [["description", "like", "storefleet:totals-%"]], ["id"]) == []
    )

    submitted = gateway.submit_order(order=order)
    assert submitted.total == totals.total
    (sale,) = erp.search_read(
        "sale.sale", [["number", "=", submitted.number]], ["untaxed_amount", "tax_amount"]
    )
    assert (sale["untaxed_amount"], sale["tax_amount"]) == (
        totals.untaxed.amount,
        totals.tax.amount,
    )


@pytest.mark.django_db
def test_totals_are_cached_for_the_same_lines_and_prices_only(gateway, erp):
    order = checkout_order(erp, gateway, "C-1004", ("BRG-1002", "2"), key="totals-2")
    first = gateway.order_totals(store="ferrum", order=order)
    before = gateway.backend.request_count()
    assert gateway.order_totals(store="ferrum", order=order) == first
    assert gateway.backend.request_count() == before  # a reload asks the ERP nothing
    more = dataclasses.replace(
        order, lines=(dataclasses.replace(order.lines[0], quantity=Decimal(4)),)
    )
    bigger = gateway.order_totals(store="ferrum", order=more)
    assert gateway.backend.request_count() == before + 1
    price = order.lines[0].expected_unit_price
    assert bigger.untaxed.amount == (price * 4).quantize(Decimal("0.01"))  # the ERP's rounding
    gateway.invalidate_prices(store="ferrum", customer="C-1004")
    gateway.order_totals(store="ferrum", order=order)
    assert gateway.backend.request_count() == before + 2  # an invalidation drops it too


@pytest.mark.django_db
def test_an_unknown_sku_is_a_clear_error_and_nothing_is_written(gateway, erp):
    order = checkout_order(erp, gateway, "C-1001", ("BRG-1002", "1"), key="totals-3")
    sales_before = erp.search_read("sale.sale", [], ["id"])
    bad = dataclasses.replace(order, lines=(*order.lines, OrderLineRequest("NOPE-1", Decimal(1))))
    with pytest.raises(ErpNotFound):
        gateway.order_totals(store="ferrum", order=bad)
    assert erp.search_read("sale.sale", [], ["id"]) == sales_before
