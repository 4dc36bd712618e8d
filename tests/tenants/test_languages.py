"""A store in several languages: the default unprefixed, the others under their prefix, for
Wagtail pages and the storefront's own views; a language the store does not speak is a 404;
untranslated pages fall back visibly; the switcher, and the page cache per language."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from storefleet.brand.models import ContentPage, HomePage
from storefleet.tenants.locale import store_locale
from storefleet.tenants.models import Store
from tests.factories import make_store
from tests.module_world import module_world_for, shared_or_built
from tests.tenants.multilingual import ferrum_german_first, publish_translation

pytestmark = pytest.mark.django_db

HOST = "ferrum.localhost"


def _hydra_en() -> Store:
    return make_store("hydra", "Hydra Flow Systems", currency="USD", country="US")


@pytest.fixture(scope="module")
def module_ferrum_de(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """German-first Ferrum built once for the module (``tests.module_world.module_world_for``):
    its pages, products and languages cost about a second a test."""
    with module_world_for(
        request, django_db_blocker, "ferrum_de", lambda _s: ferrum_german_first().pk
    ) as world:
        yield world


@pytest.fixture(scope="module")
def module_hydra_en(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with module_world_for(
        request, django_db_blocker, "hydra_en", lambda _s: _hydra_en().pk
    ) as world:
        yield world


@pytest.fixture
def ferrum_de(module_ferrum_de, db) -> Store:
    return shared_or_built(module_ferrum_de, _store, ferrum_german_first)


@pytest.fixture
def hydra_en(module_hydra_en, db) -> Store:
    return shared_or_built(module_hydra_en, _store, _hydra_en)


def _store(pk: int) -> Store:
    return Store.objects.get(pk=pk)


def get(client, path: str, host: str = HOST):
    return client.get(path, HTTP_HOST=host)


KINDS = {
    "home": "",
    "content page": "about/",
    "catalog": "catalog/",
    "product": "catalog/FAS-0001/",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("language", "prefix"), [("de", "/"), ("en", "/en/"), ("fr", "/fr/")])
def test_every_page_kind_in_every_declared_language(client, ferrum_de, kind, language, prefix):
    response = get(client, prefix + KINDS[kind])

    assert response.status_code == 200, (prefix + KINDS[kind], response.status_code)
    assert response["Content-Language"] == language
    html = BeautifulSoup(response.content, "html.parser")
    assert html.html["lang"] == language


@pytest.mark.parametrize("view", ["cart", "checkout"])
@pytest.mark.parametrize(("language", "prefix"), [("de", "/"), ("en", "/en/"), ("fr", "/fr/")])
def test_storefront_views_keep_the_language_in_their_redirects(
    client, ferrum_de, view, language, prefix
):
    response = get(client, f"{prefix}{view}/")

    assert response["Content-Language"] == language
    if response.status_code == 302:  # anonymous: to sign in, in the same language
        assert response["Location"].startswith(f"{prefix}account/"), response["Location"]
    else:
        assert response.status_code == 200


def test_reversed_urls_follow_the_language_and_the_store_default(ferrum_de, hydra_en):
    with store_locale(ferrum_de, "fr"):
        assert reverse("ordering:cart") == "/fr/cart/"
    with store_locale(ferrum_de):
        assert reverse("ordering:cart") == "/cart/"
    with store_locale(ferrum_de, "en"):
        assert reverse("ordering:cart") == "/en/cart/"
    # English is Hydra's default: unprefixed there, in the same process.
    with store_locale(hydra_en, "en"):
        assert reverse("ordering:cart") == "/cart/"


@pytest.mark.parametrize("path", ["/es/", "/es/catalog/", "/es/cart/"])
def test_a_language_the_store_does_not_declare_is_its_branded_404(client, ferrum_de, path):
    response = get(client, path)

    assert response.status_code == 404
    assert b"Ferrum" in response.content
    assert b"Produkte" not in response.content


def test_another_stores_languages_are_not_this_ones(client, ferrum_de, hydra_en):
    assert get(client, "/fr/", "hydra.localhost").status_code == 404
    assert get(client, "/de/about/", "hydra.localhost").status_code == 404
    assert get(client, "/fr/", HOST).status_code == 200


def test_the_default_languages_own_prefix_redirects_to_the_unprefixed_path(client, ferrum_de):
    response = get(client, "/de/catalog/?page=2")

    assert response.status_code == 301
    assert response["Location"] == "/catalog/?page=2"


def test_an_untranslated_page_is_the_default_languages_with_a_notice(client, ferrum_de):
    response = get(client, "/fr/about/")

    html = BeautifulSoup(response.content, "html.parser")
    notice = html.select_one(".language-notice")
    assert notice is not None
    # In French (the language names from Django's French catalogue; the sentence too once the
    # platform's French catalogue has it).
    text = notice.get_text(strip=True)
    assert "Français" in text and "Allemand" in text, text
    assert notice["lang"] == "fr"
    assert html.select_one("main")["lang"] == "de"
    assert "Über uns" in html.select_one("main").get_text()


def test_a_published_translation_is_served_without_notice(client, ferrum_de):
    home = HomePage.objects.get(pk=ferrum_de.site.root_page_id)
    publish_translation(home, "fr", "Ferrum")
    about = ContentPage.objects.get(slug="about", locale__language_code="de")
    publish_translation(about, "fr", "À propos")

    response = get(client, "/fr/about/")

    html = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert html.select_one(".language-notice") is None
    assert "À propos" in html.select_one("main").get_text()
    # German is still German, English still falls back to German.
    assert "Über uns" in get(client, "/about/").content.decode()
    english = BeautifulSoup(get(client, "/en/about/").content, "html.parser")
    assert english.select_one(".language-notice") is not None


def test_the_switcher_offers_each_language_by_its_own_name(client, ferrum_de):
    response = get(client, "/fr/about/")

    nav = BeautifulSoup(response.content, "html.parser").select_one("nav.language-switcher")
    assert nav is not None and nav["aria-label"] == "Langue"
    links = [(a.get_text(strip=True), a["href"], a.get("aria-current")) for a in nav.select("a")]
    assert links == [
        ("Deutsch", "/about/", None),
        ("English", "/en/about/", None),
        ("français", "/fr/about/", "true"),
    ]


def test_the_switcher_on_a_storefront_view_keeps_the_path(client, ferrum_de):
    response = get(client, "/en/account/sign-in/")

    nav = BeautifulSoup(response.content, "html.parser").select_one("nav.language-switcher")
    assert [a["href"] for a in nav.select("a")] == [
        "/account/sign-in/",
        "/en/account/sign-in/",
        "/fr/account/sign-in/",
    ]


def test_the_notice_is_in_the_visitors_language(client, ferrum_de):
    response = get(client, "/en/about/")

    notice = BeautifulSoup(response.content, "html.parser").select_one(".language-notice")
    assert notice.get_text(strip=True) == (
        "This page is not yet available in English; shown in German."
    )


def test_a_one_language_store_has_no_switcher(client, hydra_en):
    response = get(client, "/", "hydra.localhost")

    assert response.status_code == 200
    assert b"language-switcher" not in response.content


def test_the_page_cache_keeps_each_language_apart(client, ferrum_de):
    german = get(client, "/about/")
    french = get(client, "/fr/about/")
    german_again = get(client, "/about/")
    french_again = get(client, "/fr/about/")

    assert (german["X-Storefleet-Cache"], french["X-Storefleet-Cache"]) == ("miss", "miss")
    assert (german_again["X-Storefleet-Cache"], french_again["X-Storefleet-Cache"]) == (
        "hit",
        "hit",
    )
    assert b"language-notice" not in german_again.content
    assert b"language-notice" in french_again.content
    assert german_again["Content-Language"] == "de"
    assert french_again["Content-Language"] == "fr"
    assert re.search(rb'<html lang="fr"', french_again.content)


# --- search engines: hreflang and the sitemap per language ---------------------------------------

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _alternates(response) -> dict[str, str]:
    html = BeautifulSoup(response.content, "html.parser")
    return {link["hreflang"]: link["href"] for link in html.select('link[rel="alternate"]')}


def _locations(client, path: str) -> list[str]:
    import xml.etree.ElementTree as ET

    response = get(client, path)
    assert response.status_code == 200, path
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text for loc in root.iterfind(".//sm:loc", SITEMAP_NS)]


def test_hreflang_is_reciprocal_across_the_stores_published_languages(client, ferrum_de):
    home = HomePage.objects.get(pk=ferrum_de.site.root_page_id)
    about = ContentPage.objects.get(slug="about", locale__language_code="de")
    for language in ("en", "fr"):
        publish_translation(home, language, "Ferrum")
        publish_translation(about, language, "About")
    origin = ferrum_de.base_url

    expected = {
        "de": f"{origin}/about/",
        "en": f"{origin}/en/about/",
        "fr": f"{origin}/fr/about/",
        "x-default": f"{origin}/about/",
    }
    for path in ("/about/", "/en/about/", "/fr/about/"):
        assert _alternates(get(client, path)) == expected, path


def test_an_untranslated_page_names_no_alternates_and_the_original_as_canonical(client, ferrum_de):
    response = get(client, "/fr/about/")

    assert _alternates(response) == {}
    canonical = BeautifulSoup(response.content, "html.parser").select_one('link[rel="canonical"]')
    assert canonical["href"] == f"{ferrum_de.base_url}/about/"


def test_publishing_a_translation_retires_the_stores_cached_pages(client, ferrum_de):
    assert b"language-notice" in get(client, "/fr/").content
    assert get(client, "/fr/")["X-Storefleet-Cache"] == "hit"
    home = HomePage.objects.get(pk=ferrum_de.site.root_page_id)

    publish_translation(home, "fr", "Ferrum France")

    response = get(client, "/fr/")
    assert response["X-Storefleet-Cache"] == "miss"
    assert b"language-notice" not in response.content


def test_the_sitemap_has_sections_per_language(client, ferrum_de):
    from storefleet.catalog.models import CatalogPage
    from tests.catalog.factories import assortment_publish

    assortment_publish(
        CatalogPage.objects.get(locale__language_code="de"), categories=["Fasteners"]
    )
    home = HomePage.objects.get(pk=ferrum_de.site.root_page_id)
    publish_translation(home, "fr", "Ferrum")
    origin = ferrum_de.base_url
    # No French catalog page yet: the products are listed in German only.
    assert _locations(client, "/sitemap.xml")[-1] == f"{origin}/sitemap-pages-fr.xml"
    publish_translation(CatalogPage.objects.get(locale__language_code="de"), "fr", "Produits")

    sections = _locations(client, "/sitemap.xml")
    assert sections == [
        f"{origin}/sitemap-pages.xml",
        f"{origin}/sitemap-products.xml",
        f"{origin}/sitemap-pages-en.xml",
        f"{origin}/sitemap-pages-fr.xml",
        f"{origin}/sitemap-products-fr.xml",
    ]
    assert f"{origin}/about/" in _locations(client, "/sitemap-pages.xml")
    # Only what is published in French; nothing in English yet.
    assert _locations(client, "/sitemap-pages-fr.xml") == [f"{origin}/fr/", f"{origin}/fr/catalog/"]
    assert _locations(client, "/sitemap-pages-en.xml") == []
    assert _locations(client, "/sitemap-products-fr.xml") == [
        f"{origin}/fr/catalog/FAS-0001/",
        f"{origin}/fr/catalog/FAS-0002/",
    ]
    assert get(client, "/sitemap-pages-es.xml").status_code == 404
