"""A quote negotiated and approved end to end, in Chromium on the live server, with a real
Celery worker and the reference ERP: a buyer requests a quote for three lines, a service agent
counter-offers one line in the console, the buyer asks for a revision with a comment, the
agent revises, the buyer accepts; the acceptance is over the buyer's approval limit, so it
waits (the quote page says for whom) until another user of the company approves it; then the
ERP holds one sale, confirmed at exactly the agreed prices. Screenshots of every step land in
the test's tmp dir."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from storefleet.accounts.models import Company, MemberRole, Membership
from storefleet.approvals.models import ApprovalRequest, ApprovalRule, ApprovalState
from storefleet.celery import app
from storefleet.quotes.models import ErpWrite, QuoteRequest, QuoteState, QuoteVersion
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop
from tests.quotes.conftest import VALIDITY_DAYS, timedelta_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "storefleet-demo"
LINES = [("FAS-1003", "100"), ("BRG-1003", "3"), ("BRG-1002", "4")]


def until(check: Callable[[], bool], what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds}s: {what}")
        time.sleep(0.3)


def version_done(quote_id: int, number: int) -> bool:
    return QuoteVersion.objects.filter(
        quote_id=quote_id, number=number, erp_write=ErpWrite.DONE
    ).exists()


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def member(code: str, email: str, role: str):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user(email, email, PASSWORD)
    return Membership.objects.create(user=user, company=Company.objects.get(code=code), role=role)


def test_a_quote_is_negotiated_approved_and_ordered_at_the_agreed_prices(
    live_server, page: Page, browser: Browser, settings, fresh_erp_server, tmp_path: Path
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    shop.gateway.backend.client.model(
        "sale.configuration",
        "write",
        [1],
        {"sale_quotation_validity": timedelta_value(VALIDITY_DAYS)},
    )
    store = f"http://ferrum.localhost:{urlsplit(live_server.url).port}"
    buyer = shop.buyers["C-1004"]
    buyer.set_password(PASSWORD)
    buyer.save()
    # The buyer may order up to 200 EUR without approval; the company's approver decides above.
    ApprovalRule.objects.create(
        company=Company.objects.get(code="C-1004"),
        currency="EUR",
        threshold=Decimal("200.00"),
        buyer=Membership.objects.get(user=buyer),
    )
    approver = member("C-1004", "approver@c-1004.example", MemberRole.APPROVER).user
    agent = get_user_model().objects.create_user(
        "service.agent", "service.agent@storefleet.example", PASSWORD
    )
    service_agent_add(store=Store.objects.get(pk=shop.store.id), user=agent)
    console = browser.new_context(viewport={"width": 1366, "height": 900})
    agent_page = console.new_page()
    agent_page.set_default_timeout(20_000)
    step = iter(range(1, 100))

    def shot(on: Page, name: str) -> None:
        on.screenshot(path=str(tmp_path / f"{next(step):02d}-{name}.png"), full_page=True)

    def agent_answers(quote: QuoteRequest, prices: dict[str, str], message: str) -> None:
        agent_page.goto(f"{live_server.url}{reverse('service_quote', args=[quote.id])}")
        base = (
            QuoteVersion.objects.filter(quote=quote, erp_write=ErpWrite.DONE)
            .order_by("-number")
            .first()
        )
        assert base is not None
        for line in base.lines.all():
            if line.sku in prices:
                agent_page.fill(f"input[name=price_{line.erp_line_id}]", prices[line.sku])
        agent_page.fill("#id_message", message)
        agent_page.click("text=Send this version to the ERP and the buyer")
        expect(agent_page.locator(".messages")).to_contain_text(
            f"Version {base.number + 1} is on its way to the ERP"
        )

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # ---- the buyer asks for a quote for three lines
        sign_in(page, f"{store}/account/sign-in/", buyer.username)
        page.goto(f"{store}/quotes/new/")
        rows = page.locator("table tbody tr")
        for index, (sku, quantity) in enumerate(LINES):
            rows.nth(index).locator("input[name=sku]").fill(sku)
            rows.nth(index).locator("input[name=quantity]").fill(quantity)
        rows.nth(1).locator("input[name=target_price]").fill("110")
        page.fill("#quote-message", "For the spring batch")
        shot(page, "request-form")
        page.click("text=Send quote request")
        expect(page.locator(".messages")).to_contain_text("your quote request is on its way")
        quote = QuoteRequest.objects.get(company__code="C-1004")
        until(lambda: version_done(quote.id, 1), "the ERP's quotation, version 1")
        page.reload()
        expect(page.locator(".quote-status")).to_have_attribute("data-status", "quoted")
        expect(page.locator(".cart-table").first.locator("tbody tr")).to_have_count(3)
        shot(page, "quoted")

        # ---- the agent counter-offers one line in the console
        sign_in(agent_page, f"{live_server.url}/admin/login/", "service.agent")
        agent_answers(quote, {"BRG-1003": "120"}, "We can do 120 for the bearings.")
        shot(agent_page, "console-counter-offer")
        until(lambda: version_done(quote.id, 2), "the counter-offer in the ERP")
        page.reload()
        two = page.locator('.quote-version[data-version="2"]')
        expect(two.locator('tr[data-sku="BRG-1003"] ins[data-change="price"]')).to_contain_text(
            "120"
        )
        expect(two.locator('ins[data-change="price"]')).to_have_count(1)
        shot(page, "counter-offer")

        # ---- the buyer asks for a revision with a comment
        page.fill("#id_revise_comment", "Could you do 110 for the bearings?")
        page.click("form.quote-revise button")
        expect(page.locator(".messages")).to_contain_text("our sales team has your request")
        expect(page.locator(".quote-status")).to_have_attribute("data-status", "revision_requested")
        shot(page, "revision-requested")

        # ---- the agent revises
        agent_page.goto(f"{live_server.url}{reverse('service_quote', args=[quote.id])}")
        expect(agent_page.locator(".quote-revision")).to_contain_text(
            "Could you do 110 for the bearings?"
        )
        agent_answers(quote, {"BRG-1003": "115"}, "115 is the best we can do.")
        shot(agent_page, "console-revision")
        until(lambda: version_done(quote.id, 3), "the revision in the ERP")
        page.reload()
        expect(page.locator(".quote-status")).to_have_attribute("data-status", "quoted")
        three = page.locator('.quote-version[data-version="3"]')
        expect(three.locator('tr[data-sku="BRG-1003"] ins[data-change="price"]')).to_contain_text(
            "115"
        )
        shot(page, "revised")

        # ---- the buyer accepts: over the limit, it waits for the approver
        agreed = {
            line.sku: line.unit_price
            for line in QuoteVersion.objects.get(quote=quote, number=3).lines.all()
        }
        assert agreed["BRG-1003"] == Decimal("115")
        page.click("text=Accept quote")
        expect(page.locator(".messages")).to_contain_text(
            "your acceptance waits for your company's approval"
        )
        status = page.locator(".quote-status")
        expect(status).to_have_attribute("data-status", "awaiting_approval")
        expect(page.locator(".approval-waiting")).to_contain_text(
            "Your acceptance waits for approval by approver@c-1004.example"
        )
        shot(page, "awaiting-approval")
        request = ApprovalRequest.objects.get(quote=quote)
        assert request.state == ApprovalState.PENDING
        assert shop.erp_sales(quote.key)[0]["state"] == "quotation"  # the ERP heard nothing

        # ---- the approver, another user of the company, approves
        approving = browser.new_context(viewport={"width": 1366, "height": 900})
        approver_page = approving.new_page()
        approver_page.set_default_timeout(20_000)
        sign_in(approver_page, f"{store}/account/sign-in/", approver.username)
        approver_page.goto(f"{store}/account/approvals/")
        approver_page.locator(f'tr[data-order="{request.reference}"] a').click()
        expect(approver_page.locator("table")).to_contain_text("BRG-1003")
        shot(approver_page, "approver-decides")
        approver_page.fill("#approval-comment", "Fine for the spring batch.")
        approver_page.click("button[value=approve]")
        expect(approver_page.locator(".messages")).to_contain_text("Approved")
        shot(approver_page, "approved")
        until(
            lambda: QuoteRequest.objects.get(id=quote.id).state == QuoteState.ORDERED,
            "the ERP's order",
        )
        page.reload()
        expect(status).to_have_attribute("data-status", "ordered")
        shot(page, "ordered")
        approving.close()
    console.close()

    # ---- the ERP holds one sale, confirmed at exactly the agreed prices
    (sale,) = shop.erp_sales(quote.key)
    assert sale["state"] in ("confirmed", "processing")
    rows = shop.server.client().search_read(
        "sale.line",
        [["sale.id", "=", sale["id"]]],
        ["product.code", "quantity", "unit_price"],
        order=[["id", "ASC"]],
    )
    assert [(r["product."]["code"], Decimal(str(r["quantity"]))) for r in rows] == [
        (sku, Decimal(quantity)) for sku, quantity in LINES
    ]
    assert {r["product."]["code"]: r["unit_price"] for r in rows} == agreed
