"""Product names and descriptions per language, mirrored from the real reference ERP: only what
Tryton really has in a language (not its silent fallback to the source text), in a bounded
number of ERP requests per sync, and kept current by the incremental sync."""

from __future__ import annotations

import pytest
from django.utils import translation

from storefleet.catalog.localized import product_text, translated_languages
from storefleet.catalog.models import Product
from storefleet.erp.gateway import get_gateway
from storefleet.erp.sync import erp_sync
from storefleet.erp.types import SyncCursor
from tests.erp.conftest import point_gateway_at

pytestmark = pytest.mark.django_db

LANGUAGES = ("de", "fr", "ja")


@pytest.fixture
def erp(settings, fresh_erp_server):
    """A fresh ERP of this module's own: these tests write translations to it."""
    if fresh_erp_server.process is None or fresh_erp_server.process.poll() is not None:
        fresh_erp_server.start()
    point_gateway_at(settings, fresh_erp_server)
    return fresh_erp_server


def _seeded(manifest: dict, sku: str) -> dict:
    return next(p for p in manifest["products"] if p["sku"] == sku)


def _template_of(client, sku: str) -> int:
    [row] = client.search_read("product.product", [["code", "=", sku]], ["template"])
    return row["template"]


def test_the_sync_mirrors_every_translation_the_erp_has_and_no_other(erp):
    assert set(LANGUAGES) <= set(translated_languages())
    erp_sync(name="products", full=True)

    manifest = erp.manifest
    for seeded in manifest["products"]:
        product = Product.objects.get(sku=seeded["sku"])
        wanted = {lang: texts for lang, texts in seeded["translations"].items()}
        assert product.translations == wanted, seeded["sku"]
        assert product.description == seeded["description"]
    untranslated = manifest["scenarios"]["untranslated_name_skus"]
    assert untranslated["ja"] and untranslated["fr"] and untranslated["de"]
    assert not Product.objects.get(sku=untranslated["ja"][0]).translations.get("ja", {}).get("name")


def test_one_sync_asks_the_erp_a_bounded_number_of_times_whatever_the_languages(erp, settings):
    gateway = get_gateway()
    total = len(erp.manifest["products"])
    requests = {}
    for languages in ((), LANGUAGES, (*LANGUAGES, "es", "it", "nl")):
        cursor, batches = SyncCursor(), 0
        before = gateway.backend.request_count()
        while True:
            batch = gateway.products_changed_since(cursor=cursor, limit=100, languages=languages)
            batches += 1
            cursor = batch.next_cursor
            if batch.complete:
                break
        requests[languages] = gateway.backend.request_count() - before
        assert batches == total // 100 + 1
    # Products: one read per batch; their texts in every language: one more per batch.
    assert requests[()] <= batches
    assert requests[LANGUAGES] == requests[()] + batches
    assert requests[(*LANGUAGES, "es", "it", "nl")] == requests[LANGUAGES]


def test_a_missing_translation_falls_back_to_the_erps_own_text_and_says_so(erp):
    erp_sync(name="products", full=True)
    untranslated = erp.manifest["scenarios"]["untranslated_name_skus"]
    sku = untranslated["ja"][0]  # a tool or an electrical part: no Japanese name
    product = Product.objects.get(sku=sku)
    seeded = _seeded(erp.manifest, sku)

    japanese = product_text(product, "name", "ja")
    assert (japanese.text, japanese.language, japanese.fallback) == (seeded["name"], "en", True)
    with translation.override("ja"):
        assert product_text(product).fallback
    french = product_text(product, "name", "fr")
    assert (french.text, french.fallback) == (seeded["translations"]["fr"]["name"], False)
    with translation.override("de"):
        assert product_text(product, "name", "ja").note == "(auf Englisch)"
        assert product_text(product, "name", "ja").plain == f"{seeded['name']} (auf Englisch)"


def test_a_french_name_changed_in_tryton_shows_after_the_next_sync(erp):
    erp_sync(name="products", full=True)
    client = erp.client()
    template = _template_of(client, "BRG-1003")
    german = Product.objects.get(sku="BRG-1003").translations["de"]["name"]

    client.model(
        "product.template", "write", [template], {"name": "Roulement renommé"}, language="fr"
    )
    assert product_text(Product.objects.get(sku="BRG-1003"), "name", "fr").text != (
        "Roulement renommé"
    )
    report = erp_sync(name="products")

    assert report.records == 1
    product = Product.objects.get(sku="BRG-1003")
    assert product_text(product, "name", "fr").text == "Roulement renommé"
    assert product.translations["de"]["name"] == german  # the other languages are kept
    assert product.name == _seeded(erp.manifest, "BRG-1003")["name"]


def test_a_translation_added_in_tryton_replaces_the_fallback_after_the_next_sync(erp):
    erp_sync(name="products", full=True)
    sku = erp.manifest["scenarios"]["untranslated_name_skus"]["ja"][0]
    assert product_text(Product.objects.get(sku=sku), "name", "ja").fallback
    client = erp.client()
    client.model(
        "product.template", "write", [_template_of(client, sku)], {"name": "工具"}, language="ja"
    )

    erp_sync(name="products")

    japanese = product_text(Product.objects.get(sku=sku), "name", "ja")
    assert (japanese.text, japanese.language, japanese.fallback) == ("工具", "ja", False)


def test_translations_of_a_renamed_source_are_stale_and_fall_back_visibly(erp):
    """Tryton marks a product's translations fuzzy when its source name changes (and stops
    using them); the mirror follows: the new source name, marked, not the old translation."""
    erp_sync(name="products", full=True)
    client = erp.client()
    client.model(
        "product.template", "write", [_template_of(client, "HYD-1002")], {"name": "New fitting"}
    )

    erp_sync(name="products")

    product = Product.objects.get(sku="HYD-1002")
    german = product_text(product, "name", "de")
    assert (german.text, german.fallback) == ("New fitting", True)
    # The description (the variant's) was not touched: still translated.
    assert product_text(product, "description", "de").fallback is False
