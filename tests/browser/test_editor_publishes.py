"""A brand editor changes their home page hero in the Wagtail admin and publishes it: their
storefront shows it at once, the other brand's storefront does not change."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from storefleet.provisioning.management.commands.demo_stores import DEMO_PASSWORD
from storefleet.tenants.models import Store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_HEADING = "Spring sale: 20 % off every bearing"


def test_editor_publishes_hero_and_only_their_storefront_changes(
    live_server, page: Page, artifacts, media_on_disk
):
    call_command("demo_stores")
    port = urlsplit(live_server.url).port
    ferrum_url = f"http://ferrum.localhost:{port}/"
    hydra_url = f"http://hydra.localhost:{port}/"
    ferrum_home_id = Store.objects.get(slug="ferrum").site.root_page_id

    page.goto(hydra_url)
    hydra_heading_before = page.locator(".hero__heading").inner_text()
    page.goto(ferrum_url)
    expect(page.locator(".hero__heading")).to_have_text("Precision parts for lines that never stop")

    page.goto(f"http://localhost:{port}/admin/login/")
    page.fill("#id_username", "ferrum.editor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"http://localhost:{port}/admin/")

    page.goto(f"http://localhost:{port}/admin/pages/{ferrum_home_id}/edit/")
    heading = page.locator("#body-0-value-heading")
    expect(heading).to_have_value("Precision parts for lines that never stop")
    heading.fill(NEW_HEADING)
    page.locator("footer .w-dropdown__toggle").last.click()
    page.locator('button[name="action-publish"]').click()
    expect(page.locator(".messages")).to_contain_text("has been published")

    page.goto(ferrum_url)
    expect(page.locator(".hero__heading")).to_have_text(NEW_HEADING)
    expect(page.locator(".hero__image")).to_be_visible()
    page.screenshot(path=str(artifacts / "ferrum-home.png"), full_page=True)

    page.goto(hydra_url)
    expect(page.locator(".hero__heading")).to_have_text(hydra_heading_before)
    assert NEW_HEADING not in page.content()
    page.screenshot(path=str(artifacts / "hydra-home.png"), full_page=True)
