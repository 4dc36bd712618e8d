"""From the wizard to the first ERP-confirmed order in a new store, every check on.

A regional manager launches a USD store from the wizard, with the ERP mapping check on, against
the real reference ERP; a real Celery worker runs the pipeline (the smoke test requests the new
host from the live server over HTTP). The store file's customers (the template's default: the
ERP's customers in the store's country) are opened to it; a buyer of one of them signs in on the
new host, sees dollar prices from the ERP for the declared assortment only, orders, and sees the
ERP's confirmation; the ERP holds a USD sale; the store's service agent finds it in the console;
the store's editor changes its home page. A screenshot of each step is left in test-artifacts/.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from storefleet.accounts.models import Company, MemberRole
from storefleet.accounts.services import membership_create
from storefleet.celery import app
from storefleet.erp.sync import erp_sync
from storefleet.ordering.models import Order, OrderStatus
from storefleet.provisioning.demo import DEMO_PASSWORD, regional_managers_group
from storefleet.provisioning.models import ProvisioningRun, RunStatus
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store, StoreStatus
from storefleet.tenants.services import store_editor_add
from tests.erp.conftest import point_gateway_at
from tests.factories import wagtail_roots_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The reference ERP's US customers (infra/local/erp/seed.py); Great Lakes buys here.
US_CUSTOMERS = ["C-1006", "C-1008", "C-1012", "C-1015", "C-1018", "C-1023"]
NEW_HEADING = "Lakeshore ships hydraulics from Cleveland"


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")


def test_a_store_launched_from_the_wizard_sells_in_its_currency_and_assortment(
    live_server, page: Page, artifacts, media_on_disk, settings, tmp_path, fresh_erp_server
):
    wagtail_roots_ensure()
    settings.STOREFLEET_BRANDS_DIR = tmp_path / "brands"
    settings.STOREFLEET_BRANDS_DIR.mkdir()
    point_gateway_at(settings, fresh_erp_server)
    erp_sync(name="products", full=True)  # the platform's catalog mirror, as on any platform
    users = get_user_model()
    manager = users.objects.create_user("regional.manager", "rm@storefleet.example", DEMO_PASSWORD)
    manager.groups.add(regional_managers_group())
    port = urlsplit(live_server.url).port
    admin = f"http://localhost:{port}/admin/"
    store_url = f"http://lakeshore.localhost:{port}"
    shots = artifacts / "launch-journey"
    shots.mkdir(exist_ok=True)

    # 1. The regional manager plans and launches a USD store, the ERP check on.
    sign_in(page, f"{admin}login/", "regional.manager")
    expect(page).to_have_url(admin)
    page.goto(f"{admin}launch/")
    page.click('a[data-template="b2b-store"]')
    page.fill("#id_brand_name", "Lakeshore Fluid Power")
    page.fill("#id_slug", "lakeshore")
    page.fill("#id_hostname", "lakeshore.localhost")
    page.fill("#id_region", "North America")
    page.select_option("#id_currency", "USD")
    page.fill("#id_country", "US")
    page.select_option("#id_erp_warehouse", "WH-US")
    # The ERP's categories are tick-boxes: this store sells hydraulics and pneumatics only.
    boxes = page.locator('input[name="assortment"]')
    codes = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
    assert {"HYD", "PNE"} <= set(codes), codes
    for i, code in enumerate(codes):
        boxes.nth(i).set_checked(code in ("HYD", "PNE"))
    page.fill("#id_featured_skus", "HYD-1002,HYD-1004,PNE-1001")
    page.fill("#id_legal_name", "Lakeshore Fluid Power Inc.")
    page.fill("#id_address", "4800 Commerce Parkway; Cleveland, OH 44128; United States")
    expect(page.locator("#id_check_erp")).to_be_checked()
    page.click('button[name="plan"]')
    plan = page.locator("#plan")
    expect(plan).to_contain_text("Lakeshore Fluid Power (North America, USD)")
    expect(plan.locator("tr", has_text="ERP mapping")).to_contain_text("prices in USD")
    expect(plan.locator("tr", has_text="customers served")).to_contain_text(
        "6 companies: C-1006 Great Lakes Fabrication Inc., C-1008 Prairie Ag Equipment LLC"
    )
    expect(page.locator("#plan-problems")).to_have_count(0)
    plan.screenshot(path=str(shots / "1-plan.png"))  # the admin scrolls inside its own pane

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click('button[name="launch"]')
        expect(page).to_have_url(re.compile(r"/admin/launch/runs/\d+/$"))
        expect(page.locator("#run-status")).to_have_text("succeeded", timeout=120_000)
    expect(page.locator('tr[data-step="erp"] .step-status')).to_have_text("succeeded")
    expect(page.locator('tr[data-step="smoke_test"] .step-log')).to_contain_text(
        f"requested over HTTP via 127.0.0.1:{port}"
    )
    page.locator("main").screenshot(path=str(shots / "2-run.png"))
    run = ProvisioningRun.objects.get(slug="lakeshore")
    assert (run.status, run.check_erp) == (RunStatus.SUCCEEDED, True)
    store = Store.objects.get(slug="lakeshore")
    assert (store.status, store.currency, store.erp_warehouse) == (StoreStatus.LIVE, "USD", "WH-US")

    # 2. The companies the store file serves are opened to it, and only those.
    assert sorted(store.companies.values_list("code", flat=True)) == US_CUSTOMERS
    great_lakes = Company.objects.get(code="C-1006")
    buyer = users.objects.create_user("buyer@greatlakes.example", "buyer@greatlakes.example")
    buyer.set_password(DEMO_PASSWORD)
    buyer.save()
    membership_create(company=great_lakes, user=buyer, role=MemberRole.BUYER)

    # 3. Its buyer signs in on the new host and sees dollar prices for the assortment only.
    sign_in(page, f"{store_url}/account/sign-in/", "buyer@greatlakes.example")
    page.goto(f"{store_url}/catalog/")
    expect(page.locator(".product-card").first).to_be_visible()
    cards = " ".join(page.locator(".product-card").all_inner_texts())
    listed = set(re.findall(r"\b([A-Z]{3})-1\d{3}\b", cards))
    assert listed and listed <= {"HYD", "PNE"}, listed
    page.screenshot(path=str(shots / "3-catalog.png"), full_page=True)
    page.goto(f"{store_url}/catalog/HYD-1002/")
    price = page.locator(".product-buy .product-card__price").first
    expect(price).to_contain_text("$ ")
    assert "€" not in price.inner_text()
    page.screenshot(path=str(shots / "4-product.png"), full_page=True)
    outside = page.goto(f"{store_url}/catalog/FAS-1001/")
    assert outside is not None and outside.status == 404

    # 4. Orders, and sees the ERP's confirmation.
    page.goto(f"{store_url}/quick-order/")
    page.fill("#id_lines", "HYD-1002 2")
    page.click("form.quick-order-form button[type=submit]")
    expect(page).to_have_url(f"{store_url}/cart/")
    expect(page.locator("tr.cart-line--blocked")).to_have_count(0)
    page.click("text=Check out")
    page.fill("#id_po_number", "PO-LAKESHORE-1")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click("text=Place order")
        expect(page.locator("h1")).to_have_text("Order confirmed", timeout=60_000)
    order = Order.objects.get()
    sale = order.sales.get()
    assert (order.status, order.currency) == (OrderStatus.CONFIRMED, "USD")
    expect(page.locator(".erp-reference")).to_have_text(sale.erp_number)
    page.screenshot(path=str(shots / "5-order-confirmed.png"), full_page=True)

    # 5. The ERP holds a USD sale for Great Lakes.
    (erp_sale,) = fresh_erp_server.client().search_read(
        "sale.sale",
        [["description", "like", f"storefleet:{order.number}%"]],
        ["number", "reference", "currency.code", "party.code"],
    )
    assert (erp_sale["number"], erp_sale["reference"]) == (sale.erp_number, "PO-LAKESHORE-1")
    assert (erp_sale["currency."]["code"], erp_sale["party."]["code"]) == ("USD", "C-1006")

    # 6. The store's service agent finds it in the console.
    page.context.clear_cookies()
    agent = users.objects.create_user("lakeshore.agent", "agent@lakeshore.example", DEMO_PASSWORD)
    service_agent_add(store=store, user=agent)
    erp_sync(name="sales", full=True)  # what the beat schedule does
    sign_in(page, f"{admin}login/", "lakeshore.agent")
    page.get_by_role("link", name="Customer service").click()
    page.fill("#id_q", "C-1006")
    page.click("text=Find")
    results = page.locator("table.service-results tbody tr")
    expect(results).to_have_count(1)
    results.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Great Lakes Fabrication")
    row = page.locator(f'table.service-orders tr[data-number="{sale.erp_number}"]')
    expect(row).to_contain_text(order.number)
    expect(row).to_contain_text("PO-LAKESHORE-1")
    expect(row).to_contain_text("$ ")
    page.screenshot(path=str(shots / "6-console.png"), full_page=True)

    # 7. The store's editor changes its home page.
    page.context.clear_cookies()
    editor = users.objects.create_user("lakeshore.editor", "mia@lakeshore.example", DEMO_PASSWORD)
    store_editor_add(store=store, user=editor)
    sign_in(page, f"{admin}login/", "lakeshore.editor")
    expect(page).to_have_url(admin)
    page.goto(f"{admin}pages/{store.site.root_page_id}/edit/")
    heading = page.locator("#body-0-value-heading")
    heading.fill(NEW_HEADING)
    page.locator("footer .w-dropdown__toggle").last.click()
    page.locator('button[name="action-publish"]').click()
    expect(page.locator(".messages")).to_contain_text("has been published")
    page.goto(f"{store_url}/")
    expect(page.locator(".hero__heading")).to_have_text(NEW_HEADING)
    page.screenshot(path=str(shots / "7-home-edited.png"), full_page=True)
