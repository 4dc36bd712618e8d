"""The cart's verdict is the ERP's at every step (issue 14, item 6), on the module's own ERP,
changed behind the buyer's back as its staff would change it:

- a product withdrawn or made unsalable is flagged at the next look (no memo hides it), is
  never "can be ordered" without a price, can't be checked out, and an order already placed
  with it is refused at submission, not left waiting;
- a product sold in boxes but stocked in units is checked, and answered, in boxes;
- a price that moved between the checkout page and "Place order" is shown to the buyer to
  accept; one that moved between placing and the worker's submission refuses the order (the
  buyer is e-mailed the new price): the ERP sale is never made at a price nobody accepted.
  Within ORDERING_PRICES_CURRENT_SECONDS of the placement's price read, the price the buyer
  accepted is the ERP's at the time of ordering and stands."""

from __future__ import annotations

import datetime
from decimal import ROUND_FLOOR, Decimal

import pytest
from django.core import mail
from django.utils import timezone

from storefleet.accounts.principal import Principal
from storefleet.erp.backends.tryton import from_settings
from storefleet.erp.errors import ErpRejected
from storefleet.erp.sync import erp_sync
from storefleet.erp.types import LineQuery, OrderLineRequest, OrderRequest, ReasonCode
from storefleet.errors import ApplicationError
from storefleet.money import Quantity
from storefleet.ordering.cart import cart_check, cart_line_set_quantity
from storefleet.ordering.checkout import CartNotOrderable, PricesMoved, SeenPrice, seen_prices_read
from storefleet.ordering.models import CartLine, Order, OrderStatus
from storefleet.ordering.selectors import order_submission
from storefleet.ordering.submission import outbox_process
from storefleet.outbox.models import Message
from tests.erp_support import ErpError

from .conftest import HOST
from .test_services import checkout, fill

pytestmark = pytest.mark.django_db


def erp_template(shop, sku: str) -> dict:
    [row] = shop.server.client().search_read(
        "product.product",
        [["code", "=", sku]],
        ["template", "template.list_price", "default_uom"],
        active_test=False,
    )
    return row


def withdraw(shop, sku: str) -> None:
    """Deactivate the product, past Tryton's warning that it still has stock (as its staff
    would, pressing "yes")."""
    erp, row = shop.server.client(), erp_template(shop, sku)
    try:
        erp.model("product.product", "write", [row["id"]], {"active": False})
    except ErpError as warning:
        assert warning.kind == "UserWarning", warning
        erp.model("res.user.warning", "skip", warning.error_args[0], False)
        erp.model("product.product", "write", [row["id"]], {"active": False})


def make_unsalable(shop, sku: str) -> None:
    row = erp_template(shop, sku)
    shop.server.client().model("product.template", "write", [row["template"]], {"salable": False})


def raise_list_price(shop, sku: str, factor: str = "1.5") -> None:
    row = erp_template(shop, sku)
    price = (Decimal(str(row["template."]["list_price"])) * Decimal(factor)).quantize(
        Decimal("0.0001")
    )
    shop.server.client().model(
        "product.template", "write", [row["template"]], {"list_price": price}
    )


def erp_price(shop, code: str, sku: str, quantity: int) -> Decimal:
    [quote] = shop.gateway.current_prices(
        customer=code, lines=[LineQuery(sku, Decimal(quantity))], currency="EUR"
    )
    assert quote.unit_price is not None
    return quote.unit_price.amount


# ------------------------------------------------------------------ withdrawn, unsalable
def test_the_master_data_memo_never_outlives_a_cached_price(settings):
    settings.ERP_MASTER_DATA_TTL_SECONDS = 300
    settings.ERP_PRICE_TTL_SECONDS = 120
    assert from_settings().lookups._memo.ttl == 120
    settings.ERP_MASTER_DATA_TTL_SECONDS = 30
    assert from_settings().lookups._memo.ttl == 30


def test_a_product_withdrawn_in_the_erp_is_flagged_at_once_and_cannot_be_checked_out(client, shop):
    fill(shop, "C-1004", "FAS-1003 10\nBRG-1002 4\nBRG-1003 1")
    membership = shop.membership("C-1004")
    before = cart_check(principal=Principal.for_member(store=shop.store, membership=membership))
    assert before.ok  # and the backend's memo now holds all three as sold
    withdraw(shop, "BRG-1002")
    make_unsalable(shop, "BRG-1003")

    after = cart_check(principal=Principal.for_member(store=shop.store, membership=membership))
    by_sku = {line.product.sku: line for line in after.lines}
    assert by_sku["FAS-1003"].ok and by_sku["FAS-1003"].unit_price is not None
    for sku in ("BRG-1002", "BRG-1003"):
        assert by_sku[sku].reasons == (ReasonCode.NOT_SALABLE,)
        assert by_sku[sku].unit_price is None and not by_sku[sku].ok
        assert by_sku[sku].messages == (
            "This product can't be ordered any more: remove it from the cart.",
        )
    assert not after.ok and after.total is None
    with pytest.raises(CartNotOrderable):
        checkout(shop, "C-1004")
    assert Order.objects.count() == 0 and CartLine.objects.count() == 3

    client.force_login(shop.buyers["C-1004"])
    body = client.get("/cart/", HTTP_HOST=HOST).content.decode()
    assert body.count("✓ Can be ordered") == 1  # FAS-1003 only
    assert body.count("can&#x27;t be ordered any more") == 2
    assert 'href="/checkout/"' not in body and "Fix the lines marked above" in body
    page = client.get("/catalog/BRG-1002/", HTTP_HOST=HOST).content.decode()
    assert "Not available to order" in page and "Add to cart" not in page
    page = client.get("/catalog/FAS-1003/", HTTP_HOST=HOST).content.decode()
    assert "Not available to order" not in page and "Add to cart" in page


def taken_up_later(order: Order) -> None:
    """The worker takes the order up a minute after its placement read the ERP's prices (a
    backlog, an outage): past ORDERING_PRICES_CURRENT_SECONDS, the ERP is asked again."""
    Order.objects.filter(id=order.id).update(
        prices_read_at=timezone.now() - datetime.timedelta(minutes=1)
    )


def test_an_order_whose_product_was_withdrawn_since_is_refused_at_submission(shop):
    fill(shop, "C-1004", "ELE-1004 10")
    order = checkout(shop, "C-1004", token="withdrawn-later")
    withdraw(shop, "ELE-1004")  # the worker's memo still holds it as sold
    taken_up_later(order)
    refused = outbox_process(message_id=order_submission(order_id=order.id).id)
    assert refused is not None and refused.status == OrderStatus.REFUSED
    assert refused.refusal_reasons == "not_salable"
    assert "ELE-1004 is no longer sold to you" in refused.refusal_message
    assert shop.erp_sales(order.number) == []


# ------------------------------------------------------------------ sales unit vs stock unit
def test_a_product_sold_in_boxes_and_stocked_in_units_is_checked_in_boxes(shop):
    erp = shop.server.client()
    seeded = {p["sku"]: p for p in shop.server.manifest["products"]}
    (warehouse,) = erp.search_read("stock.location", [["code", "=", "WH-EU"]], ["id"])
    candidates = [
        sku
        for sku, p in seeded.items()
        if sku.startswith("BRG")
        and p["unit"] == "Unit"
        and not p["min_qty"]
        and not p["multiple"]
        and sku not in ("BRG-1002", "BRG-1003", "BRG-1004")
    ]
    rows = erp.model(
        "product.product",
        "read",
        [erp_template(shop, sku)["id"] for sku in candidates],
        ["code", "forecast_quantity", "template", "default_uom"],
        locations=[warehouse["id"]],
    )
    # Stock of 30 units or more that is not a whole number of boxes.
    row = next(r for r in rows if r["forecast_quantity"] >= 30 and r["forecast_quantity"] % 10)
    sku, units = row["code"], Decimal(str(row["forecast_quantity"]))
    (unit,) = erp.model("product.uom", "read", [row["default_uom"]], ["category"])
    (box,) = erp.model(
        "product.uom",
        "create",
        [
            {
                "name": "Box of 10",
                "symbol": "bx",
                "category": unit["category"],
                "factor": 10.0,
                "rate": 0.1,
                "rounding": 1.0,
                "digits": 0,
            }
        ],
    )
    # The backend's memo holds the product as sold in units (a read of its stock) ...
    shop.gateway.availability(
        store=shop.store.slug,
        customer="C-1004",
        warehouse="WH-EU",
        lines=[LineQuery(sku, Decimal(1))],
    )
    # ... when the ERP starts selling it in boxes.
    erp.model("product.template", "write", [row["template"]], {"sale_uom": box})
    erp_sync(name="products", full=True)  # the catalog mirrors the sales unit

    boxes = (units / 10).to_integral_value(rounding=ROUND_FLOOR)  # 335 units: 33 boxes
    fill(shop, "C-1004", f"{sku} {boxes + 3}")
    membership = shop.membership("C-1004")
    (line,) = cart_check(
        principal=Principal.for_member(store=shop.store, membership=membership)
    ).lines
    assert line.reasons == (ReasonCode.INSUFFICIENT_STOCK,)
    assert line.available_quantity == boxes and line.suggested_quantity == boxes
    assert line.messages == (f"Only {boxes} Box of 10 in stock now.",)
    [stock] = shop.gateway.availability(
        store=shop.store.slug,
        customer="C-1004",
        warehouse="WH-EU",
        lines=[LineQuery(sku, boxes)],
    )
    assert stock.available_now == Quantity(boxes, "Box of 10") and stock.enough_now

    # The ERP agrees: one box more than the stock holds is refused by Tryton itself at quote
    # (a prechecked submission goes straight to create, quote and confirm).
    address = membership.company.addresses.filter(is_ship_to=True, active=True).first()
    price = erp_price(shop, "C-1004", sku, int(boxes) + 1)
    one_more = OrderRequest(
        customer="C-1004",
        warehouse="WH-EU",
        ship_to_address_id=address.erp_id,
        lines=(OrderLineRequest(sku, boxes + 1, price),),
        idempotency_key="one-box-more",
        currency="EUR",
        prechecked=True,
        first_submission=True,
    )
    with pytest.raises(ErpRejected) as refused:
        shop.gateway.submit_order(order=one_more)
    assert ReasonCode.INSUFFICIENT_STOCK in refused.value.reasons
    assert shop.erp_sales("one-box-more") == []

    cart_line_set_quantity(
        principal=Principal.for_member(store=shop.store, membership=membership),
        line_id=line.wanted.line_id,
        quantity=boxes,
    )
    (line,) = cart_check(
        principal=Principal.for_member(store=shop.store, membership=membership)
    ).lines
    assert line.ok and line.unit_price is not None
    order = checkout(shop, "C-1004", token="boxes")
    confirmed = outbox_process(message_id=order_submission(order_id=order.id).id)
    assert confirmed is not None and confirmed.status == OrderStatus.CONFIRMED
    [sale_line] = erp.search_read(
        "sale.line", [["sale.description", "=", f"storefleet:{order.number}"]], ["quantity", "unit"]
    )
    assert (Decimal(str(sale_line["quantity"])), sale_line["unit"]) == (boxes, box)


# ------------------------------------------------------------------ prices that move
def checkout_form(c):
    response = c.get("/checkout/", HTTP_HOST=HOST)
    form = response.context["form"]
    return {
        "submit_token": form.initial["submit_token"],
        "ship_to": form.fields["ship_to"].queryset.first().id,
        "po_number": "PO-MOVED",
        "seen_prices": response.context["seen_prices"],
    }


def test_a_price_moved_since_the_checkout_page_is_shown_to_accept_before_anything_is_placed(
    client, shop
):
    client.force_login(shop.buyers["C-1001"])
    fill(shop, "C-1001", "ELE-1005 3\nFAS-1003 10")
    old = erp_price(shop, "C-1001", "ELE-1005", 3)
    data = checkout_form(client)
    raise_list_price(shop, "ELE-1005")
    new = erp_price(shop, "C-1001", "ELE-1005", 3)
    assert new > old

    response = client.post("/checkout/", data, HTTP_HOST=HOST)
    assert response.status_code == 200  # shown again: nothing placed
    body = response.content.decode()
    assert "Prices changed since you opened the checkout" in body
    assert 'data-moved="ELE-1005"' in body and 'data-moved="FAS-1003"' not in body
    assert body.count('class="cart-line--moved"') == 1
    assert "Accept new prices and place order" in body
    assert Order.objects.count() == 0 and CartLine.objects.count() == 2

    # The same form sent again, with its old prices, is still refused; the page's new ones go.
    again = client.post("/checkout/", data, HTTP_HOST=HOST)
    assert again.status_code == 200 and Order.objects.count() == 0
    accepted = dict(data, seen_prices=response.context["seen_prices"], accept_prices="1")
    placed = client.post("/checkout/", accepted, HTTP_HOST=HOST)
    order = Order.objects.get()
    assert placed["Location"] == f"/orders/{order.number}/"
    assert order.lines.get(sku="ELE-1005").unit_price == new

    confirmed = outbox_process(message_id=order_submission(order_id=order.id).id)
    assert confirmed is not None and confirmed.status == OrderStatus.CONFIRMED
    [sale_line] = shop.server.client().search_read(
        "sale.line",
        [
            ["sale.description", "=", f"storefleet:{order.number}"],
            ["product.code", "=", "ELE-1005"],
        ],
        ["unit_price"],
    )
    assert sale_line["unit_price"] == new


def test_seen_prices_are_signed_for_one_buyer_and_a_tampered_form_places_nothing(client, shop):
    client.force_login(shop.buyers["C-1004"])
    fill(shop, "C-1004", "FAS-1003 10")
    data = checkout_form(client)
    for forged in (data["seen_prices"] + "x", "e30:1:bad", "\x00"):
        response = client.post("/checkout/", dict(data, seen_prices=forged), HTTP_HOST=HOST)
        body = response.content.decode()
        assert response.status_code == 200
        assert "did not place the order" in body or "checkout form has expired" in body
    with pytest.raises(ApplicationError, match="expired"):
        seen_prices_read(principal=shop.principal("C-1001"), token=data["seen_prices"])
    assert Order.objects.count() == 0 and CartLine.objects.count() == 1
    # The page's own prices, unchanged at the ERP, place the order.
    placed = client.post("/checkout/", data, HTTP_HOST=HOST)
    assert placed.status_code == 302 and Order.objects.count() == 1


def test_the_service_compares_with_the_prices_seen_and_writes_nothing_when_they_moved(shop):
    fill(shop, "C-1004", "ELE-1014 2")
    membership = shop.membership("C-1004")
    (line,) = cart_check(
        principal=Principal.for_member(store=shop.store, membership=membership)
    ).lines
    assert line.unit_price is not None
    seen = {line.wanted.line_id: SeenPrice("ELE-1014", Decimal(2), Decimal("0.01"))}
    with pytest.raises(PricesMoved) as moved:
        checkout(shop, "C-1004", token="seen-1", seen_prices=seen)
    assert moved.value.moved == {line.wanted.line_id: Decimal("0.01")}
    assert moved.value.check.lines[0].unit_price == line.unit_price
    assert Order.objects.count() == 0 and Message.objects.count() == 0
    # A caller with no page in front of it (no prices seen) is held to the kept verdict's.
    order = checkout(shop, "C-1004", token="seen-2")
    assert order.lines.get().unit_price == line.unit_price.amount


def test_a_price_moved_the_moment_after_placing_is_not_the_orders(shop):
    """Submitted within seconds of the ERP's price read at its placement, the order goes in at
    the price the buyer accepted then, the ERP's price at the time of ordering (not asked a
    third time): a list price raised a moment later is for the next order."""
    fill(shop, "C-1004", "ELE-1002 2")
    order = checkout(shop, "C-1004", token="moved-after")
    accepted = order.lines.get().unit_price
    raise_list_price(shop, "ELE-1002", "2")
    assert erp_price(shop, "C-1004", "ELE-1002", 2) != accepted
    confirmed = outbox_process(message_id=order_submission(order_id=order.id).id)
    assert confirmed is not None and confirmed.status == OrderStatus.CONFIRMED
    [sale] = shop.erp_sales(order.number)
    [sale_line] = shop.server.client().search_read(
        "sale.line", [["sale", "=", sale["id"]]], ["unit_price"]
    )
    assert Decimal(str(sale_line["unit_price"])) == accepted


def test_a_price_moved_between_placing_and_submission_refuses_the_order_and_tells_the_buyer(
    shop,
):
    fill(shop, "C-1004", "ELE-1002 2")
    order = checkout(shop, "C-1004", token="moved-later")
    accepted = order.lines.get().unit_price
    raise_list_price(shop, "ELE-1002", "2")
    new = erp_price(shop, "C-1004", "ELE-1002", 2)
    taken_up_later(order)
    refused = outbox_process(message_id=order_submission(order_id=order.id).id)
    assert refused is not None and refused.status == OrderStatus.REFUSED
    assert refused.refusal_reasons == "price_changed"
    assert refused.lines.get().refusal_reasons == "price_changed"
    assert f"ELE-1002 now costs {new.normalize():f} EUR" in refused.refusal_message
    assert f"you accepted {accepted.normalize():f}" in refused.refusal_message
    assert shop.erp_sales(order.number) == []
    [to_buyer] = [m for m in mail.outbox if m.to == [shop.buyers["C-1004"].email]]
    assert "ELE-1002 now costs" in to_buyer.body
