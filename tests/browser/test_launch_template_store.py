"""A store launched from the b2b-store template looks like the store it is, every check on.

A regional manager picks the United States in the wizard: the legal form, address and phone it
suggests follow (Inc., a US address, +1), and are what the plan and the store get. A featured
product outside the assortment is refused on its field. The launched store's home page features
its products by the ERP's names, each with a picture of its own kind or the neutral placeholder;
the Stores page says which template and version it was launched from. Real ERP, real worker.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from storefleet.catalog.models import Product
from storefleet.celery import app
from storefleet.provisioning.demo import DEMO_PASSWORD, regional_managers_group
from storefleet.provisioning.models import ProvisioningRun, RunStatus
from storefleet.tenants.models import Store
from tests.erp.conftest import point_gateway_at
from tests.factories import wagtail_roots_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FEATURED = ["HYD-1007", "PNE-1001", "PNE-1002"]


def test_a_template_store_has_its_countrys_details_and_its_own_featured_products(
    live_server, page: Page, artifacts, media_on_disk, settings, tmp_path, erp_server
):
    wagtail_roots_ensure()
    point_gateway_at(settings, erp_server)
    settings.STOREFLEET_BRANDS_DIR = tmp_path / "brands"
    settings.STOREFLEET_BRANDS_DIR.mkdir()
    manager = get_user_model().objects.create_user(
        "regional.manager", "rm@storefleet.example", DEMO_PASSWORD
    )
    manager.groups.add(regional_managers_group())
    port = urlsplit(live_server.url).port
    admin = f"http://localhost:{port}/admin/"
    shots = artifacts / "launch-template-store"
    shots.mkdir(exist_ok=True)

    page.goto(f"{admin}login/")
    page.fill("#id_username", "regional.manager")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(admin)
    page.goto(f"{admin}launch/")
    page.click('a[data-template="b2b-store"]')

    # 1. The suggested legal details follow the country as it is typed.
    expect(page.locator("#id_phone")).to_have_attribute("placeholder", "+49 711 555 0000")
    page.fill("#id_brand_name", "Lakeshore Fluid Power")
    page.fill("#id_slug", "lakeshore")
    page.fill("#id_hostname", "lakeshore.localhost")
    page.fill("#id_region", "North America")
    page.fill("#id_country", "US")
    expect(page.locator("#id_phone")).to_have_attribute("placeholder", "+1 216 555 0100")
    expect(page.locator("#id_address")).to_have_attribute(
        "placeholder", "4800 Commerce Parkway; Cleveland, OH 44128; United States"
    )
    page.select_option("#id_currency", "USD")
    page.select_option("#id_erp_warehouse", "WH-US")
    boxes = page.locator('input[name="assortment"]')
    for i in range(boxes.count()):
        boxes.nth(i).set_checked(boxes.nth(i).get_attribute("value") in ("HYD", "PNE"))

    # 2. A featured product the store would not sell is refused on its field.
    page.fill("#id_featured_skus", "HYD-1007,TOL-1001")
    page.click('button[name="plan"]')
    expect(page.locator('.error-message[data-field="featured_skus"]')).to_have_text(
        "SKU TOL-1001 is in Tools, outside the store's assortment (HYD, PNE); feature a "
        "product the store sells, or add its category to the assortment."
    )
    expect(page.locator('button[name="launch"]')).to_have_count(0)
    page.screenshot(path=str(shots / "1-featured-refused.png"), full_page=True)

    # 3. Fixed, the plan shows the country's legal details and has nothing to warn about.
    page.fill("#id_featured_skus", ",".join(FEATURED))
    page.click('button[name="plan"]')
    expect(page.locator("#plan-problems")).to_have_count(0)
    expect(page.locator("#plan-warnings")).to_have_count(0)
    expect(page.locator("#plan tr", has_text="legal details")).to_contain_text(
        "Lakeshore Fluid Power Inc.; 4800 Commerce Parkway, Cleveland, OH 44128, United States; "
        "+1 216 555 0100"
    )
    page.locator("#plan").screenshot(path=str(shots / "2-plan.png"))

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click('button[name="launch"]')
        expect(page).to_have_url(re.compile(r"/admin/launch/runs/\d+/$"))
        expect(page.locator("#run-status")).to_have_text("succeeded", timeout=120_000)
    expect(page.locator('tr[data-step="erp"] .step-status')).to_have_text("succeeded")
    run = ProvisioningRun.objects.get(slug="lakeshore")
    assert (run.status, run.check_erp) == (RunStatus.SUCCEEDED, True)

    # 4. The home page features the ERP's products by their names, each with its own picture
    # (the cylinders) or the neutral placeholder (the push-in fitting), never "Article ...".
    names = dict(Product.objects.filter(sku__in=FEATURED).values_list("sku", "name"))
    assert sorted(names) == sorted(FEATURED)
    page.goto(f"http://lakeshore.localhost:{port}/")
    cards = page.locator(".product-grid .product-card")
    expect(cards).to_have_count(3)
    for index, sku in enumerate(FEATURED):
        card = cards.nth(index)
        expect(card.locator(".product-card__sku")).to_have_text(f"SKU {sku}")
        expect(card.locator(".product-card__title")).to_have_text(names[sku])
    expect(cards.nth(0).locator("img.product-card__image")).to_have_count(1)
    expect(cards.nth(1).locator(".product-card__image--empty")).to_have_count(1)
    expect(cards.nth(2).locator("img.product-card__image")).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text("Article ")
    page.screenshot(path=str(shots / "3-home.png"), full_page=True)
    page.goto(f"http://lakeshore.localhost:{port}/imprint/")
    expect(page.locator("main")).to_contain_text("Lakeshore Fluid Power Inc.")
    expect(page.locator("main")).not_to_contain_text("GmbH")

    # 5. The Stores page says which template, and which version of it, the store came from.
    page.goto(f"{admin}stores/")
    row = page.locator('tr[data-store="lakeshore"]')
    expect(row.locator(".store-template")).to_contain_text("b2b-store 2.0")
    page.locator("main").screenshot(path=str(shots / "4-stores.png"))
    store = Store.objects.get(slug="lakeshore")
    assert (store.template, store.template_version) == ("b2b-store", "2.0")
