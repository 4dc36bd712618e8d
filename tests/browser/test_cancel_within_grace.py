"""Cancelling within the ERP's grace period, in Chromium on the live server's (non-default) port,
against a reference ERP that keeps a confirmed sale cancellable for half an hour: a buyer places
an order, sees until when it can be cancelled, and cancels it; then a service agent cancels
another order of the company from the console's order page. Both cancels reach the ERP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from storefleet.celery import app
from storefleet.ordering.models import Order, OrderCancellation, OrderStatus
from storefleet.ordering.selectors import order_submission
from storefleet.ordering.submission import outbox_process
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop
from tests.ordering.test_services import checkout, fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def half_hour_erp(start_erp_server):
    server = start_erp_server(process_sales_after=1800)
    yield server
    server.stop()


def erp_state(shop, number: str) -> str:
    (row,) = shop.server.client().search_read("sale.sale", [["number", "=", number]], ["state"])
    return row["state"]


def test_buyer_cancels_within_the_grace_period_and_an_agent_from_the_console(
    live_server, page: Page, artifacts, settings, half_hour_erp
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, half_hour_erp, ferrum)
    port = urlsplit(live_server.url).port
    assert port not in (80, 443, 8000)
    store = f"http://ferrum.localhost:{port}"
    buyer = shop.buyers["C-1004"]
    buyer.set_password("storefleet-demo")
    buyer.save()

    # ---- the buyer
    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")
    page.goto(f"{store}/quick-order/")
    page.fill("#id_lines", "FAS-1003 10")
    page.click("form.quick-order-form button[type=submit]")
    expect(page).to_have_url(f"{store}/cart/")
    page.click("text=Check out")
    page.fill("#id_po_number", "PO-GRACE-1")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click("text=Place order")
        expect(page.locator("h1")).to_have_text("Order confirmed", timeout=60_000)
    order = Order.objects.get(po_number="PO-GRACE-1")
    sale = order.sales.get()
    assert erp_state(shop, sale.erp_number) == "confirmed"
    stage = page.locator(".order-stage")
    expect(stage).to_have_attribute("data-stage", "confirmed")
    expect(stage).to_contain_text("You can still cancel it until our ERP starts processing it (")
    expect(page.locator(".order-actions__return")).to_have_count(0)
    page.screenshot(path=str(artifacts / "cancel-grace-order.png"), full_page=True)

    page.click(".order-actions__cancel")
    expect(page.locator("h1")).to_have_text(f"Cancel order {order.number}")
    page.screenshot(path=str(artifacts / "cancel-grace-confirm.png"), full_page=True)
    page.click(f"text=Cancel order {order.number} >> nth=-1")
    expect(page.locator(".cancel-done")).to_contain_text(f"Order {order.number} was cancelled")
    assert erp_state(shop, sale.erp_number) == "cancelled"
    page.goto(f"{store}/orders/{order.number}/")
    expect(page.locator(".order-stage")).to_have_attribute("data-stage", "cancelled")
    expect(page.locator(".order-actions__cancel")).to_have_count(0)
    page.screenshot(path=str(artifacts / "cancel-grace-cancelled.png"), full_page=True)

    # ---- the agent, for another order of the company
    fill(shop, "C-1004", "FAS-1003 20")
    second = checkout(shop, "C-1004", token="grace-agent", po_number="PO-GRACE-2")
    outbox_process(message_id=order_submission(order_id=second.id).id)
    second.refresh_from_db()
    assert second.status == OrderStatus.CONFIRMED
    second_sale = second.sales.get().erp_number
    agent = get_user_model().objects.create_user(
        "service.agent", "service.agent@storefleet.example", "storefleet-demo"
    )
    service_agent_add(store=Store.objects.get(pk=shop.store.id), user=agent)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "service.agent")
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")
    page.get_by_role("link", name="Customer service").click()
    page.fill("#id_q", "C-1004")
    page.click("text=Find")
    page.locator("table.service-results tbody tr").get_by_role("link").click()
    # Confirmed a moment ago, not mirrored by the sales sync yet: listed as the web order.
    page.locator(f'tr[data-number="{second.number}"]').get_by_role(
        "link", name=second.number
    ).click()
    order_page = page.locator(".service-order__stage")
    expect(order_page).to_have_attribute("data-stage", "confirmed")
    expect(order_page).to_contain_text("You can still cancel it")
    page.screenshot(path=str(artifacts / "cancel-console-order.png"), full_page=True)
    page.click(".service-order__cancel")
    page.click("text=Yes, do it")
    expect(page.locator(".messages")).to_contain_text(f"Order {second.number} is cancelled.")
    page.screenshot(path=str(artifacts / "cancel-console-done.png"), full_page=True)
    assert erp_state(shop, second_sale) == "cancelled"
    assert OrderCancellation.objects.get(number=second.number).cancelled_by == agent
