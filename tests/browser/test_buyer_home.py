"""A buyer signs in by e-mail on a store served on a non-default port, lands on the dashboard,
follows every entry of the one navigation (the same row on each page), meets the store's
branded 404 on a wrong URL, signs out; then forgets the password, follows the e-mailed link
(to the store's own host and port), chooses a new one and is signed in."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTRIES = ["catalog", "quick_order", "lists", "orders", "invoices", "account", "cart"]
NEW_PASSWORD = "Copper-meadow-58"


def _expect_nav(page: Page, current: str) -> None:
    nav = page.locator("nav.buyer-nav")
    expect(nav).to_have_count(1)
    expect(nav.locator("[data-nav]")).to_have_count(len(ENTRIES) + 1)  # and sign out
    expect(nav.locator("[aria-current=page]")).to_have_attribute("data-nav", current)


def test_buyer_home_navigation_404_and_password_reset(
    live_server, page: Page, artifacts, settings, erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, erp_server, ferrum)
    buyer = shop.buyers["C-1002"]
    buyer.set_password("storefleet-demo")
    buyer.save()
    port = urlsplit(live_server.url).port
    assert port not in (80, 443)
    store = f"http://ferrum.localhost:{port}"

    page.goto(f"{store}/account/sign-in/")
    expect(page.locator("label[for=id_username]")).to_have_text("E-mail or username:")
    page.fill("#id_username", buyer.email.upper())
    page.fill("#id_password", "storefleet-demo")
    page.click("form.account-form button[type=submit]")
    expect(page).to_have_url(f"{store}/account/")
    expect(page.locator("h1")).to_have_text("Welcome")
    expect(page.locator(".dashboard__billing .credit-available")).to_be_visible()
    _expect_nav(page, "account")
    page.screenshot(path=str(artifacts / "buyer-dashboard.png"), full_page=True)

    for entry in ENTRIES:
        page.click(f"nav.buyer-nav [data-nav={entry}]")
        _expect_nav(page, entry)
        page.screenshot(path=str(artifacts / f"buyer-nav-{entry}.png"))

    response = page.goto(f"{store}/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("nav.buyer-nav")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("URLconf")
    page.screenshot(path=str(artifacts / "store-404.png"), full_page=True)
    page.click("text=Go to the home page")
    expect(page).to_have_url(f"{store}/")

    page.click("nav.buyer-nav [data-nav=sign_out]")
    expect(page.locator("nav.buyer-nav")).to_have_count(0)

    page.goto(f"{store}/account/sign-in/")
    page.click("text=Forgot password?")
    page.fill("#id_email", buyer.email)
    page.click("form.account-form button[type=submit]")
    expect(page.locator(".reset-sent")).to_be_visible()
    page.screenshot(path=str(artifacts / "password-reset-sent.png"), full_page=True)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Choose a new password for Ferrum Industrial Components"
    links = re.findall(r"http://\S+/account/password/\S+/", mail.outbox[0].body)
    assert len(links) == 1 and links[0].startswith(f"{store}/account/password/")

    page.goto(links[0])
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.screenshot(path=str(artifacts / "password-reset-new.png"), full_page=True)
    page.click("form.account-form button[type=submit]")
    expect(page).to_have_url(f"{store}/account/")
    expect(page.locator(".messages")).to_contain_text("Your new password is set")
    _expect_nav(page, "account")
    page.screenshot(path=str(artifacts / "password-reset-signed-in.png"), full_page=True)
    buyer.refresh_from_db()
    assert buyer.check_password(NEW_PASSWORD)
