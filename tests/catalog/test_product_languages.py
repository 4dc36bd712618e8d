"""Product names in the buyer's language on every page that shows them, mirrored from the real
reference ERP: the ERP's translation where it has one, else its own (English) text with a
visible note in the page's language and a ``lang`` on the name; never a silent mix.

The language is switched as a store switches it (its default language); another helper builds
the per-language URL prefixes."""

from __future__ import annotations

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from storefleet.accounts.models import Company
from storefleet.api.keys import api_key_create
from storefleet.api.models import KeyKind, Scope
from storefleet.catalog.models import Product
from storefleet.ordering.models import OrderLine
from storefleet.tenants.models import Store
from storefleet.tenants.services import store_host_map_invalidate

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"
LANGUAGES = ("en", "de", "fr", "ja")
# "English" as each page language names it (Django's own catalogue).
ENGLISH = {"de": "Englisch", "fr": "anglais", "ja": "英語"}


def _seeded(erp_server) -> tuple[dict, dict]:
    """A product the ERP has in every language, and one it lacks the Japanese name of."""
    products = erp_server.manifest["products"]

    def named_in(p: dict) -> set[str]:
        return {lang for lang, texts in p["translations"].items() if texts.get("name")}

    full = next(p for p in products if named_in(p) == {"de", "fr", "ja"} and p["description"])
    partial = next(p for p in products if named_in(p) == {"de", "fr"})
    return full, partial


def _expected(seeded: dict, language: str) -> tuple[str, bool]:
    """(the name shown, whether it is the fallback) in ``language``."""
    if language == "en":
        return seeded["name"], False
    translated = seeded["translations"].get(language, {}).get("name")
    return (translated, False) if translated else (seeded["name"], True)


def _speak(store: Store, language: str) -> None:
    Store.objects.filter(pk=store.pk).update(default_language=language)
    store_host_map_invalidate()
    cache.clear()  # the stores' page caches (their key per language is the routing's work)


def _check_name(soup: BeautifulSoup, seeded: dict, language: str, where: str) -> None:
    """The name in the page's language as it is (the page's ``lang`` holds), or the English
    one in an element of its own ``lang`` with the note beside it."""
    text, fallback = _expected(seeded, language)
    assert text in soup.get_text(), f"{where}: {text!r} not shown in {language}"
    marked = [s for s in soup.select("span[data-lang-fallback]") if s.get_text() == text]
    if fallback:
        assert marked, f"{where}: {text!r} shown in {language} without its note"
        for span in marked:
            assert span["lang"] == "en", where
            note = span.find_next_sibling("small", class_="lang-fallback")
            assert note is not None and ENGLISH[language] in note.get_text(), where
    else:
        assert not marked, f"{where}: {text!r} marked as a fallback in {language}"
    if language != "en":
        # Never both: the other language's text of the same product does not appear beside it.
        other = seeded["name"] if not fallback else None
        if other and other != text:
            assert other not in soup.get_text(), f"{where}: English name beside the {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_list_product_page_and_cart_show_the_name_in_the_stores_language(
    client, shop, ferrum, erp_server, language
):
    _gateway, buyer = shop
    client.force_login(buyer)
    full, partial = _seeded(erp_server)
    _speak(ferrum.store, language)
    for seeded in (full, partial):
        response = client.post(
            reverse("ordering:cart_add"),
            {"sku": seeded["sku"], "quantity": "10", "next": "/cart/"},
            HTTP_HOST=FERRUM,
        )
        assert response.status_code in (302, 303), response.content

    for seeded in (full, partial):
        listed = client.get("/catalog/", {"q": seeded["sku"]}, HTTP_HOST=FERRUM)
        assert listed.status_code == 200
        _check_name(BeautifulSoup(listed.content, "html.parser"), seeded, language, "list")

        page = client.get(f"/catalog/{seeded['sku']}/", HTTP_HOST=FERRUM)
        assert page.status_code == 200
        soup = BeautifulSoup(page.content, "html.parser")
        _check_name(soup.select_one("h1"), seeded, language, "product page")
        text, fallback = _expected(seeded, language)
        title = soup.title.get_text()
        assert title.startswith(text) and ((ENGLISH.get(language, "@") in title) == fallback)
        [product_ld] = [
            data
            for script in soup.select('script[type="application/ld+json"]')
            for data in _json_ld(script.string)
            if data.get("@type") == "Product"
        ]
        assert product_ld["name"] == text

    cart = client.get(reverse("ordering:cart"), HTTP_HOST=FERRUM)
    assert cart.status_code == 200
    soup = BeautifulSoup(cart.content, "html.parser")
    for seeded in (full, partial):
        _check_name(soup, seeded, language, "cart")


def _json_ld(raw: str | None) -> list[dict]:
    data = json.loads(raw or "[]")
    items = data if isinstance(data, list) else [data]
    return [i for entry in items for i in (entry.get("@graph", [entry]))]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_description_is_shown_in_the_language_or_marked(
    client, shop, ferrum, erp_server, language
):
    _gateway, buyer = shop
    client.force_login(buyer)
    seeded = next(
        p
        for p in erp_server.manifest["products"]
        if p["description"]
        and "ja"
        not in {lang for lang, texts in p["translations"].items() if texts.get("description")}
    )
    _speak(ferrum.store, language)
    page = client.get(f"/catalog/{seeded['sku']}/", HTTP_HOST=FERRUM)
    paragraph = BeautifulSoup(page.content, "html.parser").select_one("p.product-description")
    translated = seeded["translations"].get(language, {}).get("description")
    if language == "en" or translated:
        assert paragraph.get_text() == (translated or seeded["description"])
        assert paragraph.select_one("[lang], .lang-fallback") is None
    else:
        assert paragraph.select_one("span[lang=en]").get_text() == seeded["description"]
        assert ENGLISH[language] in paragraph.select_one(".lang-fallback").get_text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_quick_order_suggestions_and_search_use_the_stores_language(
    client, shop, ferrum, erp_server, language
):
    _gateway, buyer = shop
    client.force_login(buyer)
    full, partial = _seeded(erp_server)
    _speak(ferrum.store, language)
    for seeded in (full, partial):
        response = client.get(
            reverse("ordering:quick_order_suggestions"), {"q": seeded["sku"]}, HTTP_HOST=FERRUM
        )
        assert response.status_code == 200
        [suggestion] = [s for s in response.json()["suggestions"] if s["sku"] == seeded["sku"]]
        text, fallback = _expected(seeded, language)
        assert suggestion["name"].startswith(text)
        assert (ENGLISH.get(language, "@") in suggestion["name"]) == fallback

    # The list's search finds a product by its name in the page's language.
    text, _ = _expected(full, language)
    found = client.get("/catalog/", {"q": text}, HTTP_HOST=FERRUM)
    skus = {h["data-sku"] for h in BeautifulSoup(found.content, "html.parser").select("[data-sku]")}
    assert full["sku"] in skus


@pytest.mark.parametrize("language", LANGUAGES)
def test_order_lines_and_e_mails_name_the_product_in_the_language(shop, erp_server, language):
    """An order, a quote or a sale names its products by SKU and the name of when it was made:
    the tag shows the mirrored product's text in the page's language."""
    full, partial = _seeded(erp_server)
    html = Template("{% load catalog_tags %}{% product_name line %}")
    text_only = Template("{% load catalog_tags %}{{ line|product_name_text }}")
    for seeded in (full, partial):
        line = OrderLine(sku=seeded["sku"], name=seeded["name"])
        with translation.override(language):
            rendered = BeautifulSoup(html.render(Context({"line": line})), "html.parser")
            plain = text_only.render(Context({"line": line}))
        _check_name(rendered, seeded, language, "order line")
        text, fallback = _expected(seeded, language)
        assert plain.startswith(text) and (ENGLISH.get(language, "@") in plain) == fallback


def test_a_product_the_catalog_no_longer_has_keeps_its_ordered_name_marked(shop):
    line = OrderLine(sku="GONE-1", name="Discontinued gasket")
    with translation.override("de"):
        html = Template("{% load catalog_tags %}{% product_name line %}").render(
            Context({"line": line})
        )
    assert 'lang="en"' in html and "Discontinued gasket" in html and "(auf Englisch)" in html
    assert not Product.objects.filter(sku="GONE-1").exists()


@pytest.mark.parametrize(
    ("accept", "language"),
    [("", "de"), ("fr-FR,fr;q=0.9", "fr"), ("ja", "ja"), ("en", "en"), ("xx-YY;q=bad", "en")],
)
def test_the_api_names_products_in_the_language_asked_for(
    client, shop, ferrum, erp_server, accept, language
):
    """Accept-Language chooses (one the platform knows, else English); without it, the
    store's own language. ``name_language`` says which language ``name`` is in."""
    full, partial = _seeded(erp_server)
    _speak(ferrum.store, "de")
    company = Company.objects.get(code="C-1001")
    _key, text = api_key_create(
        name="names",
        kind=KeyKind.COMPANY,
        scopes=[Scope.CATALOG_READ],
        expires_at=timezone.now() + datetime.timedelta(days=1),
        company=company,
        store=Store.objects.get(pk=ferrum.store.pk),
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {text}"}
    if accept:
        headers["HTTP_ACCEPT_LANGUAGE"] = accept
    response = client.get(
        "/api/v1/catalog/products",
        {"sku": f"{full['sku']},{partial['sku']}"},
        HTTP_HOST=FERRUM,
        **headers,
    )
    assert response.status_code == 200, response.content
    items = {item["sku"]: item for item in response.json()["items"]}
    for seeded in (full, partial):
        text_shown, fallback = _expected(seeded, language)
        assert items[seeded["sku"]]["name"] == text_shown
        assert items[seeded["sku"]]["name_language"] == ("en" if fallback else language)
