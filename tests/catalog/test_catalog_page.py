"""The storefront catalog: a page in the brand's tree routing to the products mirrored from
the ERP — list, search, category filter, pages, and one product per SKU."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from storefleet.brand.buyer_cache import company_version_key, user_version_key
from storefleet.catalog.catalog_page import catalog_buyer, listing_page, product_page
from storefleet.catalog.models import AnonymousPrices, CatalogPage, Category, Product, Sells
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_record
from tests.catalog.factories import assortment_publish, catalog_page_make, products_make

pytestmark = pytest.mark.django_db


def _get(client, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, HTTP_HOST="ferrum.localhost")


def test_list_shows_products_with_sign_in_for_price_by_default(client, catalog):
    products_make(3)
    body = _get(client, "/catalog/").content.decode()
    assert "3 products" in body
    assert "SKU FAS-0001" in body and "Hex bolt M3" in body
    assert 'href="/catalog/FAS-0002/"' in body
    assert body.count("Sign in for your price") == 3
    assert "min. 100 Unit · in steps of 50" in body


def test_list_prices_by_store_setting(client, catalog):
    products_make(1)
    catalog.anonymous_prices = AnonymousPrices.LIST_PRICE
    catalog.save_revision().publish()
    body = _get(client, "/catalog/").content.decode()
    assert "€0.09 / " in body and "list price" in body
    assert "Sign in for your price" not in body


def test_search_by_sku_or_name_and_filter_by_category(client, catalog):
    products_make(3)
    products_make(2, start=50, category="Bearings")
    assert "1 product for “FAS-0002”" in _get(client, "/catalog/?q=FAS-0002").content.decode()
    assert "Hex bolt M51" in _get(client, "/catalog/?q=m51").content.decode()
    bearings = Product.objects.get(sku="FAS-0050").category_id
    body = _get(client, f"/catalog/?category={bearings}").content.decode()
    assert "2 products in Bearings" in body and "FAS-0001" not in body
    assert "No products match" in _get(client, "/catalog/?q=nothing-like-this").content.decode()


def test_pages_of_24(client, catalog):
    products_make(30)
    first = _get(client, "/catalog/").content.decode()
    second = _get(client, "/catalog/?page=2").content.decode()
    assert "Page 1 of 2" in first and "FAS-0024" in first and "FAS-0025" not in first
    assert "FAS-0030" in second and "FAS-0001" not in second
    assert _get(client, "/catalog/?page=99").status_code == 200  # clamps to the last page


def test_product_page_by_sku_and_a_clear_404_for_an_unknown_one(client, catalog):
    products_make(1)
    body = _get(client, "/catalog/FAS-0001/").content.decode()
    assert "<h1>Hex bolt M1</h1>" in body
    assert "Minimum order</dt><dd>100 Unit" in body
    assert _get(client, "/catalog/NOPE-1/").status_code == 404


def test_inactive_or_unsalable_products_are_not_sold(client, catalog):
    products_make(2)
    Product.objects.filter(sku="FAS-0002").update(salable=False)
    assert _get(client, "/catalog/FAS-0002/").status_code == 404
    assert "FAS-0002" not in _get(client, "/catalog/").content.decode()


def test_list_query_count_does_not_grow_with_the_catalog(client, catalog):
    products_make(30)
    client.cookies["sessionid"] = "bypass-the-page-cache"
    _get(client, "/catalog/")  # warm: host map, site root paths
    with CaptureQueriesContext(connection) as small:
        assert _get(client, "/catalog/").status_code == 200
    products_make(300, start=100)
    _get(client, "/catalog/")  # a catalog change moves every store on: warm again
    with CaptureQueriesContext(connection) as large:
        assert _get(client, "/catalog/").status_code == 200
    # The list's own: the facet counts, the category names, the page, the stories' images.
    assert len(large) == len(small) == 11


@pytest.fixture
def assortment(catalog):
    """Ferrum sells fasteners, and one tool besides; bearings and the other tool are in the
    mirrored catalog but not sold there."""
    products_make(3)
    products_make(2, start=50, category="Bearings", prefix="BRG")
    products_make(2, start=80, category="Tools", prefix="TOL")
    assortment_publish(catalog, categories=["Fasteners"], skus="TOL-0081")
    return catalog


def test_list_search_and_categories_show_only_the_assortment(client, assortment):
    body = _get(client, "/catalog/").content.decode()
    assert "4 products" in body
    assert "FAS-0003" in body and "TOL-0081" in body
    assert "BRG-0050" not in body and "TOL-0080" not in body
    assert '"facet__label">Fasteners<' in body and '"facet__label">Tools<' in body
    assert "Bearings" not in body
    assert "No products match" in _get(client, "/catalog/?q=BRG").content.decode()
    assert "FAS-0002" in _get(client, "/catalog/?q=FAS-0002").content.decode()


def test_category_filter_stays_within_the_assortment(client, assortment):
    tools = Category.objects.get(name="Tools").pk
    body = _get(client, f"/catalog/?category={tools}").content.decode()
    assert "1 product in Tools" in body and "TOL-0081" in body and "TOL-0080" not in body
    # A category the store sells nothing of filters nothing: the store's own products show.
    bearings = Category.objects.get(name="Bearings").pk
    body = _get(client, f"/catalog/?category={bearings}").content.decode()
    assert "4 products</p>" in body and "BRG-0050" not in body


def test_a_product_outside_the_assortment_is_not_found_in_that_store_only(
    client, assortment, hydra
):
    assert _get(client, "/catalog/FAS-0001/").status_code == 200
    assert _get(client, "/catalog/TOL-0081/").status_code == 200
    assert _get(client, "/catalog/BRG-0050/").status_code == 404
    assert _get(client, "/catalog/TOL-0080/").status_code == 404
    catalog_page_make(hydra.home)  # sells everything
    other = client.get("/catalog/BRG-0050/", HTTP_HOST="hydra.localhost")
    assert other.status_code == 200


def test_publishing_a_new_assortment_reaches_cached_pages(client, catalog):
    products_make(2)
    products_make(1, start=50, category="Bearings", prefix="BRG")
    assert "3 products" in _get(client, "/catalog/").content.decode()
    assert _get(client, "/catalog/").headers["X-Storefleet-Cache"] == "hit"
    assortment_publish(catalog, categories=["Bearings"])
    assert "1 product</p>" in _get(client, "/catalog/").content.decode()
    assert _get(client, "/catalog/FAS-0001/").status_code == 404


def test_an_unpublished_assortment_change_sells_nothing_new(client, assortment):
    page = CatalogPage.objects.get(pk=assortment.pk)
    page.sells = Sells.EVERYTHING
    page.save_revision()  # a draft
    assert _get(client, "/catalog/BRG-0050/").status_code == 404


def test_list_query_count_with_an_assortment_does_not_grow_with_the_catalog(client, assortment):
    client.cookies["sessionid"] = "bypass-the-page-cache"
    _get(client, "/catalog/")  # warm: host map, site root paths, the store's assortment
    with CaptureQueriesContext(connection) as small:
        assert _get(client, "/catalog/").status_code == 200
    products_make(300, start=100)
    products_make(100, start=500, category="Tools", prefix="TOL")
    _get(client, "/catalog/")  # a catalog change moves every store on: warm again
    with CaptureQueriesContext(connection) as large:
        assert "304 products" in _get(client, "/catalog/").content.decode()
    # The list's own: the facet counts, the category names, the page, the stories' images.
    assert len(large) == len(small) == 11


def test_one_catalog_page_per_store(catalog, ferrum, hydra):
    assert not CatalogPage.can_create_at(ferrum.home)
    assert not CatalogPage.can_create_at(ferrum.landing)
    assert CatalogPage.can_create_at(hydra.home)
    assert catalog.can_move_to(ferrum.landing)  # within its store: still the one
    catalog_page_make(hydra.home)
    assert not catalog.can_move_to(hydra.landing)


# The page records (``catalog.catalog_page``): what the routes render, with every rule in them.


def test_a_visitors_listing_has_no_offers_and_is_not_for_the_buyer_cache(catalog, ferrum):
    products_make(3)
    store = store_record(ferrum.store)
    assert catalog_buyer(store=store, user=AnonymousUser()) is None
    shown = listing_page(page=catalog, store=store, buyer=None, params={"q": "FAS"})
    assert [(p.sku, offer) for p, offer in shown.rows] == [
        ("FAS-0001", None),
        ("FAS-0002", None),
        ("FAS-0003", None),
    ]
    assert shown.customer is None and shown.list_prices is False
    assert shown.keep is False and shown.depends_on == {}
    assert [key for key, _label in shown.listing.sorts] == ["sku", "name"]


def test_a_buyers_listing_and_product_page_carry_their_prices_and_may_be_kept(shop, ferrum):
    _gateway, buyer = shop
    store = store_record(Store.objects.get(pk=ferrum.store.pk))  # with its warehouse
    who = catalog_buyer(store=store, user=buyer)
    assert who is not None and who.customer == "C-1001"
    assert {user_version_key(buyer.pk), company_version_key(buyer.membership.company_id)} <= set(
        who.depends_on
    )
    shown = listing_page(page=CatalogPage.objects.get(), store=store, buyer=who, params={})
    assert shown.customer == "C-1001" and len(shown.rows) == 24
    assert all(offer is not None and offer.orderable for _p, offer in shown.rows)
    assert "availability" in [key for key, _label in shown.listing.sorts]
    assert shown.keep is True and shown.depends_on == who.depends_on
    # Asked with values the list ignores: rendered, never kept.
    ignored = listing_page(
        page=CatalogPage.objects.get(), store=store, buyer=who, params={"sort": "nope"}
    )
    assert ignored.keep is False
    product = product_page(page=CatalogPage.objects.get(), store=store, buyer=who, sku="FAS-1002")
    assert product is not None and product.keep is True
    assert product.offer is not None and product.offer.quantity == Decimal(50)
    assert product.breaks and product.breaks[0].quantity == Decimal(50)


def test_a_product_page_record_is_only_for_what_the_page_sells(assortment, ferrum):
    store = store_record(ferrum.store)
    sold = product_page(page=assortment, store=store, buyer=None, sku="TOL-0081")
    assert sold is not None and sold.offer is None and sold.keep is False
    assert product_page(page=assortment, store=store, buyer=None, sku="BRG-0050") is None
    # A preview follows the page as it stands, a draft selling bearings only.
    assortment.sells = Sells.ASSORTMENT
    assortment.categories.set([Category.objects.get(name="Bearings")])
    assortment.extra_skus = ""
    assert product_page(page=assortment, store=store, buyer=None, sku="BRG-0050", preview=True)
    assert (
        product_page(page=assortment, store=store, buyer=None, sku="TOL-0081", preview=True) is None
    )
