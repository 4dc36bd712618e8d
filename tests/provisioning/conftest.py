"""Brand folders for the pipeline tests, rendered from the real site templates."""

from __future__ import annotations

import pytest

from tests.factories import wagtail_roots_ensure

# A regional manager's answers to the b2b-store template in the wizard (slug left to derive).
WIZARD_ANSWERS = {
    "brand_name": "Nordlicht Antriebe",
    "slug": "",
    "tagline": "Gear motors for conveyors",
    "region": "Nordics",
    "hostname": "nordlicht.localhost",
    "languages": "de, en",
    "currency": "SEK",
    "country": "SE",
    "erp_warehouse": "WH-EU",
    "erp_price_list": "List Price",
    "assortment": "PTR,ELE",
    "featured_skus": "PTR-1001,ELE-1002",
    "primary_colour": "#1D4E89",
    "accent_colour": "#FFB000",
    "dark_colour": "#0E1B2B",
    "light_colour": "#F2F4F7",
    "heading_font": "industrial",
    "body_font": "humanist",
    "corner_style": "square",
    "logo_mark": "hex",
    "hero_motif": "gears",
    "legal_name": "Nordlicht Antriebe AB",
    "address": "Hamngatan 4; 411 14 Göteborg; Sweden",
    "phone": "+46 31 555 0100",
    "email": "order@nordlicht.example",
    "vat_id": "",
    "registration": "",
}


@pytest.fixture(scope="module")
def wagtail_roots_restored(django_db_blocker):
    """A transactional test ends with the database flushed, which removes the page tree root and
    the root collection that Wagtail's migrations made; later transactional tests (the browser
    tests) need them, so they are put back as the migrations made them. Module-scoped: its
    teardown must come after the flush of the module's last test."""
    yield
    with django_db_blocker.unblock():
        wagtail_roots_ensure()
