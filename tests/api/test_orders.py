"""Orders by API: the rows of "My orders" (ERP sales and web orders not in the ERP yet) paged by
cursor in the order they last changed, filtered by ``updated_since``; one sale with its
shipments and tracking. A phone sale is the company's in every store it buys in; a web sale
only in its own store."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from storefleet.ordering.models import Order, OrderProgress, SaleRecord

from .conftest import FERRUM, HYDRA, World, bearer

pytestmark = pytest.mark.django_db

EUR = {"amount": "120.00", "currency": "EUR"}


def _sale(world: World, erp_id: int, *, host: str | None, changed: datetime.datetime) -> str:
    number = f"SO-API-{erp_id}"
    SaleRecord.objects.create(
        erp_id=erp_id,
        number=number,
        customer_code="C-1001",
        company=world.companies["C-1001"],
        store=world.stores[host] if host else None,
        placed_at=changed - datetime.timedelta(days=1),
        state="processing",
        shipment_state="sent",
        invoice_state="none",
        progress=OrderProgress.SHIPPED,
        total=Decimal("120.00"),
        currency="EUR",
        line_count=1,
        detail={
            "lines": [
                {
                    "erp_id": erp_id * 10,
                    "sku": "BRG-1001",
                    "name": "Bearing",
                    "quantity": {"value": "4", "unit": "Unit"},
                    "unit_price": {"amount": "30.00", "currency": "EUR"},
                    "amount": EUR,
                    "shipped": "4",
                }
            ],
            "shipments": [
                {
                    "erp_id": erp_id,
                    "number": f"SHP-{erp_id}",
                    "state": "done",
                    "planned_date": "2026-11-02",
                    "effective_date": "2026-11-03",
                    "tracking_reference": f"1Z{erp_id}",
                    "carrier": "DHL",
                    "lines": [
                        {
                            "line_erp_id": erp_id * 10,
                            "sku": "BRG-1001",
                            "quantity": {"value": "4", "unit": "Unit"},
                        }
                    ],
                }
            ],
            "invoices": [],
        },
        fingerprint=str(erp_id),
        erp_write_date=changed,
    )
    return number


def test_orders_page_by_cursor_in_change_order_each_once(client, world):
    base = timezone.now() - datetime.timedelta(hours=5)
    phone = [
        _sale(world, 9100 + n, host=None, changed=base + datetime.timedelta(hours=n))
        for n in range(3)
    ]
    ferrum_web = _sale(world, 9200, host=FERRUM, changed=base + datetime.timedelta(hours=1))
    hydra_web = _sale(world, 9300, host=HYDRA, changed=base + datetime.timedelta(hours=2))
    # Two rows changed at the very same moment are both listed, one after the other.
    SaleRecord.objects.filter(number=phone[2]).update(
        erp_write_date=base + datetime.timedelta(hours=1)
    )
    key = world.key("C-1001", FERRUM)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/orders", params, HTTP_HOST=FERRUM, **bearer(key)).json()
        seen += [row["number"] for row in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    web_order = world.orders[(FERRUM, "C-1001")]
    assert sorted(seen) == sorted([*phone, ferrum_web, web_order])
    assert len(seen) == len(set(seen)) == 5 and pages == 3
    assert hydra_web not in seen
    assert seen[0] == phone[0]  # the oldest change first; the web order changed just now
    assert seen[-1] == web_order

    since = (base + datetime.timedelta(minutes=90)).isoformat()
    recent = client.get(
        "/api/v1/orders", {"updated_since": since}, HTTP_HOST=FERRUM, **bearer(key)
    ).json()
    assert [row["number"] for row in recent["items"]] == [web_order]
    # On Hydra the same company sees its phone sales and its Hydra orders, not Ferrum's.
    hydra_key = world.key("C-1001", HYDRA)
    on_hydra = client.get("/api/v1/orders?limit=200", HTTP_HOST=HYDRA, **bearer(hydra_key)).json()
    assert {row["number"] for row in on_hydra["items"]} == {
        *phone,
        hydra_web,
        world.orders[(HYDRA, "C-1001")],
    }


def test_one_sale_with_its_shipment_and_tracking(client, world):
    number = _sale(world, 9400, host=None, changed=timezone.now())
    key = world.key("C-1001", FERRUM)
    body = client.get(f"/api/v1/orders/{number}", HTTP_HOST=FERRUM, **bearer(key)).json()
    assert body["number"] == number and body["kind"] == "sale"
    (sale,) = body["sales"]
    (shipment,) = sale["shipments"]
    assert shipment == {
        "number": "SHP-9400",
        "state": "done",
        "state_label": "sent",
        "planned_date": "2026-11-02",
        "effective_date": "2026-11-03",
        "carrier": "DHL",
        "tracking_reference": "1Z9400",
        "lines": [{"sku": "BRG-1001", "quantity": "4", "unit": "Unit"}],
    }
    assert sale["lines"][0]["amount"] == {"amount": "120.00", "currency": "EUR"}
    # Van der Berg's key does not find Nordwerk's sale.
    other = world.key("C-1004", FERRUM)
    assert (
        client.get(f"/api/v1/orders/{number}", HTTP_HOST=FERRUM, **bearer(other)).status_code == 404
    )


def test_a_web_order_not_in_the_erp_yet_shows_its_lines(client, world):
    key = world.key("C-1001", FERRUM)
    number = world.orders[(FERRUM, "C-1001")]
    order = Order.objects.get(number=number)
    order.lines.create(
        position=1,
        product=None,
        sku="BRG-1001",
        name="Bearing",
        unit="Unit",
        quantity=Decimal(3),
        unit_price=Decimal("27.2"),
        ship_to=order.ship_to,
    )
    body = client.get(f"/api/v1/orders/{number}", HTTP_HOST=FERRUM, **bearer(key)).json()
    assert (body["kind"], body["progress"], body["sales"]) == ("order", "received", [])
    assert body["lines"] == [
        {
            "sku": "BRG-1001",
            "name": "Bearing",
            "quantity": "3.0000",
            "unit": "Unit",
            "unit_price": "27.2000",
        }
    ]
