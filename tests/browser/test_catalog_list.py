"""A buyer narrows the catalog down in Chromium: a category, then a unit, sorts by their own
price, switches to the list view and adds a product from its row to the cart — back on the same
filtered, sorted list, with the cart holding it — then removes a filter, then all of them."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from storefleet.catalog.listing import _offer_key
from storefleet.catalog.models import Category, Product
from storefleet.catalog.offers import product_offers
from storefleet.ordering.models import CartLine
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_buyer_filters_sorts_switches_to_the_list_and_adds_to_the_cart(
    live_server, page: Page, tmp_path, settings, erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, erp_server, ferrum)
    buyer = shop.buyers["C-1001"]
    buyer.set_password("storefleet-demo")
    buyer.save()
    store = f"http://ferrum.localhost:{urlsplit(live_server.url).port}"
    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")

    page.goto(f"{store}/catalog/")
    electrical = Category.objects.get(name="Electrical")
    sold = Product.objects.filter(category=electrical, active=True, salable=True)
    categories = page.locator("[data-facet=category]")
    expect(categories.locator("a", has_text="Electrical")).to_contain_text(str(sold.count()))
    page.screenshot(path=str(tmp_path / "catalog-grid.png"), full_page=True)

    # A category, then a unit: the URL says both, the chips too.
    categories.locator("a", has_text="Electrical").click()
    expect(page.locator("#catalog-count")).to_contain_text("in Electrical")
    units = {
        name: int(count)
        for name, count in re.findall(
            r"(\w+) (\d+)", page.locator("[data-facet=unit]").inner_text().replace("\n", " ")
        )
    }
    unit = max(units, key=lambda name: units[name])
    page.locator("[data-facet=unit] a", has_text=unit).click()
    expect(page.locator("#catalog-count")).to_contain_text(f"{units[unit]} product")
    assert _query(page) == {"category": [str(electrical.pk)], "unit": [unit]}
    expect(page.locator(".filter-chip")).to_have_count(3)  # two filters and "Clear all"

    # Sort by the company's price: the select sends itself.
    page.select_option("#catalog-sort", "price")
    page.wait_for_url(re.compile(r"sort=price"))
    assert _query(page)["unit"] == [unit]
    # Then the list view: the same products, in the same order, as rows.
    page.click("[data-view=list]")
    page.wait_for_url(re.compile(r"view=list"))
    rows = page.locator("table.product-table tbody tr")
    expect(rows.first).to_be_visible()
    shown = rows.evaluate_all("rows => rows.map(r => r.dataset.sku)")
    products = list(sold.filter(unit=unit).order_by("sku"))
    offers = product_offers(store=shop.store, customer="C-1001", products=products)
    ranked = sorted(zip(products, offers, strict=True), key=_offer_key("price"))
    assert shown == [product.sku for product, _offer in ranked][: len(shown)]
    first = rows.first
    expect(first.locator(".product-card__price")).to_contain_text("your price")
    expect(first.locator("img")).to_have_attribute("loading", "lazy")
    page.screenshot(path=str(tmp_path / "catalog-list-sorted.png"), full_page=True)

    # Add the cheapest from its row: back on this very list, the cart holds it.
    listed = page.url
    sku = shown[0]
    quantity = first.locator("input[name=quantity]").input_value()
    first.locator("button", has_text="Add to cart").click()
    expect(page.locator(".messages")).to_contain_text(f"of {sku} to your cart")
    assert page.url == listed
    line = CartLine.objects.get(cart__user=buyer, product__sku=sku)
    assert line.quantity == Decimal(quantity)
    page.screenshot(path=str(tmp_path / "catalog-list-added.png"), full_page=True)

    # Remove the category, keep the unit, the sort and the view; then clear them all.
    page.locator(".filter-chip", has_text="Category: Electrical").click()
    expect(page.locator(".filter-chip")).to_have_count(2)
    query = _query(page)
    assert query == {"unit": [unit], "sort": ["price"], "view": ["list"]}
    page.locator(".filter-chip", has_text="Clear all filters").click()
    expect(page.locator(".filter-chip")).to_have_count(0)
    assert _query(page) == {"sort": ["price"], "view": ["list"]}
    expect(page.locator("table.product-table")).to_be_visible()
    page.screenshot(path=str(tmp_path / "catalog-list-cleared.png"), full_page=True)
