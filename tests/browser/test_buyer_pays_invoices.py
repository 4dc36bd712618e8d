"""A buyer of a demo company with two open invoices signs in, sees the credit, picks both
invoices, pays on the sandbox's hosted page, and sees them paid and the credit risen once a
real Celery worker has recorded the payment in the real ERP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from storefleet.billing.models import Payment, PaymentStatus
from storefleet.celery import app
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_pays_two_open_invoices_and_sees_them_paid(
    live_server, page: Page, artifacts, settings, fresh_erp_server
):
    wagtail_roots_ensure()
    settings.BILLING_PROVIDER = "sandbox"
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    buyer = shop.buyers["C-1002"]
    buyer.set_password("storefleet-demo")
    buyer.save()
    invoices = shop.gateway.open_invoices(customer="C-1002")
    assert len(invoices) == 2
    before = shop.gateway.credit_status(customer="C-1002")
    store = f"http://ferrum.localhost:{urlsplit(live_server.url).port}"

    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")

    page.goto(f"{store}/account/invoices/")
    expect(page.locator(".credit-available")).to_have_text("€400.50")
    expect(page.locator("tr[data-invoice]")).to_have_count(2)
    for invoice in invoices:
        page.check(f"#pay-{invoice.number}")
    page.screenshot(path=str(artifacts / "invoices-picked.png"), full_page=True)
    page.click("text=Pay selected invoices")

    expect(page.locator(".sandbox-banner")).to_contain_text("TEST ONLY")
    page.screenshot(path=str(artifacts / "sandbox-payment-page.png"), full_page=True)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click("button[value=pay]")
        expect(page.locator("h1")).to_have_text("Payment received", timeout=60_000)
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.RECORDED
    page.screenshot(path=str(artifacts / "payment-recorded.png"), full_page=True)

    page.goto(f"{store}/account/invoices/")
    expect(page.locator(".no-open-invoices")).to_be_visible()
    after = shop.gateway.credit_status(customer="C-1002")
    assert after.available.amount == before.available.amount + payment.amount  # type: ignore[union-attr]
    expect(page.locator(".credit-available")).to_have_text(f"€{after.available.amount:,}")  # type: ignore[union-attr]
    assert shop.gateway.open_invoices(customer="C-1002") == []
