"""A product page shows the story the brand's marketing seeded for it, with the brand's own
image and document, below the product's facts; the editor finds it on the catalog page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from storefleet.catalog.models import CatalogPage
from storefleet.catalog.services import products_upsert
from storefleet.erp.types import ProductRecord
from storefleet.money import Money
from storefleet.provisioning.management.commands.demo_stores import DEMO_PASSWORD
from storefleet.tenants.models import Store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mirror_the_storys_products() -> None:
    """The products the seeded stories are about, as the ERP sync would mirror them."""
    written = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    products_upsert(
        records=[
            ProductRecord(
                erp_id=erp_id,
                sku=sku,
                name=name,
                unit="Unit",
                salable=True,
                active=True,
                min_quantity=minimum,
                multiple=minimum,
                categories=(category,),
                list_price=Money(Decimal(price), "EUR"),
                erp_write_date=written,
                category_codes=(sku[:3],),
            )
            for erp_id, sku, name, category, minimum, price in [
                (1, "FAS-1001", "Hex Bolt M5x12 DIN 933 8.8 zinc plated", "Fasteners", 100, "0.09"),
                (2, "BRG-1001", "Deep Groove Ball Bearing 6002-2RS", "Bearings", None, "4.80"),
                (3, "HYD-1002", "Gear Pump 8 cc/rev", "Hydraulics", None, "180.00"),
            ]
        ]
    )


def test_product_page_shows_the_seeded_story_below_the_facts(
    live_server, page: Page, artifacts, media_on_disk
):
    call_command("demo_stores")
    _mirror_the_storys_products()
    port = urlsplit(live_server.url).port

    page.goto(f"http://ferrum.localhost:{port}/catalog/FAS-1001/")
    # Mirrored here without a German name: Ferrum (German) shows the ERP's own, marked so.
    heading = page.locator("h1")
    expect(heading.locator("[data-lang-fallback]")).to_have_text(
        "Hex Bolt M5x12 DIN 933 8.8 zinc plated"
    )
    expect(heading.locator(".lang-fallback")).to_be_visible()
    story = page.locator(".product-story")
    expect(story.locator("h2").first).to_have_text("The bolt behind a thousand assemblies")
    # The story's first image is the product's picture, above the facts: not shown twice.
    expect(page.locator("img.product-detail__image:not([data-placeholder])")).to_be_visible()
    expect(story.locator("img")).to_have_count(0)
    expect(story.locator(".download")).to_contain_text("Fastener data sheets (catalogue 2026)")
    facts = page.locator(".product-facts").bounding_box()
    assert facts is not None and story.bounding_box()["y"] > facts["y"] + facts["height"]  # type: ignore[index]
    page.screenshot(path=str(artifacts / "ferrum-product-story.png"), full_page=True)

    # Hydra sells its own assortment (HYD, PNE): a product without a story shows none, and
    # Ferrum's bolt is not sold there at all.
    page.goto(f"http://hydra.localhost:{port}/catalog/HYD-1002/")
    expect(page.locator("h1")).to_have_text("Gear Pump 8 cc/rev")
    expect(page.locator(".product-story")).to_have_count(0)
    assert page.goto(f"http://hydra.localhost:{port}/catalog/FAS-1001/").status == 404  # type: ignore[union-attr]

    page.goto(f"http://localhost:{port}/admin/login/")
    page.fill("#id_username", "ferrum.editor")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    ferrum_root = Store.objects.get(slug="ferrum").site.root_page
    catalog = CatalogPage.objects.descendant_of(ferrum_root).get()
    page.goto(f"http://localhost:{port}/admin/pages/{catalog.pk}/edit/")
    expect(page.locator("#id_stories-0-sku")).to_have_value("FAS-1001")
    expect(page.locator("#id_stories-1-sku")).to_have_value("BRG-1001")
    page.screenshot(path=str(artifacts / "ferrum-catalog-stories-admin.png"), full_page=True)
