"""A buyer types part of a SKU on quick order, picks a suggestion with the keyboard (the list
shows their company's price from the real ERP), adds it and finds the line in the cart; then
downloads the CSV template and uploads it as it is — on the live server's non-default port."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from storefleet.ordering.models import CartLine
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

OK = re.compile(r"\bcart-line--ok\b")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_picks_a_sku_with_the_keyboard_and_uploads_the_template(
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
    blocked_scripts: list[str] = []
    page.on(
        "console",
        lambda m: blocked_scripts.append(m.text) if "Content Security Policy" in m.text else None,
    )

    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")

    page.goto(f"{store}/quick-order/")
    field = page.locator("#quick-add-sku")
    expect(field).to_have_attribute("aria-expanded", "false")
    field.press_sequentially("zz-99", delay=30)
    expect(page.locator("#quick-add-none")).to_have_text("No product of this store matches.")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#quick-add-status")).to_have_text("No product of this store matches.")
    field.fill("")
    expect(page.locator("#quick-add-none")).to_be_hidden()
    field.press_sequentially("brg-100", delay=30)
    options = page.locator("#quick-add-options [role=option]")
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_contain_text("BRG-1001")
    expect(page.locator("#quick-add-options")).to_contain_text("BRG-1002")
    expect(page.locator("#quick-add-status")).to_contain_text(f"{options.count()} products found")
    # The contract price of this buyer's company (Contract A), from the ERP.
    expect(page.locator('#quick-add-options [data-sku="BRG-1002"]')).to_contain_text(
        "€767.70 / 100 Unit"
    )
    page.screenshot(path=str(tmp_path / "quick-order-suggestions.png"), full_page=True)

    # Down twice: the second suggestion is the active descendant; Escape closes, Down reopens.
    field.press("ArrowDown")
    field.press("ArrowDown")
    second = options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", "quick-add-options-1")
    field.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#quick-add-options")).to_be_hidden()
    field.press("ArrowDown")
    expect(field).to_have_attribute("aria-expanded", "true")
    field.press("ArrowDown")
    field.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", "quick-add-options-1")
    field.press("Enter")  # picks the suggestion, does not send the form
    expect(field).to_have_value("BRG-1002")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page).to_have_url(f"{store}/quick-order/")
    assert CartLine.objects.count() == 0

    page.fill("#quick-add-quantity", "4")
    page.screenshot(path=str(tmp_path / "quick-order-picked.png"), full_page=True)
    page.locator("#quick-add-quantity").press("Enter")
    expect(page).to_have_url(f"{store}/quick-order/")
    expect(page.locator(".messages")).to_contain_text("Added 4 Unit of BRG-1002 to your cart.")

    page.goto(f"{store}/cart/")
    line = page.locator('tr.cart-line[data-sku="BRG-1002"]')
    expect(line).to_have_class(OK)
    expect(line.locator("input[name=quantity]")).to_have_value("4")
    page.screenshot(path=str(tmp_path / "cart-after-quick-add.png"), full_page=True)

    # The template, downloaded from the link next to the upload field, goes back in as it is.
    page.goto(f"{store}/quick-order/")
    with page.expect_download() as download_info:
        page.click("#csv-template a:text('CSV for Excel')")
    download = download_info.value
    assert download.suggested_filename == "quick-order-template-excel.csv"
    template = tmp_path / "quick-order-template-excel.csv"
    download.save_as(template)
    data = template.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfsku;quantity\r\n") and data.count(b"\r\n") == 3
    page.set_input_files("#id_csv", str(template))
    page.click("form.quick-order-form button[type=submit]")
    expect(page).to_have_url(f"{store}/cart/")
    expect(page.locator(".messages")).to_contain_text("2 lines added to your cart.")
    examples = [row.split(b";")[0].decode() for row in data.split(b"\r\n")[1:3]]
    for sku in examples:
        expect(page.locator(f'tr.cart-line[data-sku="{sku}"]')).to_have_class(OK)
    page.screenshot(path=str(tmp_path / "cart-after-template.png"), full_page=True)
    assert not blocked_scripts
