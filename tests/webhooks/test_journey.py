"""The journey: a buyer places an order in the store, the outbox carries it into the reference
ERP, the warehouse ships it with a tracking number, the sales sync mirrors that — and the
company's endpoint receives order.placed, order.confirmed and order.shipped (with tracking), in
that order, signed, each under its own delivery id.

Then the same journey as a procurement system makes it through the partner API alone (issue
17): it subscribes, gets the ERP's verdict on its lines and fixes the refused one as told,
places the order once per Idempotency-Key, receives the three events at its endpoint from a
real worker, and reads the order back with shipment and tracking. Both share the module's
reference ERP (``fresh_erp_server``)."""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from storefleet.accounts.principal import Principal
from storefleet.api.keys import api_key_create
from storefleet.api.models import KeyKind, Scope
from storefleet.erp.sync import erp_sync
from storefleet.ordering.cart import quick_order_add
from storefleet.ordering.checkout import CheckoutRequest, order_place
from storefleet.ordering.models import Order, OrderStatus
from storefleet.ordering.outbox_kinds import SUBMIT_ORDER
from storefleet.ordering.quick_order import parse_lines
from storefleet.ordering.submission import outbox_process
from storefleet.outbox import tasks as outbox_tasks
from storefleet.outbox.models import Message
from storefleet.tenants.models import Store
from storefleet.webhooks import services as webhooks
from tests.ordering.conftest import build_shop
from tests.ordering.test_order_history import ship
from tests.worker_support import PLATFORM, WorkerProcess, database_url, shared_broker

from .conftest import Receiver, run_due

pytestmark = pytest.mark.django_db
STALL_SECONDS = 120


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
    result = quick_order_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        rows=parse_lines("FAS-1003 10"),
    )
    assert not result.errors
    address = membership.company.addresses.filter(is_ship_to=True, active=True).first()
    order = order_place(
        principal=Principal.for_member(store=shop.store, membership=membership),
        request=CheckoutRequest(submit_token="t-hook", ship_to_id=address.id),
    )
    run_due()  # order.placed
    submit = Message.objects.get(kind=SUBMIT_ORDER)
    outbox_process(message_id=submit.id)  # into the ERP: confirmed
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


# ------------------------------------------------------------------ the procurement system
# The same journey, made by a procurement system through the partner API only: HTTP against a
# live server with its API key (no test client, no service call on its side), a real Celery
# worker carrying the outbox (the order into the ERP, every delivery), the module's reference
# ERP. Only the warehouse (Tryton) and the sales sync's schedule are run by hand, as above.
@pytest.fixture
def worker(tmp_path, shop) -> Iterator[WorkerProcess]:
    server = shop.server
    with shared_broker(tmp_path) as broker_env:
        env = {
            **os.environ,
            **broker_env,
            "DJANGO_SETTINGS_MODULE": "storefleet.settings.test",
            "PYTHONPATH": str(PLATFORM),
            "DATABASE_URL": database_url(connection.settings_dict),
            "ERP_URL": server.url,  # type: ignore[attr-defined]
            "ERP_DATABASE": server.database,  # type: ignore[attr-defined]
            "ERP_USER": server.user,  # type: ignore[attr-defined]
            "STOREFLEET_ERP_PASSWORD": server.password,  # type: ignore[attr-defined]
            "ERP_SYNC_PRODUCTS_SECONDS": "3600",
            "ERP_SYNC_CUSTOMERS_SECONDS": "3600",
            "ERP_SYNC_SALES_SECONDS": "3600",
        }
        process = WorkerProcess(env, tmp_path / "worker.log", args=("--pool=solo",))
        process.start()
        try:
            yield process
        finally:
            process.stop()
            from storefleet.celery import app

            app.control.purge()


@dataclass
class Procurement:
    """The partner's side: its API key and an HTTP client, nothing else."""

    http: httpx.Client

    def post(self, path: str, body: dict, **headers: str) -> httpx.Response:
        return self.http.post(f"/api/v1{path}", json=body, headers=headers)

    def get(self, path: str) -> httpx.Response:
        return self.http.get(f"/api/v1{path}")


@pytest.fixture
def procurement(live_server, shop) -> Iterator[Procurement]:
    _key, text = api_key_create(
        name="Procurement",
        kind=KeyKind.COMPANY,
        scopes=[Scope.CATALOG_READ, Scope.ORDERS_READ, Scope.ORDERS_WRITE, Scope.WEBHOOKS],
        expires_at=timezone.now() + datetime.timedelta(days=1),
        company=shop.membership("C-1004").company,
        store=Store.objects.get(pk=shop.store.id),
    )
    port = urlsplit(live_server.url).port
    with httpx.Client(
        base_url=live_server.url,
        headers={"Host": f"ferrum.localhost:{port}", "Authorization": f"Bearer {text}"},
        timeout=60,
    ) as http:
        yield Procurement(http)


def expect_received(receiver: Receiver, count: int, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + STALL_SECONDS
    while len(receiver.received) < count:
        if time.monotonic() > deadline:
            pytest.fail(
                f"{len(receiver.received)} of {count} deliveries arrived: "
                f"{[(r.event, r.status) for r in receiver.received]}\n" + worker.log()[-4000:]
            )
        time.sleep(0.2)


def expect_status(number: str, status: str, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + STALL_SECONDS
    while Order.objects.get(number=number).status != status:
        if time.monotonic() > deadline:
            pytest.fail(f"order {number} never became {status}\n" + worker.log()[-4000:])
        time.sleep(0.2)


@pytest.mark.django_db(transaction=True)
def test_a_procurement_system_validates_places_and_follows_an_order_by_api_alone(
    shop, receiver, procurement, worker
):
    # It subscribes its endpoint and keeps the secret it is shown once.
    response = procurement.post(
        "/webhooks/subscriptions",
        {"url": receiver.url, "events": ["order.placed", "order.confirmed", "order.shipped"]},
    )
    assert response.status_code == 201, response.text
    receiver.secrets.append(response.json()["secret"])

    # The ERP's verdict: FAS-1007 comes in packs of 100, so 150 is refused with a fix.
    lines = [{"sku": "FAS-1007", "quantity": "150"}, {"sku": "FAS-1003", "quantity": "10"}]
    response = procurement.post("/orders/validate", {"lines": lines})
    assert response.status_code == 200, response.text
    verdict = response.json()
    assert verdict["ok"] is False
    refused, accepted = verdict["lines"]
    assert (refused["sku"], refused["ok"]) == ("FAS-1007", False)
    assert refused["reasons"] == ["not_a_multiple"] and refused["messages"]
    assert Decimal(refused["suggested_quantity"]) == 200
    assert (accepted["sku"], accepted["ok"]) == ("FAS-1003", True)
    lines[0]["quantity"] = refused["suggested_quantity"]  # as the verdict suggests
    response = procurement.post("/orders/validate", {"lines": lines})
    assert response.status_code == 200 and response.json()["ok"] is True, response.text

    # Placed once per Idempotency-Key: the retry (its answer lost, say) is the same order.
    body = {"lines": lines, "po_number": "PROC-17"}
    first = procurement.post("/orders", body, **{"Idempotency-Key": "proc-17-1"})
    assert first.status_code == 201, first.text
    retry = procurement.post("/orders", body, **{"Idempotency-Key": "proc-17-1"})
    assert retry.status_code == 200, retry.text
    number = first.json()["number"]
    assert retry.json() == first.json()
    assert Order.objects.filter(placed_by_key__isnull=False).count() == 1

    # The worker carries the order into the ERP and the deliveries to the endpoint.
    expect_status(number, OrderStatus.CONFIRMED, worker)
    expect_received(receiver, 2, worker)
    # The warehouse ships it with a tracking number; the sales sync (scheduled) mirrors that.
    erp_sync(name="sales", full=True)
    (erp_sale,) = shop.server.client().search_read(
        "sale.sale", [["description", "like", f"storefleet:{number}%"]], ["number", "shipments"]
    )
    ship(shop, erp_sale["shipments"][0], tracking="TRK-1717")
    erp_sync(name="sales")
    expect_received(receiver, 3, worker)

    subject = f"order:{number}"
    assert [(r.event, r.json["subject"]) for r in receiver.received] == [
        ("order.placed", subject),
        ("order.confirmed", subject),
        ("order.shipped", subject),
    ]
    assert all(r.valid and r.status == 204 for r in receiver.received)
    assert len(set(receiver.ids())) == 3
    placed, confirmed, shipped = (r.json["data"] for r in receiver.received)
    assert [(line["sku"], Decimal(line["quantity"])) for line in placed["lines"]] == [
        ("FAS-1007", 200),
        ("FAS-1003", 10),
    ]
    assert confirmed["sales"][0]["number"] == erp_sale["number"]
    (shipment,) = shipped["sale"]["shipments"]
    assert shipment["tracking_reference"] == "TRK-1717"

    # It reads the order back with its shipment and tracking.
    response = procurement.get(f"/orders/{number}")
    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["number"], order["po_number"]) == (number, "PROC-17")
    (sale,) = order["sales"]
    assert sale["number"] == erp_sale["number"]
    (shipment,) = sale["shipments"]
    assert shipment["tracking_reference"] == "TRK-1717"
    assert {(line["sku"], Decimal(line["quantity"])) for line in shipment["lines"]} == {
        ("FAS-1007", 200),
        ("FAS-1003", 10),
    }
