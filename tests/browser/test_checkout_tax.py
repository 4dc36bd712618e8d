"""A buyer of a German store checks out in Chromium: the page is in German, amounts in German
notation, and the ERP's tax and the total to be invoiced are there before "Place order"."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_german_buyer_sees_the_erps_tax_at_checkout(
    live_server, page: Page, artifacts, settings, fresh_erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    Store.objects.filter(pk=ferrum.store.pk).update(default_language="de")
    store_host_map_invalidate()
    buyer = shop.buyers["C-1004"]
    buyer.set_password("storefleet-demo")
    buyer.save()
    store = f"http://ferrum.localhost:{urlsplit(live_server.url).port}"

    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")

    page.goto(f"{store}/quick-order/")
    page.fill("#id_lines", "BRG-1002 3\nFAS-1002 1250")
    page.click("form.quick-order-form button[type=submit]")
    expect(page).to_have_url(f"{store}/cart/")
    expect(page.locator("h1")).to_have_text("Ihr Warenkorb")
    page.click(".cart-actions a.button--primary")

    expect(page.locator("h1")).to_have_text("Zur Kasse")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    tax = page.locator('[data-total="tax"]')
    gross = page.locator('[data-total="gross"]')
    expect(tax).to_have_text(re.compile(r"^\d{1,3}(\.\d{3})*,\d{2}\u00a0€$"))
    expect(gross).to_contain_text("€")
    expect(page.locator(".checkout-totals")).to_contain_text("Steuer")
    expect(page.locator(".checkout-totals")).to_contain_text("Rechnungsbetrag")
    expect(page.locator("button[type=submit]", has_text="Bestellung aufgeben")).to_be_visible()
    # What the page shows is what the ERP computes for these lines.
    texts = [page.locator(f'[data-total="{k}"]').inner_text() for k in ("net", "tax", "gross")]

    def amount(text: str) -> float:
        return float(text.replace("€", "").replace("\xa0", "").replace(".", "").replace(",", "."))

    net, vat, total = (amount(t) for t in texts)
    assert vat > 0 and round(net + vat, 2) == total
    assert round(net * 0.19, 2) == vat  # the seeded VAT 19%
    page.screenshot(path=str(artifacts / "checkout-tax-de.png"), full_page=True)
