"""The master-data sync against the real reference ERP: complete, incremental, bounded,
resumable, and safe when the ERP goes away mid-run."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.accounts.models import Address, Company
from storefleet.catalog.models import Product
from storefleet.erp.errors import ErpUnavailable
from storefleet.erp.models import SyncState
from storefleet.erp.sync import erp_sync
from tests.erp.conftest import point_gateway_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp(settings, fresh_erp_server):
    """A fresh ERP of this module's own: these tests write to it and stop it."""
    if fresh_erp_server.process is None or fresh_erp_server.process.poll() is not None:
        fresh_erp_server.start()
    point_gateway_at(settings, fresh_erp_server)
    return fresh_erp_server


def test_full_sync_mirrors_the_seeded_catalog_and_customers(erp):
    manifest = erp.manifest
    products = erp_sync(name="products", full=True)
    customers = erp_sync(name="customers", full=True)

    assert products.records == len(manifest["products"]) == Product.objects.count()
    assert customers.records == len(manifest["customers"]) == Company.objects.count()
    seeded = {p["sku"]: p for p in manifest["products"]}
    bolt = Product.objects.select_related("category").get(sku="FAS-1001")
    assert (bolt.name, bolt.category.name, bolt.unit) == (
        seeded["FAS-1001"]["name"],
        "Fasteners",
        "Unit",
    )
    assert (bolt.min_quantity, bolt.quantity_multiple) == (Decimal("100"), Decimal("100"))
    assert (bolt.list_price, bolt.currency) == (Decimal("0.0900"), "EUR")
    nordwerk = Company.objects.get(code="C-1001")
    assert nordwerk.price_list == "Nordwerk Maschinenbau — customer prices"
    assert (nordwerk.credit_limit, nordwerk.credit_currency) == (Decimal("25000"), "EUR")
    assert nordwerk.payment_term == "Net 30"
    ship_to = Address.objects.filter(company=nordwerk, is_ship_to=True, active=True)
    assert ship_to.count() >= manifest["customers"][0]["ship_to_count"]
    state = SyncState.objects.get(name="products")
    assert state.last_count == len(manifest["products"]) and state.last_error == ""


def test_incremental_sync_reads_only_what_changed(erp):
    erp_sync(name="products", full=True)
    assert erp_sync(name="products").records == 0

    client = erp.client()
    [product] = client.search_read("product.product", [["code", "=", "BRG-1004"]], ["template"])
    client.model("product.template", "write", [product["template"]], {"name": "Renamed bearing"})
    report = erp_sync(name="products")
    assert report.records == 1
    assert Product.objects.get(sku="BRG-1004").name == "Renamed bearing"
    assert Product.objects.count() == len(erp.manifest["products"])


def test_bounded_batches_resume_after_the_last_committed_batch(erp):
    total = len(erp.manifest["products"])
    first = erp_sync(name="products", full=True, batch_size=50, max_batches=2)
    assert (first.records, first.batches) == (100, 2)
    assert Product.objects.count() == 100
    rest = erp_sync(name="products", batch_size=50)
    assert rest.records == total - 100
    assert Product.objects.count() == total


def test_erp_down_mid_sync_keeps_what_was_committed_and_resumes(erp):
    total = len(erp.manifest["products"])
    erp_sync(name="products", full=True, batch_size=60, max_batches=1)
    cursor = SyncState.objects.get(name="products").cursor_erp_id
    erp.stop()
    with pytest.raises(ErpUnavailable):
        erp_sync(name="products", batch_size=60)
    state = SyncState.objects.get(name="products")
    assert state.cursor_erp_id == cursor
    assert "ErpUnavailable" in state.last_error
    assert Product.objects.count() == 60
    erp.start()
    from django.core.cache import cache

    cache.clear()  # the breaker opened while the ERP was away; a fresh start for the resume
    assert erp_sync(name="products", batch_size=60).records == total - 60
    assert Product.objects.count() == total


def test_a_second_sync_of_the_same_kind_is_skipped_while_one_runs(erp):
    from django.core.cache import cache

    cache.add("erp:sync:lock:customers", "1", 60)
    report = erp_sync(name="customers")
    assert report.skipped is True
    assert Company.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_scheduled_task_syncs_through_a_real_worker(erp):
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from storefleet.celery import app
    from storefleet.erp.tasks import erp_sync_task

    assert settings.CELERY_BEAT_SCHEDULE["erp-sync-customers"]["task"] == erp_sync_task.name
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = erp_sync_task.delay("customers", full=True).get(timeout=60)
    assert result == {
        "name": "customers",
        "records": len(erp.manifest["customers"]),
        "batches": 1,
        "skipped": False,
    }
    assert Company.objects.count() == len(erp.manifest["customers"])
