"""The back-order choice against the real ERP: a line short of stock blocks checkout until
the buyer either orders only what is in stock (the line's "Order N instead" fix) or chooses to
ship what is in stock now and the rest when it arrives — then the ERP's sale is confirmed at
the full quantity with the choice written on it. BRG-1004: 6 Unit in stock at WH-EU."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.ordering.cart import cart_check
from storefleet.ordering.models import Cart, Order, OrderStatus
from storefleet.ordering.selectors import order_submission
from storefleet.ordering.submission import BACKORDER_NOTE, outbox_process

from .conftest import HOST

pytestmark = pytest.mark.django_db


def as_buyer(client, shop, code="C-1004"):
    client.force_login(shop.buyers[code])
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data=None):
    return client.post(path, data or {}, HTTP_HOST=HOST)


def checkout(client) -> object:
    form = get(client, "/checkout/").context["form"]
    address = form.fields["ship_to"].queryset.first()
    return post(
        client,
        "/checkout/",
        {"submit_token": form.initial["submit_token"], "ship_to": address.id, "po_number": "BO"},
    )


def erp_sale(shop, order: Order) -> dict:
    client = shop.server.client()
    (sale,) = client.search_read(
        "sale.sale",
        [["description", "=", f"storefleet:{order.number}"]],
        ["state", "comment", "lines"],
    )
    lines = client.model("sale.line", "read", sale["lines"], ["quantity", "product.code"])
    sale["quantities"] = {
        line["product."]["code"]: Decimal(str(line["quantity"])) for line in lines
    }
    return sale


def test_short_stock_blocks_checkout_until_the_buyer_chooses(client, shop):
    c = as_buyer(client, shop)
    post(c, "/cart/add/", {"sku": "BRG-1004", "quantity": "10"})
    body = get(c, "/cart/").content.decode()
    assert "Only 6 Unit in stock now." in body and "Order 6 Unit instead" in body
    assert "Ship what is in stock now, the rest when it arrives" in body
    assert 'href="/checkout/"' not in body
    assert checkout(c)["Location"] == "/cart/"
    assert Order.objects.count() == 0


def test_ship_now_the_rest_later_makes_a_backordered_sale_in_the_erp(client, shop):
    c = as_buyer(client, shop)
    post(c, "/cart/add/", {"sku": "BRG-1004", "quantity": "10"})
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "10"})
    response = post(c, "/cart/backorder/", {"choice": "ship_now"})
    assert response["Location"] == "/cart/"
    body = get(c, "/cart/").content.decode()
    assert "Ships in two parts: 6 Unit now, the rest" in body
    assert 'href="/checkout/"' in body and "Order only what is in stock instead" in body
    page = get(c, "/checkout/").content.decode()
    assert 'data-backorder="BRG-1004"' in page and "Ships in two parts" in page
    response = checkout(c)
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.number}/"
    assert order.backorder_accepted
    assert not Cart.objects.get(user=shop.buyers["C-1004"]).backorder_accepted  # used up
    outbox_process(message_id=order_submission(order_id=order.id).id)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    sale = erp_sale(shop, order)
    assert sale["state"] == "processing"
    assert sale["quantities"] == {"BRG-1004": Decimal(10), "FAS-1003": Decimal(10)}
    assert BACKORDER_NOTE in sale["comment"]


def test_in_stock_only_orders_what_is_there_and_the_erp_sale_says_nothing_of_a_backorder(
    client, shop
):
    c = as_buyer(client, shop)  # TOL-1005: 3 in stock (not BRG-1004: an earlier test sold it)
    post(c, "/cart/add/", {"sku": "TOL-1005", "quantity": "5"})
    post(c, "/cart/backorder/", {"choice": "ship_now"})
    post(c, "/cart/backorder/", {"choice": "in_stock_only"})
    assert checkout(c)["Location"] == "/cart/"  # back to blocked
    assert Order.objects.count() == 0
    line = cart_check(principal=shop.principal("C-1004")).lines[0]
    assert line.suggested_quantity == Decimal(3)
    post(c, f"/cart/lines/{line.wanted.line_id}/", {"quantity": "3"})  # "Order 3 … instead"
    checkout(c)
    order = Order.objects.get()
    assert not order.backorder_accepted
    outbox_process(message_id=order_submission(order_id=order.id).id)
    sale = erp_sale(shop, order)
    assert sale["quantities"] == {"TOL-1005": Decimal(3)}
    assert BACKORDER_NOTE not in (sale["comment"] or "")


def test_the_choice_never_skips_a_stock_check_no_line_needs_nor_overrides_other_rules(client, shop):
    c = as_buyer(client, shop)
    post(c, "/cart/backorder/", {"choice": "ship_now"})
    post(c, "/cart/add/", {"sku": "FAS-1007", "quantity": "150"})  # steps of 100
    body = get(c, "/cart/").content.decode()
    assert "This product is sold in steps of 100 Unit." in body
    assert 'href="/checkout/"' not in body
    post(
        c,
        "/cart/lines/{}/".format(
            cart_check(principal=shop.principal("C-1004")).lines[0].wanted.line_id
        ),
        {"quantity": "100"},
    )
    checkout(c)
    order = Order.objects.get()
    assert not order.backorder_accepted  # nothing was short: the ERP checks stock as always


def test_a_made_up_choice_changes_nothing(client, shop):
    c = as_buyer(client, shop)
    post(c, "/cart/add/", {"sku": "BRG-1004", "quantity": "10"})
    post(c, "/cart/backorder/", {"choice": "ship_everything_for_free"})
    body = get(c, "/cart/").content.decode()
    assert "Choose how to ship the lines we don&#x27;t have in stock." in body
    assert not Cart.objects.get(user=shop.buyers["C-1004"]).backorder_accepted
    assert get(c, "/cart/backorder/").status_code == 405
