"""Data migrations of the console's audit."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from storefleet.accounts.models import Address, Company
from storefleet.ordering.models import Order
from storefleet.service.models import ActionKind, ServiceAction

pytestmark = pytest.mark.django_db

backfill = importlib.import_module(
    "storefleet.service.migrations.0003_cancel_audit_names_the_orders_store"
)


def test_old_cancel_entries_get_the_store_of_the_web_order_they_cancelled(ferrum):
    company = Company.objects.create(
        erp_id=9001, code="C-9001", name="Test company", erp_write_date=timezone.now()
    )
    address = Address.objects.create(erp_id=99001, company=company, name="Dock 1")
    Order.objects.create(
        number="FER-OLD1",
        ship_to=address,
        store=ferrum.store,
        company=company,
        submit_token="old-1",
        currency="EUR",
    )
    entries = [
        ServiceAction.objects.create(
            agent_name="agent", company=company, action=action, target=target
        )
        for target, action in (
            ("FER-OLD1", ActionKind.ORDER_CANCEL),
            ("SO-00042", ActionKind.ORDER_CANCEL),  # a sale entered in the ERP: every store
            ("FER-OLD1", ActionKind.RETURN_CREATE),
        )
    ]
    backfill.forwards(apps, None)
    stores = {(e.target, e.action): ServiceAction.objects.get(pk=e.pk).store_id for e in entries}
    assert stores == {
        ("FER-OLD1", ActionKind.ORDER_CANCEL): ferrum.store.pk,
        ("SO-00042", ActionKind.ORDER_CANCEL): None,
        ("FER-OLD1", ActionKind.RETURN_CREATE): None,
    }
