"""Reorder and the order confirmation PDF against the real ERP: any of the company's orders —
a web order or a phone order mirrored from the ERP — goes into the cart at today's prices and
rules with every change said; its confirmation is a PDF; another company's is never reached."""

from __future__ import annotations

import html
import io
import re
from decimal import Decimal

import pypdf
import pytest

from storefleet.accounts.principal import Principal
from storefleet.catalog.models import Product
from storefleet.erp.sync import erp_sync
from storefleet.errors import ApplicationError
from storefleet.money import format_money, format_unit_price
from storefleet.ordering.cart import cart_line_add
from storefleet.ordering.checkout import CheckoutRequest, order_place
from storefleet.ordering.models import CartLine, Order, OrderLine
from storefleet.ordering.reorder import order_reorder
from storefleet.ordering.selectors import order_submission
from storefleet.ordering.submission import outbox_process

from .conftest import HOST

pytestmark = pytest.mark.django_db


def as_buyer(client, shop, code):
    client.force_login(shop.buyers[code])
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data=None):
    return client.post(path, data or {}, HTTP_HOST=HOST)


def cart_of(shop, code) -> list[tuple[str, Decimal]]:
    return sorted(
        CartLine.objects.filter(cart__user=shop.buyers[code]).values_list(
            "product__sku", "quantity"
        )
    )


def place_order(client, shop, code, lines) -> Order:
    c = as_buyer(client, shop, code)
    for sku, quantity in lines:
        post(c, "/cart/add/", {"sku": sku, "quantity": quantity})
    form = get(c, "/checkout/").context["form"]
    address = form.fields["ship_to"].queryset.first()
    post(
        c,
        "/checkout/",
        {"submit_token": form.initial["submit_token"], "ship_to": address.id, "po_number": "PO-R1"},
    )
    order = Order.objects.get(company__code=code)
    outbox_process(message_id=order_submission(order_id=order.id).id)
    return Order.objects.get(id=order.id)


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_reorder_of_a_web_order_says_what_changed_and_orders_nothing(client, shop):
    order = place_order(
        client, shop, "C-1004", [("FAS-1003", "10"), ("BRG-1002", "2"), ("FAS-1007", "100")]
    )
    assert cart_of(shop, "C-1004") == []
    # Since then: BRG-1002 was withdrawn, FAS-1003 was cheaper when ordered, and the order's
    # FAS-1007 quantity (150) no longer fits its steps of 100.
    today_price = OrderLine.objects.get(order=order, sku="FAS-1003").unit_price
    OrderLine.objects.filter(order=order, sku="FAS-1003").update(unit_price=Decimal("0.0100"))
    OrderLine.objects.filter(order=order, sku="FAS-1007").update(quantity=Decimal(150))
    Product.objects.filter(sku="BRG-1002").update(active=False)
    c = as_buyer(client, shop, "C-1004")
    response = post(c, f"/orders/{order.number}/reorder/")
    assert response["Location"] == "/cart/"
    assert cart_of(shop, "C-1004") == [("FAS-1003", Decimal(10)), ("FAS-1007", Decimal(150))]
    assert Order.objects.count() == 1  # nothing ordered
    body = get(c, "/cart/").content.decode()
    assert f"Order {order.number}: 2 lines added to your cart." in body
    assert "BRG-1002: no longer sold here: left out." in body
    was, now = (
        format_unit_price(Decimal("0.01"), "EUR", "Unit"),
        format_unit_price(today_price, "EUR", "Unit"),
    )
    assert f"FAS-1003: the price moved from {was} to {now}." in html.unescape(body)
    assert "FAS-1007: This product is sold in steps of 100 Unit." in body


def test_reorder_of_an_unchanged_order_says_so(shop):
    membership = shop.membership("C-1004")
    cart_line_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        sku="FAS-1003",
        quantity=Decimal(5),
    )
    order_place(
        principal=Principal.for_member(store=shop.store, membership=membership),
        request=CheckoutRequest(
            submit_token="same-1",
            ship_to_id=membership.company.addresses.filter(is_ship_to=True).first().id,
        ),
    )
    order = Order.objects.get()
    result = order_reorder(
        principal=Principal.for_member(store=shop.store, membership=membership),
        number=order.number,
    )
    assert ([r.sku for r in result.added], result.left_out, result.changes) == (
        ["FAS-1003"],
        (),
        (),
    )


def test_reorder_of_a_phone_order_mirrored_from_the_erp(client, shop):
    erp_sync(name="sales", full=True)
    c = as_buyer(client, shop, "C-1004")
    calls = shop.gateway.backend.request_count()
    response = post(c, "/orders/SO-00004/reorder/")
    assert response["Location"] == "/cart/"
    # One ERP validation for today's prices and verdicts (the catalog is the mirror's).
    assert shop.gateway.backend.request_count() - calls <= 6
    in_cart = cart_of(shop, "C-1004")
    assert len(in_cart) == 2 and all(quantity > 0 for _, quantity in in_cart)
    body = get(c, "/cart/").content.decode()
    assert "Order SO-00004: 2 lines added to your cart." in body
    # The phone order's own page offers it too.
    assert 'action="/orders/SO-00004/reorder/"' in get(c, "/orders/SO-00004/").content.decode()


def test_another_companys_order_is_not_found_and_the_cart_stays_empty(client, shop):
    erp_sync(name="sales", full=True)
    order = place_order(client, shop, "C-1004", [("FAS-1003", "10")])
    c = as_buyer(client, shop, "C-1001")
    for number in (order.number, "SO-00004", "NOPE", "x" * 200):
        assert post(c, f"/orders/{number}/reorder/").status_code == 404
        assert get(c, f"/orders/{number}/confirmation.pdf").status_code == 404
    assert cart_of(shop, "C-1001") == []
    with pytest.raises(ApplicationError):
        order_reorder(
            principal=shop.principal("C-1001"),
            number="SO-00004",
        )


def test_the_order_confirmation_pdf_of_a_web_and_a_phone_order(client, shop):
    order = place_order(client, shop, "C-1004", [("FAS-1003", "10"), ("BRG-1002", "2")])
    c = as_buyer(client, shop, "C-1004")
    assert f'href="/orders/{order.number}/confirmation.pdf"' in (
        get(c, f"/orders/{order.number}/").content.decode()
    )
    text = pdf_text(get(c, f"/orders/{order.number}/confirmation.pdf"))
    sale = order.sales.get()
    assert f"Order {order.number}" in text and sale.erp_number in text
    assert "FAS-1003" in text and "BRG-1002" in text and "PO-R1" in text
    # Amounts in the currency's digits: the net total and the ERP's total with tax.
    assert format_money(order.total, "EUR") in text
    assert f"Total incl. tax {format_money(sale.erp_total, 'EUR')}" in text
    assert not re.search(r"Net total €[\d,]+\.\d{3}", text)
    erp_sync(name="sales", full=True)
    text = pdf_text(get(c, "/orders/SO-00004/confirmation.pdf"))
    assert "Order SO-00004" in text and "PO-VDB-3310" in text
