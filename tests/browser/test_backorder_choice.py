"""A buyer orders more than is in stock, chooses to get what is in stock now and the rest when it
arrives, and places the order; a real Celery worker carries it into the real ERP, whose sale
holds the full quantity and the buyer's choice — in Chromium, on the live server's
(non-default) port. BRG-1004: 6 Unit in stock at WH-EU."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from storefleet.celery import app
from storefleet.ordering.models import Cart, Order, OrderStatus
from storefleet.ordering.submission import BACKORDER_NOTE
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_ships_what_is_in_stock_now_and_the_erp_sale_says_so(
    live_server, page: Page, tmp_path, settings, fresh_erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    buyer = shop.buyers["C-1004"]
    buyer.set_password("storefleet-demo")
    buyer.save()
    port = urlsplit(live_server.url).port
    assert port not in (80, 443, 8000)
    store = f"http://ferrum.localhost:{port}"

    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")

    page.goto(f"{store}/quick-order/")
    page.fill("#id_lines", "BRG-1004 10\nFAS-1003 10")
    page.click("form.quick-order-form button[type=submit]")
    expect(page).to_have_url(f"{store}/cart/")
    short = page.locator('tr.cart-line[data-sku="BRG-1004"]')
    expect(short).to_contain_text("Only 6 Unit in stock now.")
    expect(page.locator("a[href='/checkout/']")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "cart-short-of-stock.png"), full_page=True)

    page.click("text=Ship what is in stock now, the rest when it arrives")
    expect(page).to_have_url(f"{store}/cart/")
    expect(page.locator(".messages")).to_contain_text(
        "We'll ship what is in stock now and the rest when it arrives."
    )
    expect(short).to_contain_text("Ships in two parts: 6 Unit now, the rest")
    expect(page.locator(".backorder-choice")).to_contain_text("Order only what is in stock instead")
    page.screenshot(path=str(tmp_path / "cart-backorder-chosen.png"), full_page=True)

    page.click("a[href='/checkout/']")
    expect(page.locator('[data-backorder="BRG-1004"]')).to_contain_text("Ships in two parts")
    expect(page.locator("[data-backorder]")).to_have_count(1)
    page.fill("#id_po_number", "PO-BACKORDER-1")
    page.screenshot(path=str(tmp_path / "checkout-backorder.png"), full_page=True)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click("text=Place order")
        expect(page.locator("h1")).to_have_text("Order confirmed", timeout=60_000)
    page.screenshot(path=str(tmp_path / "order-confirmed-backorder.png"), full_page=True)

    order = Order.objects.get()
    assert (order.status, order.backorder_accepted) == (OrderStatus.CONFIRMED, True)
    assert not Cart.objects.get(user=buyer).backorder_accepted  # the choice was for this order
    sale = order.sales.get()
    expect(page.locator(".erp-reference")).to_have_text(sale.erp_number)

    # The ERP's sale: the full quantities, confirmed despite the shortage, with the choice on it.
    client = shop.server.client()
    (erp,) = client.search_read(
        "sale.sale",
        [["description", "=", f"storefleet:{order.number}"]],
        ["number", "state", "comment", "reference", "lines"],
    )
    assert (erp["number"], erp["reference"]) == (sale.erp_number, "PO-BACKORDER-1")
    assert erp["state"] == "processing"
    assert BACKORDER_NOTE in erp["comment"]
    lines = client.model("sale.line", "read", erp["lines"], ["quantity", "product.code"])
    assert {line["product."]["code"]: Decimal(str(line["quantity"])) for line in lines} == {
        "BRG-1004": Decimal(10),
        "FAS-1003": Decimal(10),
    }
