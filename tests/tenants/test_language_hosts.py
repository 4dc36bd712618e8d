"""A language on a host of its own (store.toml's ``[store.hosts]``): served there unprefixed by
the same store, its prefix on the store's host redirected there and the other languages'
prefixes on its host redirected to theirs; every link written for it (switcher, hreflang,
canonical, sitemap, robots.txt, structured data, e-mails) on its host; a buyer signs in there."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache

from storefleet.brand.models import ContentPage, HomePage
from storefleet.errors import ApplicationError
from storefleet.tenants.locale import language_url, store_locale
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_for_hostname
from storefleet.tenants.services import store_language_hosts_apply
from tests.factories import PASSWORD, make_store
from tests.module_world import module_world_for, shared_or_built
from tests.tenants.multilingual import ferrum_german_first, publish_translation

pytestmark = pytest.mark.django_db

HOST = "ferrum.localhost"
FR = "ferrum.fr.localhost"
PORT = 8123
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def public(settings):
    settings.STOREFLEET_PUBLIC_SCHEME, settings.STOREFLEET_PUBLIC_PORT = "https", PORT


def _ferrum_with_french_host() -> Store:
    """Ferrum in German (default), English under /en/ and French on its own host."""
    store = ferrum_german_first()
    assert store_language_hosts_apply(store=store, hosts={"fr": FR}) is True
    store.refresh_from_db()
    cache.clear()
    return store


@pytest.fixture(scope="module")
def module_ferrum(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The store built once for the module (``tests.module_world.module_world_for``): its
    pages, products, languages and host cost about a second a test."""
    with module_world_for(
        request, django_db_blocker, "ferrum", lambda _s: _ferrum_with_french_host().pk
    ) as world:
        yield world


@pytest.fixture
def ferrum(module_ferrum, public, db) -> Store:
    return shared_or_built(
        module_ferrum, lambda pk: Store.objects.get(pk=pk), _ferrum_with_french_host
    )


def get(client, path: str, host: str = HOST):
    return client.get(path, HTTP_HOST=host)


def publish_french(store: Store) -> None:
    home = HomePage.objects.get(pk=store.site.root_page_id)
    publish_translation(home, "fr", "Ferrum")
    about = ContentPage.objects.get(slug="about", locale__language_code="de")
    publish_translation(about, "fr", "À propos", slug="a-propos")


# --- routing -----------------------------------------------------------------------------------


def test_the_language_host_is_the_same_store(ferrum):
    assert store_for_hostname(FR).id == ferrum.id
    assert store_for_hostname(FR.upper()).id == ferrum.id
    assert store_for_hostname(HOST).id == ferrum.id


@pytest.mark.parametrize("path", ["/", "/about/", "/catalog/", "/catalog/FAS-0001/", "/cart/"])
def test_the_language_host_serves_its_language_unprefixed(client, ferrum, path):
    response = get(client, path, FR)

    assert response["Content-Language"] == "fr"
    if response.status_code == 302:  # the cart: to sign in, on the same host, unprefixed
        assert response["Location"].startswith("/account/sign-in/"), response["Location"]
    else:
        assert response.status_code == 200, (path, response.status_code)
        assert BeautifulSoup(response.content, "html.parser").html["lang"] == "fr"


def test_the_stores_host_serves_the_other_languages_as_before(client, ferrum):
    assert get(client, "/about/")["Content-Language"] == "de"
    assert get(client, "/en/about/")["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/fr/", f"https://{FR}:{PORT}/"),
        ("/fr", f"https://{FR}:{PORT}/"),
        ("/fr/catalog/?page=2", f"https://{FR}:{PORT}/catalog/?page=2"),
        ("/fr/cart/", f"https://{FR}:{PORT}/cart/"),
    ],
)
def test_the_languages_prefix_on_the_stores_host_moves_to_its_host(client, ferrum, path, location):
    response = get(client, path)

    assert response.status_code == 301
    assert response["Location"] == location


@pytest.mark.parametrize(
    ("path", "location"),
    [
        # The default language: unprefixed on the store's host.
        ("/de/about/", f"https://{HOST}:{PORT}/about/"),
        # Another language: under its prefix on the store's host.
        ("/en/catalog/?page=2", f"https://{HOST}:{PORT}/en/catalog/?page=2"),
        # Its own prefix: unprefixed on its own host.
        ("/fr/about/", "/about/"),
    ],
)
def test_the_language_host_sends_other_languages_to_their_place(client, ferrum, path, location):
    response = get(client, path, FR)

    assert response.status_code == 301
    assert response["Location"] == location


def test_a_language_the_store_does_not_speak_is_a_404_on_the_language_host(client, ferrum):
    response = get(client, "/es/", FR)

    assert response.status_code == 404
    assert b"Ferrum" in response.content


def test_reversed_urls_in_the_hosted_language_are_unprefixed(ferrum):
    from django.urls import reverse

    with store_locale(ferrum, "fr"):
        assert reverse("ordering:cart") == "/cart/"
    with store_locale(ferrum, "en"):
        assert reverse("ordering:cart") == "/en/cart/"
    assert language_url(ferrum, "fr", "/cart/") == f"https://{FR}:{PORT}/cart/"
    assert language_url(ferrum, "en", "/cart/") == f"https://{HOST}:{PORT}/en/cart/"
    assert language_url(ferrum, "de", "/cart/") == f"https://{HOST}:{PORT}/cart/"


def test_the_page_cache_keeps_the_hosts_apart(client, ferrum):
    german = get(client, "/about/")
    french = get(client, "/about/", FR)
    french_again = get(client, "/about/", FR)

    assert german["Content-Language"] == "de"
    assert (french["Content-Language"], french_again["Content-Language"]) == ("fr", "fr")
    assert french_again["X-Storefleet-Cache"] == "hit"
    assert b'<html lang="fr"' in french_again.content


# --- what the pages write ------------------------------------------------------------------------


def _switcher(response) -> list[tuple[str, str]]:
    nav = BeautifulSoup(response.content, "html.parser").select_one("nav.language-switcher")
    return [(a.get_text(strip=True), a["href"]) for a in nav.select("a")]


def test_the_switcher_links_each_language_on_its_host(client, ferrum):
    publish_french(ferrum)
    publish_translation(HomePage.objects.get(pk=ferrum.site.root_page_id), "en", "Ferrum")
    publish_translation(
        ContentPage.objects.get(slug="about", locale__language_code="de"), "en", "About"
    )

    on_store_host = _switcher(get(client, "/about/"))
    on_language_host = _switcher(get(client, "/a-propos/", FR))

    assert on_store_host == [
        ("Deutsch", "/about/"),
        ("English", "/en/about/"),
        ("français", f"https://{FR}:{PORT}/a-propos/"),
    ]
    assert on_language_host == [
        ("Deutsch", f"https://{HOST}:{PORT}/about/"),
        ("English", f"https://{HOST}:{PORT}/en/about/"),
        ("français", "/a-propos/"),
    ]


def test_the_switcher_on_a_storefront_view_keeps_the_path_across_hosts(client, ferrum):
    response = get(client, "/account/sign-in/", FR)

    assert [href for _name, href in _switcher(response)] == [
        f"https://{HOST}:{PORT}/account/sign-in/",
        f"https://{HOST}:{PORT}/en/account/sign-in/",
        "/account/sign-in/",
    ]


def _alternates(response) -> dict[str, str]:
    html = BeautifulSoup(response.content, "html.parser")
    return {link["hreflang"]: link["href"] for link in html.select('link[rel="alternate"]')}


def _canonical(response) -> str:
    html = BeautifulSoup(response.content, "html.parser")
    return html.select_one('link[rel="canonical"]')["href"]


def test_hreflang_and_canonical_name_the_language_host(client, ferrum):
    publish_french(ferrum)
    home = HomePage.objects.get(pk=ferrum.site.root_page_id)
    about = ContentPage.objects.get(slug="about", locale__language_code="de")
    publish_translation(home, "en", "Ferrum")
    publish_translation(about, "en", "About")
    expected = {
        "de": f"https://{HOST}:{PORT}/about/",
        "en": f"https://{HOST}:{PORT}/en/about/",
        "fr": f"https://{FR}:{PORT}/a-propos/",
        "x-default": f"https://{HOST}:{PORT}/about/",
    }

    for host, path in ((HOST, "/about/"), (HOST, "/en/about/"), (FR, "/a-propos/")):
        response = get(client, path, host)
        assert _alternates(response) == expected, (host, path)
        assert _canonical(response) == f"https://{host}:{PORT}{path}"


def test_an_untranslated_page_on_the_language_host_names_the_original_as_canonical(client, ferrum):
    response = get(client, "/about/", FR)

    assert b"language-notice" in response.content
    assert _canonical(response) == f"https://{HOST}:{PORT}/about/"


def test_structured_data_is_on_the_language_host(client, ferrum):
    publish_french(ferrum)

    body = get(client, "/a-propos/", FR).content.decode()

    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    items = json.loads(data)
    organization = next(i for i in items if i["@type"] == "Organization")
    crumbs = next(i for i in items if i["@type"] == "BreadcrumbList")
    assert organization["url"] == f"https://{FR}:{PORT}/"
    assert [e["item"] for e in crumbs["itemListElement"]] == [
        f"https://{FR}:{PORT}/",
        f"https://{FR}:{PORT}/a-propos/",
    ]


def _locations(client, host: str, path: str) -> list[str]:
    response = get(client, path, host)
    assert response.status_code == 200, (host, path)
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text or "" for loc in root.iterfind(".//sm:loc", SITEMAP_NS)]


def test_robots_and_the_sitemap_of_the_language_live_on_its_host(client, ferrum):
    from storefleet.catalog.models import CatalogPage

    publish_french(ferrum)
    publish_translation(CatalogPage.objects.get(locale__language_code="de"), "fr", "Produits")
    fr, de = f"https://{FR}:{PORT}", f"https://{HOST}:{PORT}"

    robots = get(client, "/robots.txt", FR).content.decode()
    assert f"Sitemap: {fr}/sitemap.xml\n" in robots
    assert f"Sitemap: {de}/sitemap.xml\n" in get(client, "/robots.txt").content.decode()
    assert _locations(client, FR, "/sitemap.xml") == [
        f"{fr}/sitemap-pages-fr.xml",
        f"{fr}/sitemap-products-fr.xml",
    ]
    assert _locations(client, HOST, "/sitemap.xml") == [
        f"{de}/sitemap-pages.xml",
        f"{de}/sitemap-products.xml",
        f"{de}/sitemap-pages-en.xml",
    ]
    assert _locations(client, FR, "/sitemap-pages-fr.xml") == [
        f"{fr}/",
        f"{fr}/a-propos/",
        f"{fr}/catalog/",
    ]
    assert _locations(client, FR, "/sitemap-products-fr.xml") == [
        f"{fr}/catalog/FAS-0001/",
        f"{fr}/catalog/FAS-0002/",
    ]
    # Each host its own sections: French is not listed on the store's host, nor German there.
    assert get(client, "/sitemap-pages-fr.xml").status_code == 404
    assert get(client, "/sitemap-pages.xml", FR).status_code == 404


# --- e-mails, signing in ------------------------------------------------------------------------


def test_a_lead_acknowledgement_in_the_hosted_language_links_its_host(ferrum, mailoutbox):
    from storefleet.marketing.models import Lead
    from storefleet.marketing.notifications import lead_acknowledge

    lead = Lead.objects.create(
        store=ferrum,
        key="lead-1",
        name="Anne",
        email="anne@example.com",
        language="fr",
        form_data={},
    )

    assert lead_acknowledge(lead_id=lead.id) is True
    assert f"https://{FR}:{PORT}/\n" in mailoutbox[0].body


def test_a_buyer_signs_in_on_the_language_host(client, ferrum):
    from tests.accounts.conftest import make_company

    buyer = make_company("C-ACME", "Acme Machining", 501, [ferrum]).buyer
    page = get(client, "/account/sign-in/", FR)
    assert page.status_code == 200

    response = client.post(
        "/account/sign-in/",
        {"username": buyer.email, "password": PASSWORD},
        HTTP_HOST=FR,
    )

    assert response.status_code == 302, response.content[:500]
    assert not response["Location"].startswith("http"), response["Location"]  # this host
    account = get(client, "/account/", FR)
    assert account.status_code == 200
    assert account["Content-Language"] == "fr"


# --- the service's refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hosts", "message"),
    [
        ({"de": "ferrum.de.localhost"}, "'de' is the store's default language"),
        ({"es": "ferrum.es.localhost"}, "'es' has a host (ferrum.es.localhost) but is not one"),
        ({"fr": HOST}, "'fr' is given the store's own host ferrum.localhost"),
        ({"fr": "hydra.localhost"}, "the host hydra.localhost of 'fr' is the host of the store"),
        (
            {"fr": "same.localhost", "en": "same.localhost"},
            "are given the same host same.localhost",
        ),
    ],
)
def test_the_service_refuses_a_host_that_is_not_the_languages_to_take(ferrum, hosts, message):
    make_store("hydra", "Hydra Flow Systems", currency="USD", country="US")

    with pytest.raises(ApplicationError) as refused:
        store_language_hosts_apply(store=ferrum, hosts=hosts)

    assert message in refused.value.message
    ferrum.refresh_from_db()
    assert ferrum.language_hosts == {"fr": FR}  # nothing half-written


def test_another_stores_language_host_is_taken(ferrum):
    hydra = make_store("hydra", "Hydra Flow Systems", languages=("en", "fr"))

    with pytest.raises(ApplicationError) as refused:
        store_language_hosts_apply(store=hydra, hosts={"fr": FR})

    assert f"the host {FR} of 'fr' is the fr host of the store 'ferrum'" in refused.value.message
    hydra.refresh_from_db()
    assert hydra.language_hosts == {}


def test_applying_the_same_hosts_again_changes_nothing_and_removing_them_restores_the_prefix(
    client, ferrum
):
    assert store_language_hosts_apply(store=ferrum, hosts={"fr": FR}) is False
    assert store_language_hosts_apply(store=ferrum, hosts={}) is True

    assert store_for_hostname(FR) is None
    assert get(client, "/fr/about/")["Content-Language"] == "fr"
    assert get(client, "/", FR).status_code == 404
