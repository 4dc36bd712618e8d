"""The storefront as anonymous visitors get it: brand theme, page types, and the page cache."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailTestUtils

from storefleet.brand.colours import (
    brightened,
    contrast_ratio,
    readable_text_on,
    theme_contrast_failures,
)
from storefleet.brand.models import BrandSettings, ContentPage, HomePage, LandingPage
from storefleet.catalog.models import CatalogPage
from storefleet.marketing.models import LeadFormPage

pytestmark = pytest.mark.django_db


def _get(client, host: str, path: str = "/"):  # type: ignore[no-untyped-def]
    return client.get(path, HTTP_HOST=host)


def _post_brand_settings(client, brand, **changes: str):  # type: ignore[no-untyped-def]
    """Brand settings as the editor's form sends them, with ``changes`` on top."""
    client.force_login(brand.editor)
    url = f"/admin/settings/brand/brandsettings/{brand.store.site_id}/"
    opened = client.get(url, HTTP_HOST="localhost")
    assert opened.status_code == 200, f"{opened.status_code} to {opened.get('Location')}"
    data = {
        "primary_colour": "#0B3D91",
        "accent_colour": "#F28C28",
        "dark_colour": "#16202C",
        "light_colour": "#F3F5F8",
        "heading_font": "industrial",
        "body_font": "industrial",
        "corner_style": "square",
        **changes,
    }
    return client.post(url, data, HTTP_HOST="localhost")


def test_brand_colours_and_fonts_reach_the_page_as_css_custom_properties(client, ferrum):
    settings = BrandSettings.objects.get(site=ferrum.store.site)
    settings.primary_colour = "#123456"
    settings.accent_colour = "#FFD400"
    settings.save()
    body = _get(client, "ferrum.localhost").content.decode()
    assert "--brand-primary: #123456;" in body
    assert "--brand-on-primary: #FFFFFF;" in body
    assert "--brand-on-accent: #111418;" in body  # dark text on a yellow accent
    assert "--brand-font-heading:" in body


def test_readable_text_colour_meets_wcag_aa_on_typical_brand_colours():
    for colour in ("#0B3D91", "#00695C", "#F28C28", "#C6E03A", "#14213D", "#FFFFFF", "#000000"):
        assert contrast_ratio(colour, readable_text_on(colour)) >= 4.5, colour


def test_a_colour_no_text_can_be_read_on_is_a_form_error(client, ferrum):
    response = _post_brand_settings(client, ferrum, accent_colour="#787878")
    assert response.status_code == 200
    assert (
        "White text on the accent colour #787878 (the hero&#x27;s call to action and badges) "
        "has contrast 4.4:1; it needs 4.5:1."
    ) in response.content.decode()
    assert BrandSettings.objects.get(site=ferrum.store.site).accent_colour == "#F28C28"


@pytest.mark.parametrize(
    ("primary", "ratio"), [("#FFFFFF", "1.0"), ("#FFEE00", "1.2"), ("#F28C28", "2.4")]
)
def test_a_primary_colour_the_header_buttons_vanish_on_is_refused_with_the_pair(
    client, ferrum, primary, ratio
):
    # The header's outline buttons and every link draw the primary colour on white.
    before = BrandSettings.objects.get(site=ferrum.store.site).primary_colour
    response = _post_brand_settings(client, ferrum, primary_colour=primary)
    assert response.status_code == 200
    assert (
        f"The primary colour {primary} as text on white (links, the header&#x27;s outline "
        f"buttons, prices) has contrast {ratio}:1; it needs 4.5:1."
    ) in response.content.decode()
    assert BrandSettings.objects.get(site=ferrum.store.site).primary_colour == before


def test_every_pair_the_theme_draws_is_checked_and_named():
    failures = theme_contrast_failures(
        primary="#FFEE00", accent="#16202C", dark="#D0D4DA", light="#999999"
    )
    assert [(f.colour, f.message) for f in failures] == [
        (
            "primary",
            "The primary colour #FFEE00 as text on white (links, the header's outline buttons, "
            "prices) has contrast 1.2:1; it needs 4.5:1.",
        ),
        (
            "primary",
            "The primary colour #FFEE00 as text on the light colour #999999 (links in light "
            "sections, the current catalog category) has contrast 2.3:1; it needs 4.5:1.",
        ),
        (
            "dark",
            "White text on the dark colour #D0D4DA (top bar, hero, footer, the hero's second "
            "button) has contrast 1.4:1; it needs 4.5:1.",
        ),
        (
            "dark",
            "The dark colour #D0D4DA as text on white (the wordmark, the menu button) has "
            "contrast 1.4:1; it needs 4.5:1.",
        ),
        (
            "light",
            "Muted text (#4F5B6B) on the light colour #999999 (light sections, page headers) has "
            "contrast 2.4:1; it needs 4.5:1.",
        ),
    ]
    assert (
        theme_contrast_failures(
            primary="#0B3D91", accent="#F28C28", dark="#14213D", light="#F3F5F8"
        )
        == []
    )
    assert theme_contrast_failures(
        primary="#0B3D91", accent="#16202C", dark="#16202C", light="#F3F5F8"
    ) == [
        theme_contrast_failures(primary="", accent="#16202C", dark="#16202C", light="")[0],
    ]
    # A colour in the wrong format is the format check's to report, not a contrast failure.
    assert theme_contrast_failures(primary="blue", accent="", dark="#14213D", light="#F3F5F8") == []


def test_a_hovered_button_is_checked_brightened_as_the_stylesheet_draws_it():
    assert brightened("#0B3D91") == "#0C429D"
    assert brightened("#FFFFFF") == "#FFFFFF" and brightened("#F0F0F0") == "#FFFFFF"


def test_home_page_is_accessible_html(client, ferrum):
    body = _get(client, "ferrum.localhost").content.decode()
    assert '<html lang="de">' in body or '<html lang="en">' in body
    assert 'class="skip-link" href="#main"' in body
    assert '<main id="main"' in body
    assert '<nav id="site-nav" class="site-nav" aria-label="Main">' in body
    assert body.count("<h1") == 1


class TestPageTypes(WagtailTestUtils):
    def test_page_hierarchy(self):
        assert HomePage.allowed_parent_page_models() == [Page]
        assert set(HomePage.allowed_subpage_models()) == {
            LandingPage,
            ContentPage,
            CatalogPage,
            LeadFormPage,
        }
        assert set(ContentPage.allowed_subpage_models()) == {ContentPage}
        assert HomePage in LandingPage.allowed_parent_page_models()


def test_each_block_renders(client, ferrum):
    home = HomePage.objects.get(pk=ferrum.home.pk)
    home.body = json.dumps(
        [
            {
                "type": "hero",
                "value": {
                    "heading": "Big hero",
                    "eyebrow": "New",
                    "text": "Hello",
                    "image": ferrum.image.pk,
                    "primary_action": {"label": "Go", "page": ferrum.landing.pk, "url": ""},
                    "secondary_action": {"label": "", "page": None, "url": ""},
                },
            },
            {"type": "rich_text", "value": "<p>Rich words</p>"},
            {
                "type": "image_with_text",
                "value": {
                    "image": ferrum.image.pk,
                    "heading": "Side by side",
                    "text": "<p>Text</p>",
                    "image_position": "right",
                    "link": {"label": "More", "page": None, "url": "https://example.com/x"},
                },
            },
            {
                "type": "call_to_action",
                "value": {
                    "heading": "Call us",
                    "text": "",
                    "action": {"label": "Now", "page": ferrum.content.pk, "url": ""},
                },
            },
            {
                "type": "downloads",
                "value": {
                    "heading": "Files",
                    "documents": [{"document": ferrum.document.pk, "label": "Datasheet"}],
                },
            },
            {
                "type": "product_teaser",
                "value": {
                    "heading": "Teaser",
                    "intro": "",
                    "products": [
                        {"sku": "FAS-1001", "title": "Hex bolt", "text": "", "image": None}
                    ],
                },
            },
            {
                "type": "feature_grid",
                "value": {"heading": "Why", "features": [{"title": "Fast", "text": "Yes"}]},
            },
            {
                "type": "stats",
                "value": {
                    "stats": [
                        {"value": "99%", "label": "on time"},
                        {"value": "24h", "label": "dispatch"},
                    ]
                },
            },
        ]
    )
    home.save_revision().publish()
    body = _get(client, "ferrum.localhost").content.decode()
    for text in (
        "Big hero",
        'href="/campaign/"',
        "Rich words",
        "Side by side",
        'href="https://example.com/x"',
        "Call us",
        'href="/about/"',
        "Datasheet",
        "SKU FAS-1001",
        "Why",
        "99%",
    ):
        assert text in body, text


def test_anonymous_pages_are_cached_and_publishing_invalidates_only_that_store(
    client, ferrum, hydra
):
    assert _get(client, "ferrum.localhost")["X-Storefleet-Cache"] == "miss"
    assert _get(client, "ferrum.localhost")["X-Storefleet-Cache"] == "hit"
    assert _get(client, "hydra.localhost")["X-Storefleet-Cache"] == "miss"
    assert _get(client, "hydra.localhost")["X-Storefleet-Cache"] == "hit"

    home = HomePage.objects.get(pk=ferrum.home.pk)
    home.title = "Ferrum renamed"
    home.body = json.dumps([{"type": "rich_text", "value": "<p>Fresh ferrum copy</p>"}])
    home.save_revision().publish()

    response = _get(client, "ferrum.localhost")
    assert response["X-Storefleet-Cache"] == "miss"
    assert "Fresh ferrum copy" in response.content.decode()
    assert _get(client, "hydra.localhost")["X-Storefleet-Cache"] == "hit"


def test_settings_and_media_changes_invalidate_the_store(client, ferrum):
    _get(client, "ferrum.localhost")
    settings = BrandSettings.objects.get(site=ferrum.store.site)
    settings.primary_colour = "#AA0000"
    settings.save()
    response = _get(client, "ferrum.localhost")
    assert response["X-Storefleet-Cache"] == "miss"
    assert "--brand-primary: #AA0000;" in response.content.decode()
    _get(client, "ferrum.localhost")
    ferrum.image.title = "renamed"
    ferrum.image.save()
    assert _get(client, "ferrum.localhost")["X-Storefleet-Cache"] == "miss"


def test_signed_in_requests_bypass_the_page_cache(client, ferrum):
    _get(client, "ferrum.localhost")
    client.force_login(ferrum.editor)
    response = _get(client, "ferrum.localhost")
    assert "X-Storefleet-Cache" not in response


def test_errors_are_not_cached(client, ferrum):
    assert _get(client, "ferrum.localhost", "/nope/").status_code == 404
    response = _get(client, "ferrum.localhost", "/nope/")
    assert response.status_code == 404 and "X-Storefleet-Cache" not in response


def test_scheduled_publishing_goes_live_and_invalidates(client, ferrum):
    _get(client, "ferrum.localhost", "/campaign/")
    draft = LandingPage.objects.get(pk=ferrum.landing.pk)
    draft.intro = "Scheduled launch copy"
    draft.go_live_at = timezone.now() + timedelta(minutes=5)
    revision = draft.save_revision()
    revision.publish()  # schedules it: the live page does not change yet
    assert LandingPage.objects.get(pk=ferrum.landing.pk).intro == ""
    assert (
        "Scheduled launch copy"
        not in _get(client, "ferrum.localhost", "/campaign/").content.decode()
    )
    # Five minutes later, as far as the scheduler can tell:
    past = timezone.now() - timedelta(seconds=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")
    assert LandingPage.objects.get(pk=ferrum.landing.pk).intro == "Scheduled launch copy"
    assert (
        "Scheduled launch copy" in _get(client, "ferrum.localhost", "/campaign/").content.decode()
    )


def test_invalid_colour_is_a_form_error_and_nothing_is_saved(client, ferrum):
    response = _post_brand_settings(client, ferrum, primary_colour="blue")
    assert response.status_code == 200
    assert "Enter a colour as # followed by six hexadecimal digits" in response.content.decode()
    assert BrandSettings.objects.get(site=ferrum.store.site).primary_colour == "#0B3D91"


def test_editor_changes_own_brand_colour(client, ferrum):
    response = _post_brand_settings(
        client, ferrum, primary_colour="#224466", heading_font="technical", corner_style="rounded"
    )
    assert response.status_code == 302
    assert BrandSettings.objects.get(site=ferrum.store.site).primary_colour == "#224466"
