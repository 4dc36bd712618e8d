"""What search engines read, beyond what tests/brand/test_seo.py covers: hreflang between a
page's translations (reciprocal on every page of the set), a page's own social image, what
robots.txt keeps out, and every page of the demo stores as a crawler walks them: each sitemap
entry answers, has its canonical address, valid structured data with schema.org's required
fields, and hreflang links that name each other back."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page

from storefleet.brand.models import HomePage
from storefleet.catalog.models import AnonymousPrices, CatalogPage
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate
from tests.catalog.factories import products_make
from tests.factories import make_store

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PORT = 8123
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture
def public(settings):
    settings.STOREFLEET_PUBLIC_SCHEME, settings.STOREFLEET_PUBLIC_PORT = "https", PORT


def _get(client, url: str):
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.get(path, HTTP_HOST=parts.hostname)


def _alternates(body: str) -> list[tuple[str, str]]:
    return ALTERNATE.findall(body)


def _reciprocal_errors(client, url: str, body: str) -> list[str]:
    """What is wrong with the page's hreflang set: each page it names must name the same set
    (and so this page) back."""
    errors = []
    alternates = _alternates(body)
    if not alternates:
        return errors
    if url not in {href for _language, href in alternates}:
        errors.append(f"{url} does not name itself")
    for language, href in alternates:
        if language == "x-default":
            continue
        other = _get(client, href)
        if other.status_code != 200:
            errors.append(f"{url}: alternate {href} answers {other.status_code}")
        elif _alternates(other.content.decode()) != alternates:
            errors.append(f"{href} does not name {url}'s set back")
    return errors


def test_robots_txt_keeps_crawlers_out_of_the_api_and_quotes(client, ferrum, public):
    text = client.get("/robots.txt", HTTP_HOST="ferrum.localhost").content.decode()
    for private in ("/api/", "/quotes/", "/cart/", "/checkout/", "/account/"):
        assert f"Disallow: {private}\n" in text


def test_a_page_with_translations_names_each_of_them_and_is_named_back(client, ferrum, public):
    # A store per language: the German one speaks German (its tree in the German Locale).
    german = make_store(
        "ferrum-de", "Ferrum Industrial DE", hostname="de.ferrum.localhost", languages=("de",)
    )
    german_locale = Locale.objects.get(language_code="de")
    german_home = HomePage.objects.get(pk=german.site.root_page_id)
    german_home.translation_key, german_home.locale = ferrum.home.translation_key, german_locale
    german_home.save_revision().publish()
    german_landing = ferrum.landing.copy_for_translation(german_locale)
    german_landing.title = "Kampagne"
    german_landing.save_revision().publish()
    store_host_map_invalidate()

    english_url = f"https://ferrum.localhost:{PORT}/campaign/"
    german_url = f"https://de.ferrum.localhost:{PORT}/campaign/"
    body = _get(client, english_url).content.decode()
    assert _alternates(body) == [
        ("de", german_url),
        ("en", english_url),
        ("x-default", english_url),
    ]
    assert _reciprocal_errors(client, english_url, body) == []
    german_body = _get(client, german_url).content.decode()
    assert _alternates(german_body) == _alternates(body)
    # A page without a translation names none.
    assert (
        _alternates(_get(client, f"https://ferrum.localhost:{PORT}/about/").content.decode()) == []
    )


def test_a_translation_on_a_store_that_is_not_live_is_not_named(client, ferrum, public):
    from storefleet.tenants.models import StoreStatus

    german = make_store(
        "ferrum-de",
        "Ferrum DE",
        hostname="de.ferrum.localhost",
        status=StoreStatus.DRAFT,
        languages=("de",),
    )
    german_locale = Locale.objects.get(language_code="de")
    german_home = HomePage.objects.get(pk=german.site.root_page_id)
    german_home.translation_key, german_home.locale = ferrum.home.translation_key, german_locale
    german_home.save_revision().publish()
    ferrum.landing.copy_for_translation(german_locale).save_revision().publish()
    store_host_map_invalidate()
    body = client.get("/campaign/", HTTP_HOST="ferrum.localhost").content.decode()
    assert _alternates(body) == []


def test_a_page_shares_its_own_social_image_and_else_the_logo(client, ferrum, public):
    ferrum.landing.social_image = ferrum.image
    ferrum.landing.save_revision().publish()
    body = client.get("/campaign/", HTTP_HOST="ferrum.localhost").content.decode()
    [image] = re.findall(r'<meta property="og:image" content="([^"]+)">', body)
    assert image.startswith(f"https://ferrum.localhost:{PORT}/") and "fill-1200x630" in image
    about = client.get("/about/", HTTP_HOST="ferrum.localhost").content.decode()
    assert "fill-1200x630" not in about


# --- every page of the demo stores -------------------------------------------------------------


def _check_structured_data(url: str, body: str) -> list[str]:
    errors = []
    found = JSON_LD.findall(body)
    if len(found) != 1:
        return [f"{url}: {len(found)} JSON-LD scripts"]
    try:
        data = json.loads(found[0])
    except ValueError as error:
        return [f"{url}: JSON-LD is not JSON ({error})"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    for item in data if isinstance(data, list) else [data]:
        kind = item.get("@type")
        if item.get("@context") != "https://schema.org":
            errors.append(f"{url}: {kind} without the schema.org context")
        required = {
            "Organization": ("name", "url"),
            "BreadcrumbList": ("itemListElement",),
            "Product": ("name", "sku", "url"),
        }.get(kind)
        if required is None:
            errors.append(f"{url}: unexpected type {kind}")
            continue
        errors += [f"{url}: {kind} without {name}" for name in required if not item.get(name)]
        for element in item.get("itemListElement", []):
            if not (element.get("name") and element.get("item", "").startswith(origin)):
                errors.append(f"{url}: breadcrumb {element} off the store's origin")
        positions = [e.get("position") for e in item.get("itemListElement", [])]
        if positions != list(range(1, len(positions) + 1)):
            errors.append(f"{url}: breadcrumb positions {positions}")
        offer = item.get("offers")
        if offer is not None:
            Decimal(offer["price"])  # a number, as schema.org's price is
            if not (offer.get("priceCurrency") and offer.get("@type") == "Offer"):
                errors.append(f"{url}: offer without currency")
            if offer.get("availability", "https://schema.org/").split("/")[-1] not in (
                "",
                "InStock",
                "OutOfStock",
                "BackOrder",
            ):
                errors.append(f"{url}: availability {offer['availability']}")
    return errors


@pytest.fixture
def demo_stores(settings, tmp_path, public):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    call_command("demo_stores", stdout=io.StringIO())
    # After the launch: with a mirror, its plan would want the featured products' SKUs.
    products_make(3, prefix="FAS", category="Fasteners", codes=("FAS",))
    products_make(2, start=20, prefix="HYD", category="Hydraulics", codes=("HYD",))
    # Ferrum shows anonymous visitors its list prices: its products carry an offer.
    for catalog in CatalogPage.objects.descendant_of(
        Page.objects.get(pk=Store.objects.get(slug="ferrum").site.root_page_id)
    ):
        catalog.anonymous_prices = AnonymousPrices.LIST_PRICE
        catalog.save_revision().publish()
    # Hydra's Japanese, on its own host (brands/hydra/store.toml): its home, catalog and
    # contact form published in Japanese, so that its host's sitemap lists them.
    hydra_home = Page.objects.get(pk=Store.objects.get(slug="hydra").site.root_page_id)
    japanese = Locale.objects.get(language_code="ja")
    for page in [hydra_home, *hydra_home.get_children().filter(slug__in=("catalog", "contact"))]:
        page.get_translation(japanese).specific.save_revision().publish()
    return Store.objects.order_by("slug")


def _sitemap(client, url: str) -> list[str]:
    response = _get(client, url)
    assert response.status_code == 200, url
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text or "" for loc in root.iterfind(".//sm:loc", NS)]


def test_every_page_of_the_demo_stores_is_listed_answers_and_reads_right(client, demo_stores):
    errors: list[str] = []
    own = {"ferrum": {"FAS-0001", "FAS-0002", "FAS-0003"}, "hydra": {"HYD-0020", "HYD-0021"}}
    # Each host of each store: its own, and its languages' own (Hydra's Japanese).
    hosts = [
        (store, host)
        for store in demo_stores
        for host in (store.site.hostname, *store.language_hosts.values())
    ]
    assert ("hydra", "hydra-ja.localhost") in [(store.slug, host) for store, host in hosts]
    for store, host in hosts:
        origin = f"https://{host}:{PORT}"
        urls = [
            url
            for section in _sitemap(client, f"{origin}/sitemap.xml")
            for url in _sitemap(client, section)
        ]
        # The walls: a host's sitemap lists its own addresses only, products of its store's
        # assortment only.
        assert urls and all(url.startswith(f"{origin}/") for url in urls), host
        skus = {url.rstrip("/").rsplit("/", 1)[-1] for url in urls if "/catalog/" in url}
        assert skus - {"catalog"} == own[store.slug], host
        assert f"{origin}/contact/" in urls  # the seeded contact sales form
        for url in urls:
            response = _get(client, url)
            if response.status_code != 200:
                errors.append(f"{url}: {response.status_code}")
                continue
            body = response.content.decode()
            if CANONICAL.findall(body) != [url]:
                errors.append(f"{url}: canonical {CANONICAL.findall(body)}")
            errors += _check_structured_data(url, body)
            errors += _reciprocal_errors(client, url, body)
    assert errors == []
    # Ferrum shows list prices to anonymous visitors: its products' data carries the offer.
    body = _get(client, f"https://ferrum.localhost:{PORT}/catalog/FAS-0002/").content.decode()
    [product] = [i for i in json.loads(JSON_LD.findall(body)[0]) if i["@type"] == "Product"]
    assert (product["offers"]["price"], product["offers"]["priceCurrency"]) == ("0.09", "EUR")


def test_the_demo_stores_contact_sales_is_their_form_not_a_mail_client(client, demo_stores):
    for store in demo_stores:
        body = client.get("/", HTTP_HOST=store.site.hostname).content.decode()
        assert 'class="topbar__contact-sales" href="/contact/"' in body
        assert 'href="mailto:' not in body.split('<header class="site-header">')[0]
        # The home page's call to action leads to the form too.
        assert body.count('href="/contact/"') >= 3
        form = client.get("/contact/", HTTP_HOST=store.site.hostname)
        assert form.status_code == 200 and 'name="email"' in form.content.decode()


def test_a_sitemap_is_kept_until_a_publish_or_a_product_sync(
    client, ferrum, public, django_assert_max_num_queries
):
    from tests.catalog.factories import catalog_page_make

    products_make(2)
    catalog_page_make(ferrum.home)
    origin = f"https://ferrum.localhost:{PORT}"
    first = _sitemap(client, f"{origin}/sitemap-products.xml")
    assert first == [f"{origin}/catalog/FAS-0001/", f"{origin}/catalog/FAS-0002/"]
    with django_assert_max_num_queries(2):  # kept: no product or page is read again
        again = _get(client, f"{origin}/sitemap-products.xml")
    assert again["X-Robots-Tag"] == "noindex, noodp, noarchive"
    products_make(1, start=3)  # a product sync moves every store's content version on
    assert _sitemap(client, f"{origin}/sitemap-products.xml")[-1] == f"{origin}/catalog/FAS-0003/"
    ferrum.content.title = "About Ferrum"
    ferrum.content.slug = "about-ferrum"
    ferrum.content.save_revision().publish()
    assert f"{origin}/about-ferrum/" in _sitemap(client, f"{origin}/sitemap-pages.xml")
