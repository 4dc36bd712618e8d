"""One state machine for an order, from "received" to "confirmed (cancellable until …)" to
"processing" to shipped or cancelled: what each stage says the buyer can do, and the buyer's
cancel against a real ERP that keeps a confirmed sale cancellable for its grace period (half an
hour) or processes it after two seconds (its queue worker)."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone

from storefleet.errors import ApplicationError
from storefleet.ordering.actions import OrderActions, Stage, stage_of
from storefleet.ordering.cancel import order_cancel
from storefleet.ordering.models import Order, OrderCancellation, OrderStatus
from storefleet.ordering.returns.services import (
    ReturnInvalid,
    ReturnReasonGiven,
    ReturnWanted,
    return_request,
)
from storefleet.ordering.selectors import order_submission
from storefleet.ordering.submission import outbox_process
from storefleet.tenants.locale import zone_for

from .conftest import HOST, build_shop
from .test_services import checkout, fill

WORKER_WAIT = 60  # seconds, bounded: the ERP's worker polls every second


# ------------------------------------------------------------------ the machine, its texts
@pytest.mark.parametrize(
    ("order_status", "sales", "stage"),
    [
        ("received", [], Stage.RECEIVED),
        ("refused", [], Stage.REFUSED),
        ("cancelled", [], Stage.CANCELLED),
        ("confirmed", [("confirmed", "none")], Stage.CONFIRMED),
        ("confirmed", [("quotation", "")], Stage.CONFIRMED),
        ("confirmed", [("processing", "waiting")], Stage.PROCESSING),
        ("confirmed", [("confirmed", "none"), ("processing", "waiting")], Stage.PROCESSING),
        ("confirmed", [("processing", "partially shipped")], Stage.SHIPPED),
        ("confirmed", [("processing", "sent")], Stage.SHIPPED),
        ("confirmed", [("done", "sent")], Stage.COMPLETED),
        ("confirmed", [("cancelled", "none")], Stage.CANCELLED),
        ("confirmed", [("cancelled", "none"), ("confirmed", "none")], Stage.CONFIRMED),
        (None, [("confirmed", "none")], Stage.CONFIRMED),  # a sale entered in the ERP
        (None, [("processing", "sent")], Stage.SHIPPED),
    ],
)
def test_each_order_has_one_stage(order_status, sales, stage):
    assert stage_of(order_status=order_status, sales=sales) is stage


def test_each_stage_says_what_can_be_done_and_never_what_cannot():
    def actions(stage: Stage, **extra) -> OrderActions:
        return OrderActions(
            cancel=stage in (Stage.RECEIVED, Stage.CONFIRMED),
            request_return=stage in (Stage.SHIPPED, Stage.COMPLETED),
            stage=stage,
            **extra,
        )

    texts = {stage: (actions(stage).summary, actions(stage).next_step) for stage in Stage}
    assert texts[Stage.CONFIRMED] == (
        "Confirmed by our ERP, not processed yet.",
        "You can still cancel it until our ERP starts processing it.",
    )
    assert texts[Stage.PROCESSING] == (
        "Being processed: prepared for shipping and invoicing.",
        "It can no longer be cancelled online. Once something has shipped you can request a "
        "return of what you don't need.",
    )
    assert texts[Stage.SHIPPED][1] == "You can request a return of what you don't need."
    # Only the stages that allow a cancel mention one as possible, and the same for returns.
    for stage, (_summary, next_step) in texts.items():
        assert ("can still cancel" in next_step or "can cancel" in next_step) == (
            stage in (Stage.RECEIVED, Stage.CONFIRMED)
        ), stage
        assert next_step.startswith("You can request a return") == (
            stage in (Stage.SHIPPED, Stage.COMPLETED)
        ), stage


def test_the_deadline_is_said_in_the_zone_of_the_request():
    until = datetime.datetime(2026, 12, 5, 21, 30, tzinfo=datetime.UTC)
    confirmed = OrderActions(
        cancel=True, request_return=False, stage=Stage.CONFIRMED, cancel_until=until
    )
    with timezone.override("Europe/Berlin"):
        assert confirmed.next_step == (
            "You can still cancel it until our ERP starts processing it (5 Dec 2026, 22:30 CET)."
        )
    with timezone.override("America/New_York"):
        assert "(5 Dec 2026, 16:30 EST)" in confirmed.next_step


# ------------------------------------------------------------------ against the ERP
@pytest.fixture(scope="module")
def half_hour_erp(start_erp_server):
    server = start_erp_server(process_sales_after=1800)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_second_erp(start_erp_server):
    server = start_erp_server(process_sales_after=2)
    yield server
    server.stop()


def placed(shop, token: str) -> Order:
    fill(shop, "C-1004", "FAS-1003 10")
    order = checkout(shop, "C-1004", token=token)
    outbox_process(message_id=order_submission(order_id=order.id).id)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    return order


def erp_row(shop, number: str) -> dict:
    (row,) = shop.server.client().search_read(
        "sale.sale", [["number", "=", number]], ["state", "shipments", "invoices"]
    )
    return row


def expect_processed(shop, number: str) -> dict:
    deadline = time.monotonic() + WORKER_WAIT
    row = erp_row(shop, number)
    while row["state"] != "processing" and time.monotonic() < deadline:
        time.sleep(0.5)
        row = erp_row(shop, number)
    assert row["state"] == "processing"
    return row


@pytest.mark.django_db
def test_within_the_grace_period_the_page_offers_cancel_with_its_deadline_and_it_cancels(
    client, settings, half_hour_erp, ferrum
):
    shop = build_shop(settings, half_hour_erp, ferrum)
    order = placed(shop, "stage-grace")
    (sale,) = order.sales.all()
    assert erp_row(shop, sale.erp_number)["state"] == "confirmed"
    client.force_login(shop.buyers["C-1004"])

    body = client.get(f"/orders/{order.number}/", HTTP_HOST=HOST).content.decode()
    assert 'data-stage="confirmed"' in body
    # In the store's own time zone (the storefront's requests run in it).
    zone = ZoneInfo(zone_for(country=ferrum.store.country, time_zone=ferrum.store.time_zone))
    until = timezone.localtime(order.confirmed_at + datetime.timedelta(minutes=30), zone)
    assert (
        "You can still cancel it until our ERP starts processing it "
        f"({dateformat.format(until, 'j M Y, H:i T')})." in body
    )
    assert "Cancel order" in body and "Request a return" not in body
    # The return page says so too: nothing shipped, and cancelling is what is possible.
    with pytest.raises(ReturnInvalid) as nothing:
        return_request(
            principal=shop.buyer("C-1004"),
            number=order.number,
            lines=[ReturnWanted("FAS-1003", Decimal(1))],
            reason=ReturnReasonGiven("damaged"),
        )
    assert "you can cancel it instead" in str(nothing.value.errors)

    response = client.post(f"/orders/{order.number}/cancel/", HTTP_HOST=HOST)
    assert response.status_code == 302
    assert erp_row(shop, sale.erp_number)["state"] == "cancelled"
    assert OrderCancellation.objects.filter(number=order.number).count() == 1
    body = client.get(f"/orders/{order.number}/", HTTP_HOST=HOST).content.decode()
    assert 'data-stage="cancelled"' in body and "Cancel order" not in body


@pytest.mark.django_db
def test_after_the_grace_period_the_erp_refuses_the_cancel_and_the_page_says_why(
    client, settings, two_second_erp, ferrum
):
    shop = build_shop(settings, two_second_erp, ferrum)
    order = placed(shop, "stage-late")
    (sale,) = order.sales.all()
    row = expect_processed(shop, sale.erp_number)
    assert len(row["shipments"]) == 1

    # The platform's mirror still says "confirmed" (it has not looked since): the ERP judges.
    with pytest.raises(ApplicationError) as refused:
        order_cancel(principal=shop.buyer("C-1004"), number=order.number)
    assert refused.value.code == "not_cancellable"
    assert refused.value.message.startswith(
        f"Order {order.number} is already being processed by our ERP"
    )
    # Nothing half-done: the sale is still processing with its shipment, nothing recorded.
    assert erp_row(shop, sale.erp_number) == row
    assert not OrderCancellation.objects.exists()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CONFIRMED

    client.force_login(shop.buyers["C-1004"])
    body = client.get(f"/orders/{order.number}/", HTTP_HOST=HOST).content.decode()
    assert 'data-stage="processing"' in body
    assert "It can no longer be cancelled online." in body
    assert "Cancel order" not in body and "Request a return" not in body
    assert "waiting for stock" not in body and "scheduled, planned" in body
    with pytest.raises(ReturnInvalid) as nothing:
        return_request(
            principal=shop.buyer("C-1004"),
            number=order.number,
            lines=[ReturnWanted("FAS-1003", Decimal(1))],
            reason=ReturnReasonGiven("damaged"),
        )
    message = str(nothing.value.errors)
    assert "cancel it instead" not in message
    assert "Once something has shipped, you can request a return" in message
