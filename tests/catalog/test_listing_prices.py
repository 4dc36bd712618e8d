"""A signed-in buyer sorts the catalog by their company's price and by their store's stock,
against the real reference ERP: every product the filters leave priced in one gateway batch
(never one ERP request per product), as many queries as the SKU order; and, as a matrix of two
stores and two companies, each buyer sees and sorts by their own company's prices, in their own
store's assortment only."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.catalog.listing import _offer_key
from storefleet.catalog.models import CatalogPage, Product
from storefleet.catalog.offers import product_offers, smallest_order_quantity
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import StoreRecord, store_for_hostname
from storefleet.tenants.services import store_host_map_invalidate
from tests.catalog.factories import assortment_publish, catalog_page_make

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"
HYDRA = "hydra.localhost"


def _skus(body: str) -> list[str]:
    return re.findall(r'data-sku="([^"]+)"', body)


def _store(host: str) -> StoreRecord:
    record = store_for_hostname(host)
    assert record is not None
    return record


def _expected(host: str, customer: str, sort: str, products: list[Product]) -> list[str]:
    """The order the buyer should see, from the company's offers (cached by now)."""
    offers = product_offers(store=_store(host), customer=customer, products=products)
    rows = sorted(zip(products, offers, strict=True), key=_offer_key(sort))
    return [product.sku for product, _offer in rows]


def _catalog(queries: CaptureQueriesContext) -> int:
    """The queries the list makes of the catalog's tables (the session, the host map, the
    breadcrumbs and the ERP call statistics around it come from caches warm or cold)."""
    tables = ('FROM "catalog_product" ', 'FROM "catalog_productstory" ')
    return sum(any(t in q["sql"] for t in tables) for q in queries.captured_queries)


def _sold(**filters: object) -> list[Product]:
    return list(Product.objects.filter(active=True, salable=True, **filters).order_by("sku"))


def test_sorting_by_the_companys_price_is_one_batch_and_as_many_queries(shop):
    gateway, buyer = shop
    client = Client(HTTP_HOST=FERRUM)
    client.force_login(buyer)
    client.get("/catalog/?view=list")  # warm: host map, session, the assortment
    products = _sold()
    quantities = {smallest_order_quantity(p) for p in products}
    before = gateway.backend.request_count()
    response = client.get("/catalog/?view=list&sort=price")
    assert response.status_code == 200
    asked = gateway.backend.request_count() - before
    # All the products priced at once: one price request per distinct order quantity (Tryton
    # prices one quantity per call) and one stock request — not one per product.
    assert len(products) > 200 and asked <= len(quantities) + 1 < len(products) // 4
    # As many queries as the SKU order, however many products were priced (two pages neither
    # page cache has seen).
    with CaptureQueriesContext(connection) as by_sku:
        assert client.get("/catalog/?view=list&unit=Unit").status_code == 200
    with CaptureQueriesContext(connection) as by_price:
        assert client.get("/catalog/?view=list&unit=Unit&sort=price").status_code == 200
    # The list's own: the facet counts, the products, their stories.
    assert _catalog(by_price) == _catalog(by_sku) == 3
    body = response.content.decode()
    assert _skus(body) == _expected(FERRUM, "C-1001", "price", products)[:24]
    assert "your price" in body and "selected>Price: low to high" in body

    # The other direction and the stock, from the gateway's cache: no ERP request at all.
    before = gateway.backend.request_count()
    highest = client.get("/catalog/?view=list&sort=-price").content.decode()
    stocked = client.get("/catalog/?view=list&sort=availability").content.decode()
    assert gateway.backend.request_count() == before
    assert _skus(highest) == _expected(FERRUM, "C-1001", "-price", products)[:24]
    assert _skus(stocked) == _expected(FERRUM, "C-1001", "availability", products)[:24]
    assert "stock--in" in stocked
    first_out = stocked.find("stock--out")
    assert first_out == -1 or stocked.rfind("stock--in") < first_out

    # A filtered list sorts what the filter leaves, on every page.
    metre = _sold(unit="Meter")
    filtered = client.get("/catalog/?unit=Meter&sort=-price&view=list").content.decode()
    assert _skus(filtered) == _expected(FERRUM, "C-1001", "-price", metre)
    assert len(metre) >= 2


def test_too_many_products_to_price_are_listed_by_sku_with_a_note(shop, monkeypatch):
    _gateway, buyer = shop
    monkeypatch.setattr("storefleet.catalog.listing.OFFER_SORT_LIMIT", 10)
    client = Client(HTTP_HOST=FERRUM)
    client.force_login(buyer)
    body = client.get("/catalog/?sort=price&view=list").content.decode()
    assert "Sorting by price or availability works for up to 10 products" in body
    assert _skus(body) == [p.sku for p in _sold()][:24]
    narrowed = client.get("/catalog/?sort=price&view=list&unit=Kilogram").content.decode()
    assert "works for up to" not in narrowed
    assert _skus(narrowed) == _expected(FERRUM, "C-1001", "price", _sold(unit="Kilogram"))


@pytest.fixture
def two_stores(shop, hydra):  # type: ignore[no-untyped-def]
    """Ferrum sells bearings and fasteners, Hydra hydraulics and pneumatics (in euros, from
    WH-EU too). Nordwerk (C-1001, its own price list) buys in both; Rivage (C-1003, Contract
    B) in Hydra only."""
    _gateway, nordwerk = shop
    ferrum_page = CatalogPage.objects.get()
    assortment_publish(ferrum_page, categories=["Bearings", "Fasteners"])
    hydra_page = catalog_page_make(hydra.home)
    assortment_publish(hydra_page, categories=["Hydraulics", "Pneumatics"])
    Store.objects.filter(pk=hydra.store.pk).update(erp_warehouse="WH-EU", currency="EUR")
    store_host_map_invalidate()
    Company.objects.get(code="C-1001").stores.add(hydra.store)
    rivage = Company.objects.get(code="C-1003")
    rivage.stores.add(hydra.store)
    user = get_user_model().objects.create_user("buyer@rivage.example", "b@r.example", "x")
    Membership.objects.create(user=user, company=rivage, role=MemberRole.BUYER)
    return {"C-1001": nordwerk, "C-1003": user}


@pytest.mark.parametrize(
    ("host", "customer", "categories", "buys"),
    [
        (FERRUM, "C-1001", ("Bearings", "Fasteners"), True),
        (HYDRA, "C-1001", ("Hydraulics", "Pneumatics"), True),
        (FERRUM, "C-1003", ("Bearings", "Fasteners"), False),
        (HYDRA, "C-1003", ("Hydraulics", "Pneumatics"), True),
    ],
)
def test_each_buyer_sorts_by_their_own_prices_in_their_own_stores_assortment(
    two_stores, erp_server, host, customer, categories, buys
):
    client = Client(HTTP_HOST=host)
    client.force_login(two_stores[customer])
    sold = _sold(category__name__in=categories)
    body = client.get("/catalog/?sort=price&view=list").content.decode()
    assert f"{len(sold)} products" in body
    facet = re.search(r'data-facet="category">(.*?)</nav>', body, re.S)
    assert facet is not None
    assert set(re.findall(r'"facet__label">([^<]+)<', facet.group(1))) == set(categories)
    skus = _skus(body)
    assert skus and {sku for sku in skus} <= {p.sku for p in sold}
    if not buys:
        # Signed in, but the company doesn't buy here: no company price, no price sort.
        assert ", your price" not in body and 'value="price"' not in body
        assert skus == [p.sku for p in sold][:24]
        return
    assert skus == _expected(host, customer, "price", sold)[:24]
    fixed = erp_server.manifest["customer_specific_prices"]["fixed_prices"]
    sku = "BRG-1001" if host == FERRUM else "HYD-1002"
    row = client.get(f"/catalog/?q={sku}&view=list").content.decode()
    price = Decimal(fixed[sku])
    # Nordwerk's own fixed price; Rivage never sees it.
    assert (f"€{price} / " in row) == (customer == "C-1001")
    assert ", your price" in row
