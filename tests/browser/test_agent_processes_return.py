"""A service agent signs in to the Wagtail admin, finds Van der Berg (C-1004), opens its page,
creates a return of a shipped line of SO-00004 with a reason, and sees the return filed under
the ERP's number once a real Celery worker has carried it into the real ERP; then looks at the
order as the buyer sees it, acting as them under the banner, and stops."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from storefleet.celery import app
from storefleet.erp.sync import erp_sync
from storefleet.ordering.models import ReturnRequest, ReturnStatus
from storefleet.service.models import ActionKind, ServiceAction
from storefleet.service.services import service_agent_add
from storefleet.tenants.models import Store
from tests.factories import build_brand, wagtail_roots_ensure
from tests.ordering.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHIPPED = "SO-00004"  # C-1004: BRG-1009 20 of 40 shipped, PTR-1011 10 of 10


def test_agent_finds_a_company_and_files_a_return_the_erp_numbers(
    live_server, page: Page, tmp_path, settings, fresh_erp_server
):
    wagtail_roots_ensure()
    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    shop = build_shop(settings, fresh_erp_server, ferrum)
    erp_sync(name="sales", full=True)  # what the beat schedule does
    agent = get_user_model().objects.create_user(
        "service.agent",
        "service.agent@storefleet.example",
        "storefleet-demo",
        first_name="Sam",
        last_name="Agent",
    )
    service_agent_add(store=Store.objects.get(pk=shop.store.id), user=agent)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "service.agent")
    page.fill("#id_password", "storefleet-demo")
    page.click("button[type=submit]")
    page.get_by_role("link", name="Customer service").click()
    expect(page.locator("h1")).to_contain_text("Customer service")

    page.fill("#id_q", "C-1004")
    page.click("text=Find")
    results = page.locator("table.service-results tbody tr")
    expect(results).to_have_count(1)
    results.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Van der Berg")
    expect(page.locator("#credit")).to_contain_text("Available")
    page.screenshot(path=str(tmp_path / "company.png"), full_page=True)

    page.locator(f'table.service-orders tr[data-number="{SHIPPED}"]').get_by_role(
        "link", name="Create return…"
    ).click()
    expect(page.locator('tr[data-sku="BRG-1009"]')).to_contain_text("20")
    page.fill('input[data-sku="BRG-1009"]', "3")
    page.select_option("#id_reason", "damaged")
    page.fill("#id_reason_text", "Two bearings dented in transit, one cracked")
    page.screenshot(path=str(tmp_path / "return-form.png"), full_page=True)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click("text=File the return")
        expect(page.locator(".messages")).to_contain_text("is filed")
        made = ReturnRequest.objects.get()
        page.screenshot(path=str(tmp_path / "return-received.png"))
        row = page.locator(f'table.service-returns tr[data-number="{made.number}"]')
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            made.refresh_from_db()
            if made.status != ReturnStatus.RECEIVED:
                break
            time.sleep(0.5)
        page.reload()
    assert made.status == ReturnStatus.FILED and made.erp_number
    expect(row.locator(".erp-number")).to_have_text(made.erp_number)
    expect(row).to_contain_text("3 Unit BRG-1009")
    expect(row).to_contain_text("Two bearings dented")
    assert made.requested_by == agent
    expect(page.locator("table.service-audit")).to_contain_text("Created a return")
    row.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "return-filed.png"))
    (action,) = ServiceAction.objects.all()
    assert (action.action, action.target, action.agent) == (
        ActionKind.RETURN_CREATE,
        made.number,
        agent,
    )

    # Then the agent looks at the return as the buyer sees it: acting as them, marked.
    page.get_by_role("link", name="Act as a buyer…").click()
    page.click("text=Start acting as this buyer")
    banner = page.locator(".acting-banner")
    expect(banner).to_contain_text("Acting for Van der Berg Industrie B.V. as Sam Agent")
    assert page.url.startswith("http://ferrum.localhost:")
    page.goto(page.url.split("/account/")[0] + f"/orders/{SHIPPED}/")
    expect(banner).to_be_visible()
    page.screenshot(path=str(tmp_path / "acting-as-buyer.png"))
    banner.get_by_role("button", name="Stop").click()
    expect(page.locator("h1")).to_contain_text("Van der Berg")
    expect(page.locator("table.service-audit")).to_contain_text("Stopped acting as a buyer")
    assert [a.action for a in ServiceAction.objects.order_by("at", "id")] == [
        ActionKind.RETURN_CREATE,
        ActionKind.ACTING_START,
        ActionKind.ACTING_STOP,
    ]
