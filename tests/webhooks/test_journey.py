"""The journey: a buyer places an order in the store, the outbox carries it into the reference
ERP, the warehouse ships it with a tracking number, the sales sync mirrors that — and the
company's endpoint receives order.placed, order.confirmed and order.shipped (with tracking), in
that order, signed, each under its own delivery id."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.erp.sync import erp_sync
from storefleet.ordering import services
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.ordering.quick_order import parse_lines
from storefleet.outbox import tasks as outbox_tasks
from storefleet.outbox.models import Message
from storefleet.webhooks import services as webhooks
from tests.ordering.conftest import build_shop
from tests.ordering.test_order_history import ship

from .conftest import run_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(settings, fresh_erp_server, ferrum):
    return build_shop(settings, fresh_erp_server, ferrum)


def test_an_order_placed_in_the_store_is_announced_placed_confirmed_and_shipped(
    shop, receiver, monkeypatch
):
    monkeypatch.setattr(outbox_tasks.message_process_task, "delay", lambda *a, **k: None)
    membership = shop.membership("C-1004")
    _made, secret = webhooks.subscription_create(
        url=receiver.url,
        events=["order.placed", "order.confirmed", "order.shipped"],
        company=membership.company,
        store_id=shop.store.id,
    )
    receiver.secrets.append(secret)
    result = services.quick_order_add(
        store=shop.store, membership=membership, rows=parse_lines("FAS-1003 10")
    )
    assert not result.errors
    address = membership.company.addresses.filter(is_ship_to=True, active=True).first()
    order = services.order_place(
        store=shop.store,
        membership=membership,
        request=services.CheckoutRequest(submit_token="t-hook", ship_to_id=address.id),
    )
    run_due()  # order.placed
    submit = Message.objects.get(kind=SUBMIT_ORDER)
    services.outbox_process(message_id=submit.id)  # into the ERP: confirmed
    run_due()
    erp_sync(name="sales", full=True)
    sale = order.sales.get()
    (erp_sale,) = shop.server.client().search_read(
        "sale.sale", [["number", "=", sale.erp_number]], ["shipments"]
    )
    ship(shop, erp_sale["shipments"][0], tracking="TRK-4711")
    erp_sync(name="sales")
    run_due()
    events = [(r.event, r.json["subject"]) for r in receiver.received]
    subject = f"order:{order.number}"
    assert events == [
        ("order.placed", subject),
        ("order.confirmed", subject),
        ("order.shipped", subject),
    ]
    assert all(r.valid for r in receiver.received) and len(set(receiver.ids())) == 3
    placed, confirmed, shipped = (r.json["data"] for r in receiver.received)
    assert placed["lines"][0]["sku"] == "FAS-1003"
    assert Decimal(placed["lines"][0]["quantity"]) == 10
    assert confirmed["status"] == "confirmed" and confirmed["sales"][0]["number"] == sale.erp_number
    (shipment,) = shipped["sale"]["shipments"]
    assert shipment["tracking_reference"] == "TRK-4711"
