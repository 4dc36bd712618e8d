"""A buyer opens their invoices, downloads the statement of account as a PDF in Chromium (on the
live server's non-default port), and the PDF, read back, holds their company's open invoices
from the real ERP and none of another company's."""

from __future__ import annotations

import base64
import io
from urllib.parse import urlsplit

import pypdf
import pytest
from playwright.sync_api import Page, expect

from tests.billing.conftest import seeded_invoices
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_buyer_downloads_the_statement_with_only_their_companys_invoices(
    live_server, page: Page, tmp_path, settings, fresh_erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    buyer = shop.buyers["C-1002"]
    buyer.set_password("storefleet-demo")
    buyer.save()
    own = shop.gateway.open_invoices(customer="C-1002")
    assert len(own) == 2
    others = seeded_invoices(shop.server, "C-1001")
    assert others and not set(others) & {i.number for i in own}
    port = urlsplit(live_server.url).port
    assert port not in (80, 443, 8000)
    store = f"http://ferrum.localhost:{port}"

    page.goto(f"{store}/account/sign-in/")
    page.fill("#id_username", buyer.username)
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")

    page.click(".buyer-nav a[data-nav=invoices]")
    expect(page).to_have_url(f"{store}/account/invoices/")
    expect(page.locator("tr[data-invoice]")).to_have_count(2)
    page.screenshot(path=str(tmp_path / "invoices.png"), full_page=True)

    # The link's PDF, fetched in the buyer's session by the page itself (the browser's PDF
    # viewer shows it on a click, and Playwright's own client can't resolve *.localhost).
    link = page.locator("a.statement-pdf")
    expect(link).to_have_text("Statement of account (PDF)")
    href = link.get_attribute("href")
    assert href == "/account/invoices/statement.pdf"
    fetched = page.evaluate(
        """async (href) => {
            const response = await fetch(href);
            const bytes = new Uint8Array(await response.arrayBuffer());
            let binary = "";
            bytes.forEach((b) => { binary += String.fromCharCode(b); });
            return {status: response.status, type: response.headers.get("content-type"),
                    disposition: response.headers.get("content-disposition"),
                    body: btoa(binary)};
        }""",
        href,
    )
    assert (fetched["status"], fetched["type"]) == (200, "application/pdf")
    assert "statement-of-account.pdf" in fetched["disposition"]
    body = base64.b64decode(fetched["body"])
    assert body.startswith(b"%PDF-")
    (tmp_path / "statement-of-account.pdf").write_bytes(body)
    with page.expect_response(f"{store}{href}") as opened:
        link.click()
    assert opened.value.status == 200
    page.screenshot(path=str(tmp_path / "statement-opened.png"))
    reader = pypdf.PdfReader(io.BytesIO(body))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Statement of account" in text and "Customer C-1002" in text
    open_part = text.split("Invoice history")[0]
    for invoice in own:
        assert invoice.number in open_part
    for number in others:
        assert number not in text
    assert "C-1001" not in text and "Nordwerk" not in text
