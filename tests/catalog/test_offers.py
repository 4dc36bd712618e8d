"""A signed-in buyer sees their company's own price and their store's stock, from the real
reference ERP, in one gateway batch per page; anonymous visitors never do."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.catalog.models import CatalogPage, Product
from storefleet.catalog.offers import break_quantities, price_breaks, smallest_order_quantity
from storefleet.erp.types import PriceQuote
from storefleet.money import Money

pytestmark = pytest.mark.django_db


def test_buyer_sees_the_companys_fixed_price_and_stock(client, shop, erp_server):
    _gateway, buyer = shop
    manifest = erp_server.manifest
    client.force_login(buyer)
    body = client.get("/catalog/BRG-1001/", HTTP_HOST="ferrum.localhost").content.decode()
    fixed = manifest["customer_specific_prices"]["fixed_prices"]["BRG-1001"]  # "27.20"
    assert f"€{fixed} / " in body and "your price" in body
    assert "Sign in for your price" not in body
    stock = next(p for p in manifest["products"] if p["sku"] == "BRG-1001")["stock"]["WH-EU"]
    assert ("In stock" in body) == (stock["forecast_today"] >= 2)  # BRG-1001's minimum is 2


def test_a_page_of_products_costs_one_price_and_one_stock_request(client, shop):
    gateway, buyer = shop
    client.force_login(buyer)
    before = gateway.backend.request_count()
    response = client.get("/catalog/?q=FAS", HTTP_HOST="ferrum.localhost")
    assert response.status_code == 200
    first = gateway.backend.request_count() - before
    before = gateway.backend.request_count()
    client.get("/catalog/?q=FAS", HTTP_HOST="ferrum.localhost")
    # One price request per distinct order quantity on the page (Tryton prices one quantity
    # per call), one stock request; then nothing while the cache is fresh.
    assert 2 <= first <= 6
    assert gateway.backend.request_count() - before == 0
    assert "your price" in response.content.decode()


def test_anonymous_visitors_and_other_stores_get_no_company_price(client, shop, hydra):
    _gateway, buyer = shop
    body = client.get("/catalog/BRG-1001/", HTTP_HOST="ferrum.localhost").content.decode()
    assert "Sign in for your price" in body and ", your price" not in body
    # The same buyer on a store their company does not buy in sees no company price either.
    client.force_login(buyer)
    page = CatalogPage(title="Products", slug="catalog")
    hydra.home.add_child(instance=page)
    page.save_revision().publish()
    other = client.get("/catalog/BRG-1001/", HTTP_HOST="hydra.localhost").content.decode()
    assert ", your price" not in other


@pytest.mark.parametrize(
    ("minimum", "multiple", "least"),
    [
        (None, None, "1"),
        ("2", None, "2"),
        (None, "10", "10"),
        ("100", "100", "100"),
        ("25", "10", "30"),  # a minimum that is no multiple: the next multiple above it
        ("5", "0.5", "5"),
        (None, "0.1", "0.1"),
    ],
)
def test_smallest_order_quantity_follows_the_erps_rules(minimum, multiple, least):
    product = Product(
        min_quantity=Decimal(minimum) if minimum else None,
        quantity_multiple=Decimal(multiple) if multiple else None,
    )
    assert smallest_order_quantity(product) == Decimal(least)


def test_a_product_sold_in_fifties_is_priced_at_fifty(client, shop):
    """FAS-1002 has no minimum but a multiple of 50: its price is asked, and shown, at the
    least quantity that can be ordered, not at 1."""
    _gateway, buyer = shop
    client.force_login(buyer)
    response = client.get("/catalog/FAS-1002/", HTTP_HOST="ferrum.localhost")
    assert "your price from 50" in response.content.decode()
    offer = response.context["offer"]
    assert offer.quantity == Decimal(50) and offer.price.quantity == Decimal(50)


@pytest.mark.parametrize(
    ("minimum", "multiple", "quantities"),
    [
        (None, None, ["1", "10", "50", "100", "250", "1000"]),
        ("100", "50", ["100", "250", "1000"]),  # 150 and 200 are no break quantities
        ("25", "10", ["30", "50", "100", "250", "1000"]),
        (None, "3", ["3"]),  # no break quantity is a multiple of 3
        ("2000", None, ["2000"]),
    ],
)
def test_break_quantities_start_at_the_smallest_order_and_fit_the_multiple(
    minimum, multiple, quantities
):
    """The product page and the API's catalog price a product's breaks at these (one rule)."""
    product = Product(
        min_quantity=Decimal(minimum) if minimum else None,
        quantity_multiple=Decimal(multiple) if multiple else None,
    )
    assert break_quantities(product) == [Decimal(q) for q in quantities]


def test_price_breaks_are_where_the_unit_price_drops():
    def quote(quantity: str, price: str | None) -> PriceQuote:
        amount = Money(Decimal(price), "EUR") if price is not None else None
        return PriceQuote("FAS-1001", Decimal(quantity), amount, "Unit", price is not None)

    quotes = [
        quote("1", None),  # no price at this quantity: left out
        quote("10", "2.00"),
        quote("50", "2.00"),
        quote("100", "1.80"),
        quote("250", "1.90"),  # dearer than the break below: no break
        quote("1000", "1.50"),
    ]
    assert [(str(q.quantity), str(q.unit_price.amount)) for q in price_breaks(quotes)] == [
        ("10", "2.00"),
        ("100", "1.80"),
        ("1000", "1.50"),
    ]
    assert price_breaks([quote("1", None)]) == []
