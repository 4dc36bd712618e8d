"""A buyer of a demo company signs in, sees the contract price, quick-orders three SKUs with
one quantity the ERP won't take, accepts the suggested fix, checks out, and sees the ERP's
reference once a real Celery worker has carried the order into the real ERP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from storefleet.celery import app
from storefleet.ordering.models import Order, OrderStatus
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_quick_orders_fixes_a_line_and_sees_the_erp_reference(
    live_server, page: Page, artifacts, settings, fresh_erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    buyer = shop.buyers["C-1004"]
    buyer.set_password("storefleet-demo")
    # A long address, as real ones are: the order page's "Placed by" card must wrap it.
    buyer.email = "procurement.department.purchasing@c-1004.example"
    buyer.save()
    store = f"http://ferrum.localhost:{urlsplit(live_server.url).port}"

    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")

    # The contract price (Contract A: 7.677 € for BRG-1002, shown per 100), not the list price.
    page.goto(f"{store}/catalog/BRG-1002/")
    expect(page.locator(".product-buy .product-card__price").first).to_contain_text(
        "€767.70 / 100 "
    )
    expect(page.locator(".product-buy")).to_contain_text("your price")

    page.goto(f"{store}/quick-order/")
    page.fill("#id_lines", "FAS-1003 10\nBRG-1002 4\nFAS-1002 75")
    page.click("form.quick-order-form button[type=submit]")
    expect(page).to_have_url(f"{store}/cart/")
    blocked = page.locator('tr[data-sku="FAS-1002"]')
    expect(blocked).to_contain_text("sold in steps of 50 Unit")
    expect(page.locator(".cart-actions button[disabled]")).to_be_visible()
    page.screenshot(path=str(artifacts / "cart-with-verdict.png"), full_page=True)

    blocked.locator("button[data-fix]").click()  # "Order 100 Unit instead"
    expect(page.locator('tr[data-sku="FAS-1002"] input[name=quantity]')).to_have_value("100")
    expect(page.locator("tr.cart-line--blocked")).to_have_count(0)
    page.click("text=Check out")

    page.fill("#id_po_number", "PO-BROWSER-1")
    page.screenshot(path=str(artifacts / "checkout.png"), full_page=True)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click("text=Place order")
        expect(page.locator("h1")).to_have_text("Order confirmed", timeout=60_000)
    order = Order.objects.get()
    sale = order.sales.get()
    assert order.status == OrderStatus.CONFIRMED and sale.erp_number
    expect(page.locator(".erp-reference")).to_have_text(sale.erp_number)
    page.screenshot(path=str(artifacts / "order-confirmed.png"), full_page=True)
    expect(page.locator(".order-facts")).to_contain_text(buyer.email)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow == 0  # nothing sticks out of the page sideways
    (erp,) = shop.erp_sales(order.number)
    assert (erp["number"], erp["reference"]) == (sale.erp_number, "PO-BROWSER-1")
