"""A regional manager launches a store from the "Launch a store" wizard in the Wagtail admin,
watches the run go live step by step, and opens the new store on its own host.

The pipeline really runs: the wizard queues the Celery chain when its transaction commits, and a
real Celery worker (``celery.contrib.testing.worker.start_worker``, solo pool, in this process)
consumes it from the configured broker (``memory://`` here, Redis when CELERY_BROKER_URL says so),
step by step, as in production. The brand folder is rendered into a temporary brands directory
(``STOREFLEET_BRANDS_DIR``), never into the repository's ``brands/``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from storefleet.celery import app
from storefleet.provisioning.demo import DEMO_PASSWORD, regional_managers_group
from storefleet.provisioning.models import ProvisioningRun, RunStatus
from storefleet.tenants.models import Store, StoreStatus
from tests.provisioning.conftest import wagtail_roots_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_regional_manager_launches_a_store_and_opens_it(
    live_server, page: Page, artifacts, media_on_disk, settings, tmp_path
):
    # An earlier transactional test's flush may have removed Wagtail's roots.
    wagtail_roots_ensure()
    settings.STOREFLEET_BRANDS_DIR = tmp_path / "brands"
    settings.STOREFLEET_BRANDS_DIR.mkdir()
    manager = get_user_model().objects.create_user(
        "regional.manager", "rm@storefleet.example", DEMO_PASSWORD
    )
    manager.groups.add(regional_managers_group())
    port = urlsplit(live_server.url).port
    admin = f"http://localhost:{port}/admin/"

    page.goto(f"{admin}login/")
    page.fill("#id_username", "regional.manager")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(admin)

    page.goto(f"{admin}launch/")
    page.click('a[data-template="b2b-store"]')
    page.fill("#id_brand_name", "Polaris Pumps")
    page.fill("#id_slug", "polaris")
    page.fill("#id_hostname", "polaris.localhost")
    page.fill("#id_currency", "eur")
    page.uncheck("#id_check_erp")  # no ERP runs in this test
    page.click('button[name="plan"]')
    # The template's own hook refuses the answer, with its own words; nothing is planned.
    expect(page.locator('.error-message[data-field="currency"]')).to_have_text(
        "currency: 'eur' is not an ISO 4217 code; use three capitals, e.g. EUR or USD."
    )
    expect(page.locator("#plan")).to_have_count(0)

    page.fill("#id_currency", "EUR")
    page.click('button[name="plan"]')
    expect(page.locator("#plan h2")).to_have_text("Plan for polaris on polaris.localhost")
    expect(page.locator("#plan")).to_contain_text("Polaris Pumps (Europe, EUR)")
    expect(page.locator("#plan-problems")).to_have_count(0)
    assert not Store.objects.filter(slug="polaris").exists()
    assert list((tmp_path / "brands").iterdir()) == []

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.click('button[name="launch"]')
        expect(page).to_have_url(re.compile(r"/admin/launch/runs/\d+/$"))
        # The page polls the progress endpoint; the status reaches "succeeded" without a reload.
        expect(page.locator("#run-status")).to_have_text("succeeded", timeout=60_000)

    for step in ("register", "infrastructure", "content", "smoke_test", "live"):
        expect(page.locator(f'tr[data-step="{step}"] .step-status')).to_have_text("succeeded")
    expect(page.locator('tr[data-step="erp"] .step-status')).to_have_text("skipped")
    expect(page.locator('tr[data-step="smoke_test"] .step-log')).to_contain_text(
        f"GET http://polaris.localhost:{port}/ → 200"
    )
    page.screenshot(path=str(artifacts / "launch-wizard-run.png"), full_page=True)
    run = ProvisioningRun.objects.get(slug="polaris")
    assert (run.status, run.requested_by, run.folder) == (
        RunStatus.SUCCEEDED,
        manager,
        str(tmp_path / "brands" / "polaris"),
    )
    assert Store.objects.get(slug="polaris").status == StoreStatus.LIVE

    with page.context.expect_page() as opened:
        page.click("#open-store a")
    store_page = opened.value
    store_page.wait_for_load_state()
    assert store_page.url == f"http://polaris.localhost:{port}/"
    expect(store_page).to_have_title(re.compile(r" · Polaris Pumps$"))
    expect(store_page.locator(".site-header__logo")).to_have_attribute(
        "aria-label", "Polaris Pumps home"
    )
    store_page.screenshot(path=str(artifacts / "launch-wizard-store.png"), full_page=True)
