"""What search engines read of each store: robots.txt, sitemaps (pages and the catalog, on the
store's canonical origin, paged at the protocol's limit), canonical links, Open Graph and
structured data — and the walls between stores in all of it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from storefleet.brand import seo
from storefleet.catalog.models import AnonymousPrices
from storefleet.tenants.models import Store, StoreStatus
from storefleet.tenants.services import store_host_map_invalidate
from tests.catalog.factories import assortment_publish, catalog_page_make, products_make

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PORT = 8123


@pytest.fixture
def public(settings):
    settings.STOREFLEET_PUBLIC_SCHEME, settings.STOREFLEET_PUBLIC_PORT = "https", PORT


def _host(world) -> str:
    return world.store.site.hostname


def _locations(client, world, path: str) -> list[str]:
    response = client.get(path, HTTP_HOST=_host(world))
    assert response.status_code == 200, (path, response.status_code)
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text or "" for loc in root.iterfind(".//sm:loc", NS)]


def _json_ld(body: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(found) == 1, found
    data = json.loads(found[0])
    return data if isinstance(data, list) else [data]


def test_robots_txt_lets_crawlers_in_to_the_public_store_and_names_its_sitemap(
    client, ferrum, public
):
    response = client.get("/robots.txt", HTTP_HOST=_host(ferrum))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"Sitemap: https://ferrum.localhost:{PORT}/sitemap.xml" in text
    for private in ("/cart/", "/checkout/", "/account/", "/orders/", "/admin/"):
        assert f"Disallow: {private}\n" in text
    assert "Disallow: /\n" not in text


def test_a_store_that_is_not_live_is_closed_to_crawlers(client, ferrum, public):
    Store.objects.filter(pk=ferrum.store.pk).update(status=StoreStatus.DRAFT)
    store_host_map_invalidate()
    text = client.get("/robots.txt", HTTP_HOST=_host(ferrum)).content.decode()
    assert "Disallow: /\n" in text and "Sitemap:" not in text
    assert client.get("/sitemap.xml", HTTP_HOST=_host(ferrum)).status_code == 404


def test_the_sitemap_lists_each_stores_own_pages_and_products_on_its_origin(
    client, ferrum, hydra, public
):
    products_make(3, prefix="FAS", category="Fasteners")
    products_make(2, start=10, prefix="HYD", category="Hydraulics")
    ferrum_catalog = catalog_page_make(ferrum.home)
    hydra_catalog = catalog_page_make(hydra.home)
    assortment_publish(ferrum_catalog, categories=["Fasteners"])
    assortment_publish(hydra_catalog, categories=["Hydraulics"])

    sections = _locations(client, ferrum, "/sitemap.xml")
    origin = f"https://ferrum.localhost:{PORT}"
    assert sections == [f"{origin}/sitemap-pages.xml", f"{origin}/sitemap-products.xml"]
    pages = _locations(client, ferrum, "/sitemap-pages.xml")
    assert (
        f"{origin}/" in pages and f"{origin}/campaign/" in pages and f"{origin}/catalog/" in pages
    )
    assert all(url.startswith(origin) for url in pages)
    products = _locations(client, ferrum, "/sitemap-products.xml")
    assert products == [f"{origin}/catalog/FAS-{n:04d}/" for n in (1, 2, 3)]
    # The walls: Hydra's sitemap has Hydra's pages and products only.
    hydra_all = _locations(client, hydra, "/sitemap-pages.xml") + _locations(
        client, hydra, "/sitemap-products.xml"
    )
    assert hydra_all and all(
        url.startswith(f"https://hydra.localhost:{PORT}/") for url in hydra_all
    )
    assert not any("FAS-" in url or ferrum.marker.lower() in url for url in hydra_all)
    assert any("HYD-0010" in url for url in hydra_all)


def test_the_product_sitemap_pages_at_the_protocols_limit(client, ferrum, public, monkeypatch):
    monkeypatch.setattr(seo.ProductSitemap, "limit", 2)
    products_make(5)
    catalog_page_make(ferrum.home)
    sections = _locations(client, ferrum, "/sitemap.xml")
    product_pages = [url for url in sections if "products" in url]
    assert len(product_pages) == 3 and product_pages[1].endswith("sitemap-products.xml?p=2")
    assert len(_locations(client, ferrum, "/sitemap-products.xml?p=3")) == 1
    for bad in ("?p=4", "?p=0", "?p=x", "?p=-1"):
        assert client.get(f"/sitemap-products.xml{bad}", HTTP_HOST=_host(ferrum)).status_code == 404
    assert client.get("/sitemap-nothing.xml", HTTP_HOST=_host(ferrum)).status_code == 404


def test_a_page_has_its_canonical_address_open_graph_and_breadcrumbs(client, ferrum, public):
    body = client.get("/campaign/", HTTP_HOST=f"{_host(ferrum)}:9999").content.decode()
    origin = f"https://ferrum.localhost:{PORT}"
    # Whatever host and port were asked, the canonical address is the store's.
    assert f'<link rel="canonical" href="{origin}/campaign/">' in body
    assert f'<meta property="og:url" content="{origin}/campaign/">' in body
    assert f'<meta property="og:title" content="{ferrum.marker} landing">' in body
    organization, trail = _json_ld(body)
    assert organization["@type"] == "Organization" and organization["url"] == f"{origin}/"
    assert trail["@type"] == "BreadcrumbList"
    assert [item["item"] for item in trail["itemListElement"]] == [
        f"{origin}/",
        f"{origin}/campaign/",
    ]


def test_a_product_page_has_product_data_with_an_offer_only_where_list_prices_are_shown(
    client, ferrum, public
):
    products_make(1)
    catalog = catalog_page_make(ferrum.home)
    origin = f"https://ferrum.localhost:{PORT}"
    body = client.get("/catalog/FAS-0001/", HTTP_HOST=_host(ferrum)).content.decode()
    data = {item["@type"]: item for item in _json_ld(body)}
    assert data["Product"]["sku"] == "FAS-0001"
    assert data["Product"]["url"] == f"{origin}/catalog/FAS-0001/"
    assert "offers" not in data["Product"]  # "sign in for your price": no price to the world
    assert [i["name"] for i in data["BreadcrumbList"]["itemListElement"]][-1] == "Hex bolt M1"

    catalog.anonymous_prices = AnonymousPrices.LIST_PRICE
    catalog.save_revision().publish()
    body = client.get("/catalog/FAS-0001/", HTTP_HOST=_host(ferrum)).content.decode()
    offer = {item["@type"]: item for item in _json_ld(body)}["Product"]["offers"]
    assert (offer["price"], offer["priceCurrency"]) == ("0.09", "EUR")


def test_structured_data_cannot_be_closed_by_what_an_editor_writes(client, ferrum, public):
    ferrum.landing.title = "</script><script>alert(1)</script>"
    ferrum.landing.save_revision().publish()
    body = client.get("/campaign/", HTTP_HOST=_host(ferrum)).content.decode()
    assert "<script>alert(1)" not in body
    [_, trail] = _json_ld(body)
    assert trail["itemListElement"][-1]["name"] == "</script><script>alert(1)</script>"


def test_a_buyers_own_pages_are_not_indexed(client, ferrum, public):
    body = client.get("/account/sign-in/", HTTP_HOST=_host(ferrum)).content.decode()
    assert '<meta name="robots" content="noindex">' in body
    assert "application/ld+json" not in body


def test_a_page_that_is_not_there_has_no_canonical_address(client, ferrum, public):
    response = client.get("/no-such-page/INV-0001/", HTTP_HOST=_host(ferrum))
    body = response.content.decode()
    assert response.status_code == 404
    assert '<meta name="robots" content="noindex">' in body
    assert 'rel="canonical"' not in body and "INV-0001" not in body
