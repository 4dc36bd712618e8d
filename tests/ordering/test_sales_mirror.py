"""The sales mirror against the real ERP: the sync on the beat schedule ties each sale to its
company, writes only what changed, and attaches sales of a customer mirrored later."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from storefleet.accounts.models import Company
from storefleet.erp.sync import erp_sync
from storefleet.erp.tasks import erp_sync_task
from storefleet.ordering.models import OrderProgress, SaleRecord

pytestmark = pytest.mark.django_db


def test_the_sync_mirrors_the_seeded_sales_and_ties_them_to_their_companies(shop):
    in_erp = shop.server.client().search_read("sale.sale", [["party.code", "like", "C-%"]], ["id"])
    assert erp_sync(name="sales", full=True).records == len(in_erp)
    assert SaleRecord.objects.count() == len(in_erp)
    partial = SaleRecord.objects.get(number="SO-00004")
    assert partial.company == Company.objects.get(code="C-1004")
    assert (partial.progress, partial.po_number, partial.line_count) == (
        OrderProgress.PARTIALLY_SHIPPED,
        "PO-VDB-3310",
        2,
    )
    assert partial.order is None and partial.store is None  # entered in the ERP
    draft = SaleRecord.objects.get(erp_id=10)
    assert (draft.number, draft.progress) == ("", OrderProgress.DRAFT)
    # Nothing changed in the ERP: the next run writes nothing.
    assert erp_sync(name="sales").records == 0


def test_sales_of_a_customer_mirrored_later_are_attached_to_it(shop):
    Company.objects.filter(code="C-1005").delete()
    erp_sync(name="sales", full=True)
    quotation = SaleRecord.objects.get(number="SO-00009")
    assert (quotation.customer_code, quotation.company, quotation.progress) == (
        "C-1005",
        None,
        OrderProgress.QUOTATION,
    )
    erp_sync(name="customers", full=True)
    assert erp_sync(name="sales").records == 1  # nothing new in the ERP; one attached
    assert SaleRecord.objects.get(number="SO-00009").company == Company.objects.get(code="C-1005")


def test_the_sales_sync_runs_on_the_beat_schedule(shop):
    entry = django_settings.CELERY_BEAT_SCHEDULE["erp-sync-sales"]
    assert (entry["task"], entry["args"]) == ("storefleet.erp.sync", ("sales",))
    assert entry["schedule"] == 60
    result = erp_sync_task.apply(args=("sales",)).get()
    assert result["name"] == "sales" and result["records"] == SaleRecord.objects.count() > 0


def test_a_line_edited_in_the_erp_is_picked_up_by_the_next_sync(shop):
    erp_sync(name="sales", full=True)
    draft = SaleRecord.objects.get(erp_id=10)  # the seeded draft, still being entered
    erp = shop.server.client()
    (line,) = erp.search_read("sale.line", [["sale", "=", 10]], ["quantity"])
    erp.model("sale.line", "write", [line["id"]], {"quantity": line["quantity"] * 2})
    assert erp_sync(name="sales").records == 1
    draft.refresh_from_db()
    (mirrored,) = draft.detail["lines"]
    assert Decimal(mirrored["quantity"]["value"]) == Decimal(str(line["quantity"] * 2))
