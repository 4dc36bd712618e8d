"""The ERP's sync knows its kinds only by registration: each app that mirrors something
registers how it is read and written, and the sync never imports those apps."""

from __future__ import annotations

import pytest

from storefleet.accounts.services import companies_upsert
from storefleet.brand.seeding import PAGE_TYPES
from storefleet.catalog.models import CatalogPage
from storefleet.catalog.seeding import catalog_stories_seed
from storefleet.catalog.services import products_changed_since as catalog_products_changed_since
from storefleet.catalog.services import products_upsert
from storefleet.erp import sync
from storefleet.erp.gateway import ErpGateway
from storefleet.ordering.sales_mirror import sale_records_upsert


def test_each_app_registers_the_kind_it_owns():
    kinds = {kind.name: kind for kind in sync.sync_kinds()}
    assert {name: (k.fetch, k.upsert) for name, k in kinds.items()} == {
        # The catalog asks for the products' texts in the stores' languages too.
        "products": (catalog_products_changed_since, products_upsert),
        "customers": (ErpGateway.customers_changed_since, companies_upsert),
        "sales": (ErpGateway.sales_changed_since, sale_records_upsert),
    }


def test_an_unknown_kind_says_how_to_register_one():
    with pytest.raises(LookupError, match=r"register one in its AppConfig\.ready") as error:
        sync.erp_sync(name="quotes")
    assert "known: customers, products, sales" in str(error.value)


def test_a_kind_is_registered_once():
    sync.register("products", fetch=catalog_products_changed_since, upsert=products_upsert)
    assert sync.sync_kind("products").upsert is products_upsert
    with pytest.raises(ValueError, match="registered already"):
        sync.register("products", fetch=catalog_products_changed_since, upsert=companies_upsert)
    assert sync.sync_kind("products").upsert is products_upsert


def test_the_catalog_registers_its_page_type_for_seed_content():
    # brand's own two, then the apps' in INSTALLED_APPS order (marketing: the contact form).
    assert list(PAGE_TYPES) == ["landing", "content", "catalog", "contact"]
    assert PAGE_TYPES["catalog"].model is CatalogPage
    assert PAGE_TYPES["catalog"].stories is catalog_stories_seed
    assert PAGE_TYPES["landing"].stories is None
