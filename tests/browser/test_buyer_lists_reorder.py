"""A buyer saves a list from a product page, orders it from the list, places the order (a real
Celery worker carries it into the real ERP), orders it again from the order page, and
downloads the order confirmation PDF — on the live server's own (non-default) port."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlsplit

import pypdf
import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from storefleet.celery import app
from storefleet.lists.models import SavedList
from storefleet.ordering.models import CartLine, Order, OrderStatus
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_saves_a_list_orders_it_reorders_and_downloads_the_pdf(
    live_server, page: Page, artifacts, settings, fresh_erp_server
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

    # Save two products to a new list from their product pages.
    page.goto(f"{store}/catalog/FAS-1003/")
    page.click(".add-to-list summary")
    page.fill("#list-quantity-FAS-1003", "20")
    page.fill("#list-name-FAS-1003", "Workshop restock")
    page.screenshot(path=str(artifacts / "product-add-to-list.png"), full_page=True)
    page.click(".add-to-list button[type=submit]")
    expect(page).to_have_url(f"{store}/catalog/FAS-1003/")
    saved = SavedList.objects.get()
    page.goto(f"{store}/catalog/BRG-1002/")
    page.click(".add-to-list summary")
    page.select_option("#list-choice-BRG-1002", str(saved.id))
    page.fill("#list-quantity-BRG-1002", "3")
    page.click(".add-to-list button[type=submit]")
    # What was added is said where it happened: on the product page the buyer is back on.
    expect(page).to_have_url(f"{store}/catalog/BRG-1002/")
    expect(page.locator(".messages")).to_contain_text(
        "Added 3 Unit of BRG-1002 to your list “Workshop restock”."
    )
    page.goto(f"{store}/lists/")
    page.click("table.saved-lists a")
    expect(page.locator("tr.list-line")).to_have_count(2)
    page.screenshot(path=str(artifacts / "list-detail.png"), full_page=True)

    # Order the list: its lines land in the cart with the ERP's verdict.
    page.click("text=Order the whole list")
    expect(page).to_have_url(f"{store}/cart/")
    expect(page.locator(".messages")).to_contain_text("2 lines of the list added to your cart.")
    expect(page.locator("tr.cart-line--ok")).to_have_count(2)
    page.click("text=Check out")
    page.fill("#id_po_number", "PO-LIST-1")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click("text=Place order")
        expect(page.locator("h1")).to_have_text("Order confirmed", timeout=60_000)
    order = Order.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    assert sorted(order.lines.values_list("sku", flat=True)) == ["BRG-1002", "FAS-1003"]
    assert CartLine.objects.count() == 0

    # The confirmation PDF, fetched in the buyer's session, holds the order's number.
    href = page.locator("a.order-pdf").get_attribute("href")
    assert href == f"/orders/{order.number}/confirmation.pdf"
    # Fetched by the page itself (Playwright's own client can't resolve *.localhost).
    fetched = page.evaluate(
        """async (href) => {
            const response = await fetch(href);
            const bytes = new Uint8Array(await response.arrayBuffer());
            let binary = "";
            bytes.forEach((b) => { binary += String.fromCharCode(b); });
            return {status: response.status, type: response.headers.get("content-type"),
                    body: btoa(binary)};
        }""",
        href,
    )
    assert (fetched["status"], fetched["type"]) == (200, "application/pdf")
    body = base64.b64decode(fetched["body"])
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages)
    assert f"Order {order.number}" in text and order.sales.get().erp_number in text
    (artifacts / "order-confirmation.pdf").write_bytes(body)

    # Order it again: into the cart at today's prices, nothing changed since.
    page.click("text=Order these again")
    expect(page).to_have_url(f"{store}/cart/")
    expect(page.locator(".messages")).to_contain_text(
        f"Order {order.number}: 2 lines added to your cart."
    )
    expect(page.locator(".messages")).to_contain_text("Nothing changed since")
    expect(page.locator("tr.cart-line")).to_have_count(2)
    page.screenshot(path=str(artifacts / "cart-after-reorder.png"), full_page=True)
    assert Order.objects.count() == 1
