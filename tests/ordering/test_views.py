"""The storefront's cart, quick order, checkout and order pages, as a buyer uses them, and the
walls between companies: another company's cart lines, orders, addresses and prices can't be
read or changed by URL or by a tampered form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from storefleet.accounts.principal import Principal
from storefleet.ordering.cart import cart_check, cart_line_add
from storefleet.ordering.checkout import CheckoutRequest, order_place
from storefleet.ordering.models import CartLine, Order, OrderStatus
from storefleet.ordering.submission import outbox_process
from storefleet.outbox.models import Message

from .conftest import HOST

pytestmark = pytest.mark.django_db


def client_for(client, shop, code):
    client.force_login(shop.buyers[code])
    return client


def get(client, path):
    return client.get(path, HTTP_HOST=HOST)


def post(client, path, data=None, **extra):
    return client.post(path, data or {}, HTTP_HOST=HOST, **extra)


def test_add_to_cart_from_a_product_page_and_fix_a_line_with_the_offered_quantity(client, shop):
    c = client_for(client, shop, "C-1004")
    response = post(c, "/cart/add/", {"sku": "FAS-1007", "quantity": "150", "next": "/catalog/"})
    assert response.status_code == 302 and response["Location"] == "/catalog/"
    body = get(c, "/cart/").content.decode()
    assert "This product is sold in steps of 100 Unit." in body
    assert "Order 200 Unit instead" in body and "disabled" in body
    line = CartLine.objects.get()
    post(c, f"/cart/lines/{line.id}/", {"quantity": "200"})
    body = get(c, "/cart/").content.decode()
    assert "✓ Can be ordered" in body and 'href="/checkout/"' in body


def test_bad_input_on_the_cart_says_what_to_do_and_adds_nothing(client, shop):
    c = client_for(client, shop, "C-1004")
    post(c, "/cart/add/", {"sku": "NOPE-1", "quantity": "3"})
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "-2"})
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "1", "next": "https://evil.example/"})
    body = get(c, "/cart/").content.decode()
    assert "We don&#x27;t sell a product with the SKU “NOPE-1” in this store" in body
    assert "The quantity must be more than 0." in body
    assert list(CartLine.objects.values_list("product__sku", "quantity")) == [
        ("FAS-1003", Decimal(1))
    ]


def test_quick_order_keeps_valid_rows_and_reports_each_bad_one(client, shop):
    c = client_for(client, shop, "C-1004")
    upload = SimpleUploadedFile(
        "order.csv", b"sku;quantity\nFAS-1002;100\nXXX-9;1\nBRG-1002;two\n", "text/csv"
    )
    response = post(c, "/quick-order/", {"lines": "fas-1003 12\nBRG-1002", "csv": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 lines could not be added (the other 2 are in your cart)" in body
    assert "Add a quantity after the SKU." in body
    assert "We don&#x27;t sell the SKU “XXX-9” in this store." in body
    assert "“two” is not a quantity" in body
    # What was not added comes back as the buyer wrote it, to fix: their quantities kept.
    assert response.context["form"].initial["lines"].splitlines() == [
        "BRG-1002",
        "XXX-9 1",
        "BRG-1002 two",
    ]
    assert sorted(CartLine.objects.values_list("product__sku", "quantity")) == [
        ("FAS-1002", Decimal(100)),
        ("FAS-1003", Decimal(12)),
    ]
    all_good = post(c, "/quick-order/", {"lines": "BRG-1002 2"})
    assert all_good.status_code == 302 and all_good["Location"] == "/cart/"


def test_checkout_places_one_order_however_often_the_form_is_sent(client, shop):
    c = client_for(client, shop, "C-1004")
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "10"})
    form = get(c, "/checkout/").context["form"]
    token = form.initial["submit_token"]
    address = form.fields["ship_to"].queryset.get()
    data = {"submit_token": token, "ship_to": address.id, "po_number": "PO-77", "notes": ""}
    first = post(c, "/checkout/", data)
    second = post(c, "/checkout/", data)  # double click / back button, cart already empty
    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/orders/{order.number}/"
    body = get(c, first["Location"]).content.decode()
    assert "Received — awaiting confirmation" in body and "PO-77" in body
    outbox_process(message_id=Message.objects.get().id)
    body = get(c, first["Location"]).content.decode()
    sale = order.sales.get()
    assert "Order confirmed" in body and sale.erp_number in body
    assert Order.objects.get().status == OrderStatus.CONFIRMED


def test_checkout_is_closed_while_the_cart_has_lines_the_erp_refuses(client, shop):
    c = client_for(client, shop, "C-1004")
    post(c, "/cart/add/", {"sku": "FAS-1002", "quantity": "75"})
    form = get(c, "/checkout/").context["form"]
    address = form.fields["ship_to"].queryset.get()
    response = post(
        c, "/checkout/", {"submit_token": "t-1", "ship_to": address.id, "po_number": ""}
    )
    assert response["Location"] == "/cart/"
    assert Order.objects.count() == 0


def test_signed_out_visitors_and_users_without_a_company_get_no_cart(client, shop):
    assert get(client, "/cart/")["Location"].startswith("/account/sign-in/")
    stranger = get_user_model().objects.create_user("s@x.example", "s@x.example", "x")
    client.force_login(stranger)
    for path in ("/cart/", "/quick-order/", "/checkout/", "/orders/"):
        assert get(client, path).status_code == 404
    assert post(client, "/cart/add/", {"sku": "FAS-1003", "quantity": "1"}).status_code == 404


# ------------------------------------------------------------------ walls between companies
@pytest.fixture
def other(shop):
    """Van der Berg (C-1004) has a cart line and an order; Nordwerk (C-1001) will try them."""
    membership = shop.membership("C-1004")
    cart_line_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        sku="FAS-1003",
        quantity=Decimal(5),
    )
    line = CartLine.objects.get()
    cart_line_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        sku="BRG-1002",
        quantity=Decimal(2),
    )
    address = membership.company.addresses.filter(is_ship_to=True).first()
    order = order_place(
        principal=Principal.for_member(store=shop.store, membership=membership),
        request=CheckoutRequest(submit_token="vdb-1", ship_to_id=address.id),
    )
    cart_line_add(
        principal=Principal.for_member(store=shop.store, membership=membership),
        sku="FAS-1003",
        quantity=Decimal(5),
    )
    line = CartLine.objects.get()
    return {"line": line, "order": order, "address": address}


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/orders/{order}/", {}),
        ("post", "/orders/{order}/reorder/", {}),
        ("post", "/cart/lines/{line}/", {"quantity": "999"}),
        ("post", "/cart/lines/{line}/", {"action": "remove"}),
    ],
)
def test_another_companys_orders_and_cart_lines_are_not_found(
    client, shop, other, method, path, data
):
    c = client_for(client, shop, "C-1001")
    url = path.format(order=other["order"].number, line=other["line"].id)
    response = getattr(c, method)(url, data, HTTP_HOST=HOST)
    assert response.status_code == 404
    assert other["order"].number.encode() not in response.content
    line = CartLine.objects.get(id=other["line"].id)
    assert line.quantity == Decimal(5)
    assert CartLine.objects.filter(cart__user=shop.buyers["C-1001"]).count() == 0


def test_another_companys_orders_are_not_listed(client, shop, other):
    c = client_for(client, shop, "C-1001")
    assert other["order"].number not in get(c, "/orders/").content.decode()
    own = client_for(client, shop, "C-1004")
    assert other["order"].number in get(own, "/orders/").content.decode()


def test_a_tampered_ship_to_of_another_company_is_refused(client, shop, other):
    c = client_for(client, shop, "C-1001")
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "1"})
    own_line = CartLine.objects.get(cart__user=shop.buyers["C-1001"])
    form = get(c, "/checkout/").context["form"]
    own_address = form.fields["ship_to"].queryset.get()
    for data in (
        {"ship_to": other["address"].id},
        {"ship_to": own_address.id, f"ship_to_{own_line.id}": other["address"].id},
    ):
        response = post(c, "/checkout/", {"submit_token": "nw-1", **data})
        assert response.status_code == 200
        assert "Choose one of your company&#x27;s ship-to addresses." in response.content.decode()
    assert Order.objects.filter(company__code="C-1001").count() == 0
    # The other company's submit token can't fetch its order either.
    response = post(c, "/checkout/", {"submit_token": "vdb-1", "ship_to": own_address.id})
    assert response.status_code == 302
    assert response["Location"] != f"/orders/{other['order'].number}/"


def test_each_company_sees_only_its_own_price(shop):
    prices = {}
    for code in ("C-1001", "C-1004"):
        membership = shop.membership(code)
        cart_line_add(
            principal=Principal.for_member(store=shop.store, membership=membership),
            sku="BRG-1001",
            quantity=Decimal(2),
        )
        check = cart_check(principal=Principal.for_member(store=shop.store, membership=membership))
        prices[code] = check.lines[0].unit_price.amount
    fixed = shop.server.manifest["customer_specific_prices"]["fixed_prices"]["BRG-1001"]
    assert prices["C-1001"] == Decimal(fixed) and prices["C-1004"] != prices["C-1001"]


def test_the_store_shows_signed_in_buyers_that_it_runs_in_degraded_mode(client, shop):
    import time

    from django.core.cache import cache

    c = client_for(client, shop, "C-1004")
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "10"})
    assert "degraded-banner" not in get(c, "/cart/").content.decode()
    cache.set("erp:breaker:opened_at", time.time(), timeout=None)  # the breaker is open
    body = get(c, "/cart/").content.decode()
    assert "Our ERP system is not answering right now" in body
    assert "stock and credit can't be checked. You can still order" in body
    response = get(c, "/checkout/")
    assert "Your order will be received and confirmed as soon as it is back" in (
        response.content.decode()
    )


def test_add_to_cart_says_what_is_wrong_with_the_sku_or_the_quantity(client, shop):
    c = client_for(client, shop, "C-1004")
    cases = [
        ({"sku": "A" * 65, "quantity": "1"}, "is too long for a SKU (at most 64 characters)"),
        ({"sku": "FAS-1003", "quantity": "999999999999.9999"}, "at most 1,000,000 in one line"),
        ({"sku": "FAS-1003", "quantity": "1e-20"}, "Use at most 4 decimals in a quantity"),
        ({"sku": "FAS-1003", "quantity": "NaN"}, "Enter the quantity as a number"),
        ({"sku": "FAS-1003", "quantity": ""}, "Enter a quantity of more than 0, such as 10"),
    ]
    for data, message in cases:
        response = post(c, "/cart/add/", data)
        assert response.status_code == 302
        body = get(c, "/cart/").content.decode()
        assert message in body, data
    assert CartLine.objects.count() == 0


def test_a_line_too_large_for_its_column_can_still_be_removed(client, shop):
    """A line written before quantities had bounds (SQLite kept a value one digit larger than
    the column): its remove button works without reading it, and the migration's clamp makes
    the cart readable again. PostgreSQL never stored such a value: it refuses it."""
    import importlib

    from django.apps import apps
    from django.db import DataError, IntegrityError, connection, transaction

    c = client_for(client, shop, "C-1004")
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "5"})
    post(c, "/cart/add/", {"sku": "FAS-1002", "quantity": "100"})
    broken, other = CartLine.objects.order_by("id").values_list("id", flat=True)
    table = CartLine._meta.db_table
    if connection.vendor != "sqlite":
        with (
            pytest.raises((DataError, IntegrityError)),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table} SET quantity = 1999999999999.9998")  # noqa: S608
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints = ON")
        cursor.execute(f"UPDATE {table} SET quantity = 1999999999999.9998")  # noqa: S608
        cursor.execute("PRAGMA ignore_check_constraints = OFF")
    response = post(c, f"/cart/lines/{broken}/", {"action": "remove"})
    assert response.status_code == 302
    assert list(CartLine.objects.values_list("id", flat=True)) == [other]
    migration = importlib.import_module("storefleet.ordering.migrations.0004_cart_quantity_bounds")
    migration.clamp_oversized_lines(apps, None)
    assert CartLine.objects.get().quantity == Decimal(1_000_000)
    assert get(c, "/cart/").status_code == 200


def test_quick_order_refuses_a_file_it_cannot_read_and_adds_nothing(client, shop):
    c = client_for(client, shop, "C-1004")
    for data, message in [
        (b"sku,quantity\rFAS-1003,2\rFAS-1002,100", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "That doesn&#x27;t look like a CSV file"),
        (b"sku,quantity\n" + b"A" * 200_000 + b",1\n", "Row 2 has a cell far too long"),
        (b"sku;quantity\r\n", "The file has only its header row"),
    ]:
        upload = SimpleUploadedFile("order.csv", data, "text/csv")
        response = post(c, "/quick-order/", {"csv": upload})
        if message is None:  # CR-only line endings are read like any other
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        assert message in response.content.decode()
    assert sorted(CartLine.objects.values_list("product__sku", "quantity")) == [
        ("FAS-1002", Decimal(100)),
        ("FAS-1003", Decimal(2)),
    ]


def test_a_tampered_checkout_token_says_what_happened_and_what_to_do(client, shop):
    c = client_for(client, shop, "C-1004")
    post(c, "/cart/add/", {"sku": "FAS-1003", "quantity": "10"})
    form = get(c, "/checkout/").context["form"]
    address = form.fields["ship_to"].queryset.get()
    for token in ("", "x" * 65, "<script>", "a b"):
        response = post(c, "/checkout/", {"submit_token": token, "ship_to": address.id})
        body = response.content.decode()
        assert response.status_code == 200
        assert "This checkout form was changed or has expired, so we did not place the" in body
        fresh = response.context["form"]["submit_token"].value()
        assert fresh != token and len(fresh) == 32
    assert Order.objects.count() == 0
    response = post(c, "/checkout/", {"submit_token": fresh, "ship_to": address.id})
    assert response["Location"] == f"/orders/{Order.objects.get().number}/"
