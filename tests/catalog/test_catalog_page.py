"""The storefront catalog: a page in the brand's tree routing to the products mirrored from
the ERP — list, search, category filter, pages, and one product per SKU."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefleet.catalog.models import AnonymousPrices, CatalogPage, Product
from storefleet.catalog.services import products_upsert
from storefleet.erp.types import Money, ProductRecord

pytestmark = pytest.mark.django_db

WRITTEN = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def _products(count: int, *, start: int = 1, category: str = "Fasteners") -> None:
    products_upsert(
        records=[
            ProductRecord(
                erp_id=number,
                sku=f"FAS-{number:04d}",
                name=f"Hex bolt M{number}",
                unit="Unit",
                salable=True,
                active=True,
                min_quantity=Decimal("100") if number == 1 else None,
                multiple=Decimal("50.0000") if number == 1 else None,
                categories=(category,),
                list_price=Money(Decimal("0.0900"), "EUR"),
                erp_write_date=WRITTEN,
            )
            for number in range(start, start + count)
        ]
    )


@pytest.fixture
def catalog(ferrum) -> CatalogPage:
    page = CatalogPage(title="Products", slug="catalog", per_page=24)
    ferrum.home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _get(client, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, HTTP_HOST="ferrum.localhost")


def test_list_shows_products_with_sign_in_for_price_by_default(client, catalog):
    _products(3)
    body = _get(client, "/catalog/").content.decode()
    assert "3 products" in body
    assert "SKU FAS-0001" in body and "Hex bolt M3" in body
    assert 'href="/catalog/FAS-0002/"' in body
    assert body.count("Sign in for your price") == 3
    assert "min. 100 Unit · in steps of 50" in body


def test_list_prices_by_store_setting(client, catalog):
    _products(1)
    catalog.anonymous_prices = AnonymousPrices.LIST_PRICE
    catalog.save_revision().publish()
    body = _get(client, "/catalog/").content.decode()
    assert "€ 0.09" in body and "list price" in body
    assert "Sign in for your price" not in body


def test_search_by_sku_or_name_and_filter_by_category(client, catalog):
    _products(3)
    _products(2, start=50, category="Bearings")
    assert "1 product for “FAS-0002”" in _get(client, "/catalog/?q=FAS-0002").content.decode()
    assert "Hex bolt M51" in _get(client, "/catalog/?q=m51").content.decode()
    bearings = Product.objects.get(sku="FAS-0050").category_id
    body = _get(client, f"/catalog/?category={bearings}").content.decode()
    assert "2 products in Bearings" in body and "FAS-0001" not in body
    assert "No products match" in _get(client, "/catalog/?q=nothing-like-this").content.decode()


def test_pages_of_24(client, catalog):
    _products(30)
    first = _get(client, "/catalog/").content.decode()
    second = _get(client, "/catalog/?page=2").content.decode()
    assert "Page 1 of 2" in first and "FAS-0024" in first and "FAS-0025" not in first
    assert "FAS-0030" in second and "FAS-0001" not in second
    assert _get(client, "/catalog/?page=99").status_code == 200  # clamps to the last page


def test_product_page_by_sku_and_a_clear_404_for_an_unknown_one(client, catalog):
    _products(1)
    body = _get(client, "/catalog/FAS-0001/").content.decode()
    assert "<h1>Hex bolt M1</h1>" in body
    assert "Minimum order</dt><dd>100 Unit" in body
    assert _get(client, "/catalog/NOPE-1/").status_code == 404


def test_inactive_or_unsalable_products_are_not_sold(client, catalog):
    _products(2)
    Product.objects.filter(sku="FAS-0002").update(salable=False)
    assert _get(client, "/catalog/FAS-0002/").status_code == 404
    assert "FAS-0002" not in _get(client, "/catalog/").content.decode()


def test_list_query_count_does_not_grow_with_the_catalog(client, catalog):
    _products(30)
    client.cookies["sessionid"] = "bypass-the-page-cache"
    _get(client, "/catalog/")  # warm: host map, site root paths
    with CaptureQueriesContext(connection) as small:
        assert _get(client, "/catalog/").status_code == 200
    _products(300, start=100)
    with CaptureQueriesContext(connection) as large:
        assert _get(client, "/catalog/").status_code == 200
    assert len(large) == len(small)
    assert len(small) <= 20
