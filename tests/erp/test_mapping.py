"""A store's ERP mapping checked against the real reference ERP (``ErpGateway.mapping_check``)."""

from __future__ import annotations

from decimal import Decimal

from storefleet.erp.types import MappingQuery
from storefleet.provisioning.erp_check import erp_check_describe

HYDRA = MappingQuery(
    warehouse="WH-US",
    price_list="List Price",
    currency="USD",
    assortment=("HYD", "Pneumatics"),
    sample_skus=("HYD-1007", "PNE-1001"),
)


def test_a_sound_mapping_reports_prices_in_the_store_currency_and_stock(gateway):
    gateway.test_connection()  # signed in: the count below is the check's own requests
    before = gateway.backend.request_count()
    report = gateway.mapping_check(query=HYDRA)

    assert report.ok
    assert report.warehouse is not None and report.warehouse.code == "WH-US"
    assert report.price_list is not None and report.price_list.name == "List Price"
    assert report.company_currency == "EUR"
    assert report.currencies == ("EUR", "USD")
    assert [c.name for c in report.assortment] == ["Hydraulics", "Pneumatics"]
    assert report.missing_categories == ()
    assert [s.sku for s in report.samples] == ["HYD-1007", "PNE-1001"]
    assert all(s.known and s.salable and s.stock is not None for s in report.samples)
    assert {s.list_price.currency for s in report.samples if s.list_price} == {"USD"}
    # A handful of requests however many samples: version, company, warehouses, price lists,
    # currencies, categories, one product read with prices, one stock read.
    assert gateway.backend.request_count() - before == 8


def test_usd_prices_are_the_euro_list_prices_at_the_erp_exchange_rate(gateway):
    in_eur = gateway.mapping_check(
        query=MappingQuery("WH-EU", "List Price", "EUR", (), ("HYD-1007",))
    )
    in_usd = gateway.mapping_check(
        query=MappingQuery("WH-EU", "List Price", "USD", (), ("HYD-1007",))
    )

    eur, usd = in_eur.samples[0].list_price, in_usd.samples[0].list_price
    assert eur is not None and usd is not None
    assert (eur.currency, usd.currency) == ("EUR", "USD")
    assert abs(usd.amount - eur.amount * Decimal("1.0850")) < Decimal("0.01")


def test_every_problem_is_named_with_what_the_erp_has_instead(gateway):
    query = MappingQuery(
        warehouse="WH-XX",
        price_list="Gold",
        currency="CAD",
        assortment=("HYD", "ZZZ"),
        sample_skus=("HYD-1007", "NOPE-1"),
    )
    result = erp_check_describe(gateway.mapping_check(query=query), query)

    assert not result.ok
    assert result.problems[0].startswith("ERP warehouse 'WH-XX' does not exist (the ERP has WH-")
    assert result.problems[1].startswith("ERP price list 'Gold' does not exist (the ERP has ")
    assert result.problems[2] == (
        "The ERP cannot price in CAD: it prices in EUR, USD (the company's EUR and those it has "
        "an exchange rate for)."
    )
    assert result.problems[3].startswith("ERP product categories ZZZ do not exist (the ERP has ")
    assert "HYD (Hydraulics)" in result.problems[3]
    assert result.problems[4] == "SKU NOPE-1 is unknown to the ERP (or inactive there)."
    assert len(result.problems) == 5
