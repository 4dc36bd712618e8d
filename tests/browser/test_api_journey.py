"""The partner API walked as its users walk it, in Chromium against the live server: the docs
page renders under the storefront's Content-Security-Policy; Nordwerk's company admin makes a
key on the store's account pages; a procurement script (plain HTTP) reads the catalog prices,
has an order checked, reads orders, invoices and credit — the same numbers the buyer's pages
show; the admin sees when the key was used and revokes it, and the script is turned away."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

from storefleet.money import format_money, format_unit_price
from tests.api.conftest import build_world
from tests.factories import build_brand, wagtail_roots_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SKU = "BRG-1001"


def test_a_company_key_made_on_the_account_page_reads_what_the_buyer_pages_show(
    live_server, page: Page, artifacts, settings, erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    hydra = build_brand("hydra", "Hydra Flow Systems", "USD", "US", "#00695C")
    world = build_world(settings, erp_server, ferrum, hydra)
    admin = world.admins["C-1001"]
    admin.set_password("storefleet-demo")
    admin.save()
    port = urlsplit(live_server.url).port
    store = f"http://ferrum.localhost:{port}"

    # The docs: Swagger UI from this server's files, every endpoint, no CSP violation.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    document = httpx.get(
        f"{live_server.url}/api/v1/openapi.json", headers={"Host": f"ferrum.localhost:{port}"}
    ).json()
    operations = sum(len(methods) for methods in document["paths"].values())
    assert operations > 9  # read, write, webhooks and the problem types
    page.goto(f"{store}/api/v1/docs")
    expect(page.locator(".opblock")).to_have_count(operations)  # every one of them
    expect(page.locator(".information-container .title")).to_contain_text("Storefleet partner API")
    page.screenshot(path=str(artifacts / "api-docs.png"), full_page=True)
    assert refused == []

    # The company admin makes a key.
    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", "storefleet-demo")
    page.click("form.account-form button[type=submit]")
    expect(page).to_have_url(f"{store}/account/")
    page.goto(f"{store}/account/companies/{world.companies['C-1001'].id}/")
    page.click("[data-nav-api-keys]")
    expect(page.locator("h1")).to_have_text("API keys")
    page.fill("#id_name", "Procurement script")
    page.check("input[name=scopes][value='orders:read']")
    page.check("input[name=scopes][value='invoices:read']")
    page.fill("#id_expires_on", (date.today() + timedelta(days=180)).isoformat())
    page.click("form.account-form button[type=submit]")
    key = page.locator("[data-api-key]").inner_text().strip()
    assert key.startswith("sfk_")
    expect(page.locator("tr[data-key-prefix] td").nth(4)).to_have_text("never")
    page.screenshot(path=str(artifacts / "api-key-made.png"), full_page=True)

    # The script.
    api = httpx.Client(
        base_url=live_server.url,
        headers={"Host": f"ferrum.localhost:{port}", "Authorization": f"Bearer {key}"},
        timeout=60,
    )
    catalog = api.get("/api/v1/catalog/products", params={"sku": SKU})
    assert catalog.status_code == 200
    assert int(catalog.headers["RateLimit-Remaining"]) < int(catalog.headers["RateLimit-Limit"])
    (product,) = catalog.json()["items"]
    price = Decimal(product["price"]["unit_price"]["amount"])
    checked = api.post(
        "/api/v1/orders/validate", json={"lines": [{"sku": SKU, "quantity": "10"}]}
    ).json()
    (line,) = checked["lines"]
    breaks = [b for b in product["volume_breaks"] if Decimal(b["quantity"]) <= 10]
    assert Decimal(line["unit_price"]["amount"]) == Decimal(breaks[-1]["unit_price"]["amount"])
    assert Decimal(line["amount"]) == (Decimal(line["unit_price"]["amount"]) * 10).quantize(
        Decimal("0.01")
    )
    orders = api.get("/api/v1/orders").json()
    invoices = api.get("/api/v1/invoices").json()
    credit = api.get("/api/v1/credit").json()
    assert credit["used"]["currency"] == "EUR"

    # The buyer's pages show the same numbers.
    page.goto(f"{store}/catalog/{SKU}/")
    expect(page.locator(".product-card__price").first).to_contain_text(
        format_unit_price(price, "EUR", product["unit"], locale="en")
    )
    page.goto(f"{store}/orders/")
    shown = page.locator("tr[data-order]").evaluate_all("rows => rows.map(r => r.dataset.order)")
    assert sorted(shown) == sorted(row["number"] for row in orders["items"]) == ["W-F-1001"]
    page.goto(f"{store}/account/invoices/")
    (invoice,) = invoices["items"]
    assert invoice["number"] == "INV-00006"
    row = page.locator(f"tr[data-invoice='{invoice['number']}']")
    expect(row.locator("td.num").last).to_have_text(
        format_money(Decimal(invoice["amount_to_pay"]["amount"]), "EUR", locale="en")
    )
    pdf = api.get(f"/api/v1/invoices/{invoice['number']}/pdf")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    # The admin sees the key was used, and revokes it: the script is turned away.
    page.goto(f"{store}/account/api-keys/")
    expect(page.locator("tr[data-key-prefix] td").nth(4)).not_to_have_text("never")
    page.click("tr[data-key-prefix] button[type=submit]")
    expect(page.locator("tr[data-key-prefix] td").nth(5)).to_have_text("revoked")
    refused_now = api.get("/api/v1/orders")
    assert refused_now.status_code == 401
    assert refused_now.headers["Content-Type"] == "application/problem+json"
    assert refused_now.json()["code"] == "unauthenticated"
