"""Prices, availability, master data and the connection test against the real ERP."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from storefleet.erp.errors import ErpNotFound
from storefleet.erp.types import Availability, PriceQuote, SyncCursor
from storefleet.money import Money, Quantity

from .conftest import promised_today, q


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def test_contract_price_list_with_volume_break(gateway):
    # C-1002 is on Contract A: -10 %, -15 % from 100.
    quotes = gateway.prices(
        store="ferrum",
        customer="C-1002",
        lines=[q("FAS-1003", 1), q("FAS-1003", 100), q("BRG-1002", 99)],
    )
    assert [quote.unit_price for quote in quotes] == [eur("1.7730"), eur("1.6745"), eur("7.6770")]
    assert quotes[0] == PriceQuote("FAS-1003", Decimal(1), eur("1.7730"), "Unit", True)


def test_contract_b_breaks_and_fastener_discount(gateway):
    # C-1003 is on Contract B: -5 %, -8 % from 50, -12 % from 250; fasteners -20 %, -25 % from 1000.
    quotes = gateway.prices(
        store="ferrum",
        customer="C-1003",
        lines=[
            q("BRG-1002", 1),
            q("BRG-1002", 50),
            q("BRG-1002", 250),
            q("FAS-1003", 1),
            q("FAS-1003", 1000),
        ],
    )
    assert [quote.unit_price.amount for quote in quotes if quote.unit_price] == [
        Decimal("8.1035"),
        Decimal("7.8476"),
        Decimal("7.5064"),
        Decimal("1.5760"),
        Decimal("1.4775"),
    ]


def test_customer_specific_fixed_prices(gateway, manifest):
    fixed = manifest["customer_specific_prices"]
    assert fixed["customer"] == "C-1001"
    quotes = gateway.prices(
        store="ferrum", customer="C-1001", lines=[q(sku) for sku in fixed["fixed_prices"]]
    )
    assert {quote.sku: quote.unit_price for quote in quotes} == {
        "BRG-1001": eur("27.2000"),
        "BRG-1002": eur("5.9700"),
        "HYD-1002": eur("160.4500"),
        "PNE-1002": eur("1.9500"),
        "TOL-1002": eur("16.0700"),
    }
    # Other SKUs on the Nordwerk list: -12 %, -18 % from 100.
    (small, large) = gateway.prices(
        store="ferrum", customer="C-1001", lines=[q("FAS-1003", 1), q("FAS-1003", 100)]
    )
    assert (small.unit_price, large.unit_price) == (eur("1.7336"), eur("1.6154"))


def test_customer_without_price_list_pays_list_price(gateway):
    (quote,) = gateway.prices(store="ferrum", customer="C-1007", lines=[q("BRG-1002")])
    assert quote.unit_price == eur("8.5300")


def test_unknown_sku_is_marked_not_priced(gateway):
    (quote,) = gateway.prices(store="ferrum", customer="C-1002", lines=[q("NOPE-0001")])
    assert quote == PriceQuote("NOPE-0001", Decimal(1), None, None, False)


def test_unknown_customer(gateway):
    with pytest.raises(ErpNotFound) as missing:
        gateway.prices(store="ferrum", customer="C-9999", lines=[q("BRG-1002")])
    assert missing.value.message == "Customer C-9999 was not found in the ERP."


def test_a_batch_of_skus_costs_one_erp_request(gateway, manifest):
    skus = [p["sku"] for p in manifest["products"] if p["sku"].startswith("SEA-")][:20]
    # Codes → ids of the customer and warehouse are memoised per process: warm them first.
    gateway.prices(store="ferrum", customer="C-1005", lines=[q("BRG-1002")])
    gateway.availability(
        store="ferrum", customer="C-1005", warehouse="WH-EU", lines=[q("BRG-1002")]
    )
    before = gateway.backend.request_count()
    quotes = gateway.prices(store="ferrum", customer="C-1005", lines=[q(s, 40) for s in skus])
    assert gateway.backend.request_count() - before == 1
    assert len(quotes) == 20 and all(quote.known for quote in quotes)
    # Availability for the same SKUs: one more request (their ids are known by now).
    before = gateway.backend.request_count()
    gateway.availability(
        store="ferrum", customer="C-1005", warehouse="WH-EU", lines=[q(s, 40) for s in skus]
    )
    assert gateway.backend.request_count() - before == 1


def test_availability_now_and_when_it_comes(gateway, manifest):
    arrival = next(
        datetime.date.fromisoformat(s["date"])
        for s in manifest["scenarios"]["incoming_supplies"]
        if "FAS-1001" in s["skus"]
    )
    answers = gateway.availability(
        store="ferrum",
        customer="C-1002",
        warehouse="WH-EU",
        lines=[
            q("FAS-1001", 100),
            q("BRG-1004", 10),
            q("BRG-1004", 5),
            q("BRG-1006", 2),
            q("NOPE-1"),
        ],
    )
    assert answers == [
        Availability(
            "FAS-1001", "WH-EU", Decimal(100), Quantity(Decimal(0), "Unit"), True, arrival
        ),
        Availability("BRG-1004", "WH-EU", Decimal(10), Quantity(Decimal(6), "Unit"), True, None),
        Availability("BRG-1004", "WH-EU", Decimal(5), Quantity(Decimal(6), "Unit"), True, None),
        # 321 on hand, 8 reserved by a confirmed sale: 313 can be promised.
        Availability(
            "BRG-1006",
            "WH-EU",
            Decimal(2),
            Quantity(promised_today(manifest, "BRG-1006"), "Unit"),
            True,
            None,
        ),
        Availability("NOPE-1", "WH-EU", Decimal(1), None, False, None),
    ]
    assert arrival == datetime.date.fromisoformat(manifest["seeded_on"]) + datetime.timedelta(14)
    assert [a.enough_now for a in answers] == [False, False, True, True, False]


def test_availability_differs_per_warehouse(gateway):
    eu, us = (
        gateway.availability(
            store="ferrum", customer="C-1002", warehouse=wh, lines=[q("FAS-1004", 100)]
        )[0]
        for wh in ("WH-EU", "WH-US")
    )
    assert (eu.available_now, us.available_now) == (
        Quantity(Decimal(0), "Unit"),
        Quantity(Decimal(4700), "Unit"),
    )


def test_products_for_sync_in_bounded_batches(gateway, manifest):
    first = gateway.products_changed_since(cursor=SyncCursor(), limit=100)
    assert (len(first.records), first.complete) == (100, False)
    seen = list(first.records)
    cursor = first.next_cursor
    while True:
        batch = gateway.products_changed_since(cursor=cursor, limit=100)
        seen += batch.records
        cursor = batch.next_cursor
        if batch.complete:
            break
    skus = {p.sku for p in seen}
    assert {p["sku"] for p in manifest["products"]} <= skus
    hyd = next(p for p in seen if p.sku == "HYD-1001")
    assert (hyd.unit, hyd.min_quantity, hyd.multiple, hyd.categories, hyd.list_price) == (
        "Meter",
        Decimal(5),
        Decimal("0.5"),
        ("Hydraulics",),
        eur("40.1500"),
    )
    assert (
        hyd.salable
        and hyd.active
        and hyd.erp_id == next(p["id"] for p in manifest["products"] if p["sku"] == "HYD-1001")
    )
    # Nothing written since the newest write date: an empty, complete batch.
    again = gateway.products_changed_since(
        cursor=SyncCursor(cursor.write_date + datetime.timedelta(seconds=1)), limit=100
    )
    assert (again.records, again.complete) == ((), True)


def test_customers_for_sync_with_addresses(gateway, manifest):
    batch = gateway.customers_changed_since(cursor=SyncCursor(), limit=50)
    assert batch.complete
    assert [c.code for c in batch.records] == [c["code"] for c in manifest["customers"]]
    rivage = next(c for c in batch.records if c.code == "C-1003")
    assert (rivage.price_list, rivage.payment_term, rivage.credit_limit) == (
        "Contract B",
        "Net 30",
        eur("5000"),
    )
    assert [(a.city, a.invoice, a.delivery) for a in rivage.addresses] == [
        ("Lyon", True, True),
        ("Lyon", False, True),
        ("Lyon", False, True),
    ]
    assert len({a.erp_id for a in rivage.addresses}) == 3


def test_connection_report(gateway, erp_server):
    report = gateway.test_connection()
    assert report.version == "8.2"
    assert (report.company, report.currency, report.database) == (
        "Ferrum Industrial Components",
        "EUR",
        "storefleet",
    )
    assert [(w.code, w.name) for w in report.warehouses] == [
        ("WH-EU", "Ferrum Warehouse Duisburg"),
        ("WH-US", "Ferrum Warehouse Columbus"),
    ]
    assert [p.name for p in report.price_lists] == [
        p["name"] for p in erp_server.manifest["price_lists"]
    ]
