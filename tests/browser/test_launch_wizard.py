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
from django.utils import timezone
from playwright.sync_api import Page, expect

from storefleet.accounts.models import Company
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
    # No ERP runs in this test: the wizard says so and takes typed codes.
    expect(page.locator("#erp-unavailable")).to_contain_text("The ERP cannot be reached")
    page.uncheck("#id_check_erp")
    page.click('button[name="plan"]')
    # The template's own hook refuses the answer, with its own words; nothing is planned.
    expect(page.locator('.error-message[data-field="currency"]')).to_have_text(
        "currency: 'eur' is not an ISO 4217 code; use three capitals, e.g. EUR or USD."
    )
    expect(page.locator("#plan")).to_have_count(0)
    expect(page.locator('#answer-problems a[data-problem-field="currency"]')).to_have_count(1)
    page.screenshot(path=str(artifacts / "launch-wizard-erp-down.png"))

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


def test_regional_manager_picks_from_the_erp_sees_the_plan_problem_on_its_field_and_the_stores(
    live_server, page: Page, artifacts, settings, tmp_path, erp_server
):
    """Every check on: the pickers are the reference ERP's lists, the plan's problem is at the
    top and on its field, the colour picker's verdict moves with the colour; then the Stores
    page lists the stores."""
    from tests.erp.conftest import point_gateway_at
    from tests.factories import build_brand

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
    page.goto(f"{admin}login/")
    page.fill("#id_username", "regional.manager")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(admin)

    page.goto(f"{admin}launch/b2b-store/")
    expect(page.locator("#erp-unavailable")).to_have_count(0)
    expect(page.locator("#id_currency option")).to_have_text(["EUR", "USD"])
    page.fill("#id_brand_name", "Polaris Pumps")
    page.fill("#id_slug", "polaris")
    page.fill("#id_hostname", "polaris.localhost")
    page.select_option("#id_currency", "USD")
    page.select_option("#id_erp_warehouse", "WH-US")
    for code in ("FAS", "BRG", "SEA"):
        page.uncheck(f'input[name="assortment"][value="{code}"]')
    for code in ("HYD", "PNE"):
        page.check(f'input[name="assortment"][value="{code}"]')
    page.fill("#id_featured_skus", "HYD-1007,NOPE-1")
    # The colour picker writes the hex beside it, and the verdict follows.
    page.fill("input[data-colour-for=id_primary_colour]", "#ffee00")
    expect(page.locator("#id_primary_colour")).to_have_value("#FFEE00")
    expect(page.locator("#contrast-failures")).to_be_visible()
    expect(page.locator("#contrast-list li").first).to_contain_text("#FFEE00")
    page.fill("input[data-colour-for=id_primary_colour]", "#1d4e89")
    expect(page.locator("#contrast-ok")).to_be_visible()
    page.click('button[name="plan"]')

    problem = page.locator("#plan-problems a[data-problem-field=featured_skus]")
    expect(problem).to_have_text("SKU NOPE-1 is unknown to the ERP (or inactive there).")
    expect(page.locator("#id_featured_skus")).to_have_attribute("aria-invalid", "true")
    expect(page.locator('.error-message[data-field="featured_skus"]')).to_have_text(
        "SKU NOPE-1 is unknown to the ERP (or inactive there)."
    )
    expect(page.locator('button[name="launch"]')).to_have_count(0)
    # The plan is the first thing on the page, above the answers.
    plan_top = page.locator("#plan").bounding_box()
    form_top = page.locator("#launch-form").bounding_box()
    assert plan_top is not None and form_top is not None and plan_top["y"] < form_top["y"]
    page.screenshot(path=str(artifacts / "launch-wizard-plan-problem.png"), full_page=True)
    problem.click()
    expect(page).to_have_url(re.compile(r"#field-featured_skus$"))
    expect(page.locator("#id_featured_skus")).to_be_focused()
    expect(page.locator("#id_featured_skus")).to_be_in_viewport()
    page.screenshot(path=str(artifacts / "launch-wizard-problem-field.png"))
    assert not list((tmp_path / "brands").iterdir())

    page.fill("#id_featured_skus", "HYD-1007,PNE-1001")
    page.click('button[name="plan"]')
    expect(page.locator("#plan-problems")).to_have_count(0)
    expect(page.locator("#plan")).to_contain_text("prices in USD")
    expect(page.locator('button[name="launch"]')).to_have_text("Launch polaris")
    page.screenshot(path=str(artifacts / "launch-wizard-plan-ok.png"), full_page=True)

    ferrum = build_brand("ferrum", "Ferrum Industrial Components", "EUR", "DE", "#0B3D91")
    hydra = build_brand("hydra", "Hydra Flow Systems", "USD", "US", "#00695C")
    for slug in ("ferrum", "hydra"):
        (tmp_path / "brands" / slug).mkdir()
        (tmp_path / "brands" / slug / "store.toml").write_text(
            f'schema = 1\ntemplate = "b2b-store"\n[store]\nslug = "{slug}"\n'
        )
    for number, stores in enumerate([(ferrum, hydra), (hydra,), (hydra,)], start=1):
        company = Company.objects.create(
            erp_id=number, code=f"C-{number}", name=f"C-{number}", erp_write_date=timezone.now()
        )
        company.stores.set([world.store for world in stores])
    ProvisioningRun.objects.create(
        slug="hydra", action="launch", status=RunStatus.SUCCEEDED, requested_by=manager
    )
    ProvisioningRun.objects.create(
        slug="boreal", action="launch", status=RunStatus.FAILED, error="register: no"
    )
    page.goto(admin)
    page.click("text=Stores")
    expect(page).to_have_url(f"{admin}stores/")
    expect(page.locator("#stores tbody tr")).to_have_count(3)
    expect(page.locator('tr[data-store="hydra"] .store-currency')).to_have_text("USD")
    expect(page.locator('tr[data-store="hydra"] .store-customers')).to_have_text("3")
    expect(page.locator('tr[data-store="boreal"] .store-status')).to_have_text("not launched")
    page.screenshot(path=str(artifacts / "stores-page.png"), full_page=True)
    page.click('tr[data-store="hydra"] .store-last-run a')
    expect(page).to_have_url(re.compile(r"/admin/launch/runs/\d+/$"))
    expect(page.locator("#store-link")).to_contain_text("hydra")
    assert ferrum.store.slug == "ferrum"
