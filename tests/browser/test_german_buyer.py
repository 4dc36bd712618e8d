"""A buyer of a German store walks their pages in Chromium: sign-in, the dashboard with credit
and open invoices from the ERP, the one navigation row (Catalog once), orders with the stage
their page shows, invoices, lists and quick order — in German, with no English of ours."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from storefleet.erp.sync import erp_sync
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop
from tests.tenants.test_storefront_languages import ENGLISH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_german_buyer_walks_their_pages_in_german(
    live_server, page: Page, artifacts, settings, fresh_erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    erp_sync(name="sales", full=True)
    Store.objects.filter(pk=ferrum.store.pk).update(default_language="de")
    store_host_map_invalidate()
    buyer = shop.buyers["C-1004"]
    buyer.set_password("storefleet-demo")
    buyer.save()
    store = f"http://ferrum.localhost:{urlsplit(live_server.url).port}"

    page.goto(f"{store}/account/sign-in/")
    expect(page.locator("h1")).to_have_text("Bei Ferrum Industrial Components anmelden")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("main button[type=submit]")

    page.goto(f"{store}/account/")
    expect(page.locator("h1")).to_have_text("Willkommen")
    row = page.locator("nav.buyer-nav")
    expect(row.locator("a, button")).to_have_text(
        [
            "Katalog",
            "Schnellbestellung",
            "Listen",
            "Bestellungen",
            "Rechnungen",
            "Konto",
            "Warenkorb",
            "Abmelden",
        ]
    )
    expect(page.locator("#site-nav")).not_to_contain_text("Katalog")
    expect(page.locator(".credit-available")).to_contain_text("€")
    expect(page.locator("#invoices-credit")).to_have_text("Rechnungen und Kredit")
    page.screenshot(path=str(artifacts / "german-dashboard.png"), full_page=True)

    pages = {
        "/account/": "Ihr Konto",
        "/orders/": "Bestellungen",
        "/account/invoices/": "Rechnungen und Kredit",
        "/lists/": "Gespeicherte Listen",
        "/quick-order/": "Schnellbestellung",
        "/cart/": "Ihr Warenkorb",
    }
    english = {}
    for path, title in pages.items():
        page.goto(f"{store}{path}")
        expect(page).to_have_title(re.compile(f"^{title} · "))
        if words := sorted(set(ENGLISH.findall(page.locator("main").inner_text()))):
            english[path] = words
    assert english == {}

    # The order list says where each order stands as the order's page does.
    page.goto(f"{store}/orders/")
    first = page.locator("tr[data-order]").first
    number, stage = first.get_attribute("data-order"), first.get_attribute("data-stage")
    label = first.locator("td").last.inner_text()
    page.screenshot(path=str(artifacts / "german-orders.png"), full_page=True)
    first.locator("a").first.click()
    expect(page.locator(".order-stage")).to_have_attribute("data-stage", stage or "")
    assert number and label and not ENGLISH.search(label)
    page.screenshot(path=str(artifacts / "german-order.png"), full_page=True)
