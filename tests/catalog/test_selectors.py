"""What a store sells, for the ordering app: ``product_for_store`` and ``store_sells`` answer
from the store's live catalog page, per store, cached by the store's content version."""

from __future__ import annotations

import pytest

from storefleet.catalog.models import CatalogPage, Product, Sells
from storefleet.catalog.selectors import product_for_store, skus_in_catalog, store_sells
from storefleet.tenants.selectors import StoreRecord, store_for_hostname
from tests.catalog.factories import assortment_publish, catalog_page_make, products_make

pytestmark = pytest.mark.django_db


def _store(slug: str) -> StoreRecord:
    """The store as a request sees it (the host map: the current content version)."""
    record = store_for_hostname(f"{slug}.localhost")
    assert record is not None
    return record


@pytest.fixture
def products(db) -> None:
    products_make(2)
    products_make(2, start=50, category="Bearings", prefix="BRG")
    products_make(2, start=80, category="Tools", prefix="TOL")


@pytest.fixture
def ferrum_assortment(products, catalog) -> CatalogPage:
    assortment_publish(catalog, categories=["Fasteners"], skus="TOL-0081")
    return catalog


def test_product_for_store_only_answers_what_the_store_sells(ferrum_assortment):
    ferrum = _store("ferrum")
    product = product_for_store(store=ferrum, sku="TOL-0081")
    assert product is not None and product.name == "Tools item 81"
    assert product_for_store(store=ferrum, sku="FAS-0002") == Product.objects.get(sku="FAS-0002")
    assert product_for_store(store=ferrum, sku="BRG-0050") is None
    assert product_for_store(store=ferrum, sku="TOL-0080") is None
    assert product_for_store(store=ferrum, sku="NOPE-1") is None


def test_inactive_or_unsalable_products_are_not_sold_even_in_the_assortment(ferrum_assortment):
    Product.objects.filter(sku="FAS-0001").update(active=False)
    Product.objects.filter(sku="TOL-0081").update(salable=False)
    ferrum = _store("ferrum")
    assert product_for_store(store=ferrum, sku="FAS-0001") is None
    assert store_sells(store=ferrum, skus=["FAS-0001", "FAS-0002", "TOL-0081"]) == {"FAS-0002"}


def test_store_sells_answers_a_batch_in_one_query(ferrum_assortment, django_assert_num_queries):
    ferrum = _store("ferrum")
    wanted = ["FAS-0001", "FAS-0002", "BRG-0050", "TOL-0080", "TOL-0081", "NOPE-1"]
    assert store_sells(store=ferrum, skus=wanted) == {"FAS-0001", "FAS-0002", "TOL-0081"}
    with django_assert_num_queries(1):  # the assortment comes from the cache now
        assert store_sells(store=ferrum, skus=wanted) == {"FAS-0001", "FAS-0002", "TOL-0081"}
    with django_assert_num_queries(0):
        assert store_sells(store=ferrum, skus=[]) == set()


def test_each_store_has_its_own_assortment(ferrum_assortment, hydra):
    catalog_page_make(hydra.home)  # sells all products
    assert product_for_store(store=_store("hydra"), sku="BRG-0050") is not None
    assert product_for_store(store=_store("ferrum"), sku="BRG-0050") is None


def test_a_store_without_a_live_catalog_page_sells_every_product(products, ferrum, hydra):
    assert store_sells(store=_store("ferrum"), skus=["FAS-0001", "BRG-0050"]) == {
        "FAS-0001",
        "BRG-0050",
    }
    page = catalog_page_make(hydra.home)
    assortment_publish(page, categories=["Tools"])
    page.refresh_from_db()
    page.unpublish()
    assert store_sells(store=_store("hydra"), skus=["FAS-0001", "TOL-0080"]) == {
        "FAS-0001",
        "TOL-0080",
    }


def test_publishing_the_catalog_page_changes_the_assortment_at_once(ferrum_assortment):
    assert product_for_store(store=_store("ferrum"), sku="BRG-0050") is None  # now cached
    page = CatalogPage.objects.get(pk=ferrum_assortment.pk)
    page.sells = Sells.EVERYTHING
    page.save_revision()  # a draft changes nothing yet
    assert product_for_store(store=_store("ferrum"), sku="BRG-0050") is None
    page.get_latest_revision().publish()
    assert product_for_store(store=_store("ferrum"), sku="BRG-0050") is not None


def test_skus_in_catalog_matches_regardless_of_case(products):
    Product.objects.filter(sku="TOL-0080").update(active=False)
    assert skus_in_catalog(["fas-0001", "TOL-0080", "nope-1"]) == {
        "FAS-0001": "FAS-0001",
        "TOL-0080": "TOL-0080",
    }


def test_a_search_with_control_characters_finds_what_the_text_names(products):
    from storefleet.catalog.listing import product_listing

    listing = product_listing(params={"q": "BRG\x00-0051\x1b", "page": "1"}, per_page=10)
    assert (listing.query, [p.sku for p, _offer in listing.rows]) == ("BRG-0051", ["BRG-0051"])
    nothing = product_listing(
        params={"q": "\x00", "category": "9" * 40, "page": "-1e9"}, per_page=10
    )
    assert nothing.query == "" and nothing.category is None and nothing.page.number == 1
