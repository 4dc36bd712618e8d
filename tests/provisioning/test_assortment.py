"""The assortment a store file declares is what the store's catalog sells, at launch and on
every reconcile; categories declared before the catalog is mirrored are named by the sync."""

from __future__ import annotations

import re

import pytest

from storefleet.catalog.models import CatalogPage, Category, Sells
from storefleet.catalog.selectors import store_sells
from storefleet.provisioning.services import store_launch
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_for_hostname as store_record_for_host
from tests.catalog.factories import products_make

pytestmark = pytest.mark.django_db


def catalog(slug: str) -> CatalogPage:
    store = Store.objects.get(slug=slug)
    return CatalogPage.objects.get(path__startswith=store.site.root_page.path)


def test_the_declared_assortment_is_what_the_store_sells(render_brand):
    products_make(3, prefix="FAS", category="Fasteners")
    products_make(3, start=11, prefix="HYD", category="Hydraulics")
    Category.objects.filter(name="Hydraulics").update(code="HYD")
    folder = render_brand("nordlicht", assortment="HYD", featured_skus="HYD-0011")

    run = store_launch(path=folder, check_erp=False, inline=True)

    assert run.status == "succeeded"
    page = catalog("nordlicht")
    assert (page.live, page.sells) == (True, Sells.ASSORTMENT)
    assert [c.name for c in page.categories.all()] == ["Hydraulics"]
    content_log = run.steps.get(name="content").log
    assert "assortment set: Hydraulics" in content_log
    record = store_record_for_host("nordlicht.localhost")
    assert store_sells(store=record, skus=["FAS-0001", "HYD-0011", "HYD-0013"]) == {
        "HYD-0011",
        "HYD-0013",
    }


def test_reconciling_a_changed_store_file_changes_what_the_store_sells(render_brand):
    products_make(2, prefix="FAS", category="Fasteners", codes=("FAS",))
    products_make(2, start=11, prefix="HYD", category="Hydraulics", codes=("HYD",))
    folder = render_brand("nordlicht", assortment="HYD", featured_skus="HYD-0011")
    store_launch(path=folder, check_erp=False, inline=True)
    revisions = catalog("nordlicht").revisions.count()

    again = store_launch(path=folder, check_erp=False, inline=True)
    assert "assortment unchanged: Hydraulics" in again.steps.get(name="content").log
    assert catalog("nordlicht").revisions.count() == revisions

    store_toml = folder / "store.toml"
    store_toml.write_text(
        re.sub(r"assortment = \[.*\]", 'assortment = ["FAS"]', store_toml.read_text())
    )
    changed = store_launch(path=folder, check_erp=False, inline=True)

    assert changed.status == "succeeded"
    assert [c.name for c in catalog("nordlicht").categories.all()] == ["Fasteners"]
    record = store_record_for_host("nordlicht.localhost")
    assert store_sells(store=record, skus=["FAS-0001", "HYD-0011"]) == {"FAS-0001"}


def test_a_category_declared_before_the_catalog_is_mirrored_is_named_by_the_sync(render_brand):
    folder = render_brand("nordlicht", assortment="HYD", featured_skus="HYD-0011")
    store_launch(path=folder, check_erp=False, inline=True)
    assert [(c.code, c.name) for c in catalog("nordlicht").categories.all()] == [("HYD", "HYD")]

    products_make(2, start=11, prefix="HYD", category="Hydraulics", codes=("HYD",))

    assert [(c.code, c.name) for c in catalog("nordlicht").categories.all()] == [
        ("HYD", "Hydraulics")
    ]
    record = store_record_for_host("nordlicht.localhost")
    assert store_sells(store=record, skus=["HYD-0011"]) == {"HYD-0011"}


def test_a_placeholder_is_merged_into_a_category_known_by_name(render_brand):
    products_make(1, start=11, prefix="HYD", category="Hydraulics")  # mirrored before codes
    folder = render_brand("nordlicht", assortment="HYD", featured_skus="HYD-0011")
    store_launch(path=folder, check_erp=False, inline=True)

    products_make(1, start=11, prefix="HYD", category="Hydraulics", codes=("HYD",))

    assert list(Category.objects.values_list("code", "name")) == [("HYD", "Hydraulics")]
    assert [c.name for c in catalog("nordlicht").categories.all()] == ["Hydraulics"]


def test_a_launch_with_the_erp_check_on_checks_the_mapping_and_goes_live(
    render_brand, settings, erp_server
):
    from tests.erp.conftest import point_gateway_at

    point_gateway_at(settings, erp_server)
    folder = render_brand(
        "nordlicht",
        currency="USD",
        erp_warehouse="WH-US",
        assortment="HYD,PNE",
        featured_skus="HYD-1007,PNE-1001",
    )

    run = store_launch(path=folder, check_erp=True, inline=True)

    assert run.status == "succeeded"
    erp_step = run.steps.get(name="erp")
    assert erp_step.status == "succeeded"
    assert "warehouse WH-US" in erp_step.log
    assert "prices in USD" in erp_step.log
    assert "assortment Hydraulics, Pneumatics" in erp_step.log
    assert Store.objects.get(slug="nordlicht").currency == "USD"


def test_a_launch_with_the_erp_check_on_refuses_a_bad_mapping_before_anything_is_built(
    render_brand, settings, erp_server
):
    from storefleet.errors import ApplicationError
    from storefleet.provisioning.models import ProvisioningRun
    from tests.erp.conftest import point_gateway_at

    point_gateway_at(settings, erp_server)
    folder = render_brand("nordlicht", currency="CAD")

    with pytest.raises(
        ApplicationError, match="The ERP cannot price in CAD: it prices in EUR, USD"
    ):
        store_launch(path=folder, check_erp=True, inline=True)

    assert not Store.objects.filter(slug="nordlicht").exists()
    assert ProvisioningRun.objects.count() == 0
