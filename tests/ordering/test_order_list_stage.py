"""The order list and the buyer's dashboard say where an order stands as its page does: the
stage comes from the one state machine (``actions.stage_of`` through ``order_actions``), not
from the mirrored progress, which calls a sale the ERP is already processing "Confirmed"."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from storefleet.accounts.principal import Principal
from storefleet.ordering.actions import order_actions
from storefleet.ordering.models import (
    ErpSale,
    Order,
    OrderCancellation,
    OrderProgress,
    OrderStatus,
    SaleRecord,
)
from storefleet.tenants.selectors import store_record
from tests.accounts.conftest import FERRUM_HOST, CompanyWorld, make_company

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr data-order="([^"]+)" data-status="\w+" data-stage="(\w+)">.*?</tr>', re.S)
CELL = re.compile(r"<td>([^<]*)(?:<br>.*?)?</td>\s*</tr>", re.S)


@pytest.fixture
def acme(ferrum) -> CompanyWorld:
    return make_company("C-ACME", "Acme Machining", 501, [ferrum.store])


def _web_order(world, store, number, status=OrderStatus.CONFIRMED, minute=0) -> Order:  # type: ignore[no-untyped-def]
    order = Order.objects.create(
        number=number,
        store=store,
        company=world.company,
        placed_by=world.buyer,
        submit_token=number,
        status=status,
        ship_to=world.ship_to,
        currency="EUR",
        total="12.50",
    )
    # Newest first in the list: each order a minute apart, in the order made.
    Order.objects.filter(id=order.id).update(
        created_at=timezone.now() - datetime.timedelta(hours=1) + datetime.timedelta(minutes=minute)
    )
    return order


def _sale(world, store, number, state, shipment_state, progress, *, order=None, minute=0):  # type: ignore[no-untyped-def]
    if order is not None:
        ErpSale.objects.create(
            order=order, ship_to=world.ship_to, key=order.number, erp_number=number,
            erp_state=state,
        )  # fmt: skip
    return SaleRecord.objects.create(
        erp_id=abs(hash(number)) % 10**9,
        number=number,
        customer_code=world.company.code,
        company=world.company,
        order=order,
        store=store if order is not None else None,
        placed_at=timezone.now() - datetime.timedelta(hours=1) + datetime.timedelta(minutes=minute),
        state=state,
        shipment_state=shipment_state,
        invoice_state="none",
        progress=progress,
        total=Decimal("12.50"),
        currency="EUR",
        line_count=1,
        fingerprint=number,
        erp_write_date=timezone.now(),
    )


def test_the_list_says_what_the_order_page_says(client, acme, ferrum):
    store = ferrum.store
    _web_order(acme, store, "W-RECEIVED", OrderStatus.RECEIVED, minute=1)
    _web_order(acme, store, "W-REFUSED", OrderStatus.REFUSED, minute=2)
    waiting = _web_order(acme, store, "W-CONFIRMED", minute=3)
    _sale(acme, store, "SO-1", "confirmed", "none", OrderProgress.CONFIRMED, order=waiting)
    busy = _web_order(acme, store, "W-PROCESSING", minute=4)
    # What the bug showed: the ERP is processing it, its mirrored progress says "confirmed".
    _sale(acme, store, "SO-2", "processing", "waiting", OrderProgress.CONFIRMED, order=busy)
    part = _web_order(acme, store, "W-PART", minute=5)
    _sale(
        acme, store, "SO-3", "processing", "partially shipped",
        OrderProgress.PARTIALLY_SHIPPED, order=part,
    )  # fmt: skip
    gone = _web_order(acme, store, "W-CANCELLED", OrderStatus.RECEIVED, minute=6)
    OrderCancellation.objects.create(
        company=acme.company, number=gone.number, order=gone, cancelled_at=timezone.now()
    )
    _sale(acme, store, "SO-PHONE-1", "processing", "waiting", OrderProgress.CONFIRMED, minute=7)
    _sale(acme, store, "SO-PHONE-2", "confirmed", "none", OrderProgress.CONFIRMED, minute=8)

    client.force_login(acme.buyer)
    body = client.get("/orders/", HTTP_HOST=FERRUM_HOST).content.decode()
    listed = {
        match.group(1): (match.group(2), CELL.search(match.group(0)).group(1).strip())  # type: ignore[union-attr]
        for match in ROW.finditer(body)
    }
    assert listed == {
        "SO-PHONE-2": ("confirmed", "Confirmed"),
        "SO-PHONE-1": ("processing", "Processing"),
        "W-CANCELLED": ("cancelled", "Cancelled"),
        "SO-3": ("shipped", "Partially shipped"),
        "SO-2": ("processing", "Processing"),
        "SO-1": ("confirmed", "Confirmed"),
        "W-REFUSED": ("refused", "Refused"),
        "W-RECEIVED": ("received", "Received — awaiting confirmation"),
    }
    # The order's page decides with order_actions (a web order's sale redirects to it).
    principal = Principal.for_member(store=store_record(store), membership=acme.member(acme.admin))
    pages = {"SO-1": "W-CONFIRMED", "SO-2": "W-PROCESSING", "SO-3": "W-PART"}
    for number, (stage, _label) in listed.items():
        actions = order_actions(principal=principal, number=pages.get(number, number))
        assert actions.stage == stage, number

    # The dashboard's recent orders are the same rows, with the same words.
    home = client.get("/account/", HTTP_HOST=FERRUM_HOST).content.decode()
    recent = {m.group(1): m.group(2) for m in ROW.finditer(home)}
    assert recent == {
        number: stage
        for number, (stage, _label) in list(listed.items())[:5]  # RECENT_ORDERS
    }
    assert "Processing</td>" in home
