"""Product stories on the storefront: the live story of the store's own catalog page below the
product's facts, never a draft (except in the editor's preview), never another store's."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.files.images import ImageFile
from django.urls import reverse
from wagtail.images import get_image_model

from storefleet.catalog.models import CatalogPage, ProductStory
from tests.catalog.factories import (
    assortment_publish,
    catalog_form_data,
    catalog_page_make,
    products_make,
    story_body,
    story_publish,
)
from tests.factories import png_bytes

pytestmark = pytest.mark.django_db

FERRUM = "ferrum.localhost"


def _body(client, path: str, host: str = FERRUM) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200, path
    return response.content.decode()


def test_a_story_shows_below_the_facts_of_its_product_in_its_store_only(
    client, ferrum, hydra, catalog
):
    products_make(2)
    story_publish(
        catalog, "FAS-0001", "Ferrum story", image=ferrum.image.pk, document=ferrum.document.pk
    )
    story_publish(catalog_page_make(hydra.home), "FAS-0001", "Hydra story")

    body = _body(client, "/catalog/FAS-0001/")
    assert body.index('class="product-facts"') < body.index('class="product-story"')
    assert "<p>Ferrum story</p>" in body
    assert "Ferrum story sheet" in body
    assert f'href="{ferrum.document.url}"' in body
    assert "/images/ferrum" in body  # a rendition of the brand's own image
    assert "Hydra" not in body
    assert 'class="product-story"' not in _body(client, "/catalog/FAS-0002/")

    other = _body(client, "/catalog/FAS-0001/", host="hydra.localhost")
    assert "<p>Hydra story</p>" in other and "Ferrum" not in other


def test_a_draft_story_waits_for_publishing_and_publishing_refreshes_the_cache(client, catalog):
    products_make(1)
    assert 'class="product-story"' not in _body(client, "/catalog/FAS-0001/")  # now cached
    page = CatalogPage.objects.get(pk=catalog.pk)
    page.stories.add(ProductStory(sku="FAS-0001", body=story_body("Coming soon")))
    page.save_revision()
    assert "Coming soon" not in _body(client, "/catalog/FAS-0001/")
    client.cookies["sessionid"] = "bypass-the-page-cache"
    assert "Coming soon" not in _body(client, "/catalog/FAS-0001/")
    del client.cookies["sessionid"]

    page.get_latest_revision().publish()
    response = client.get("/catalog/FAS-0001/", HTTP_HOST=FERRUM)
    assert "Coming soon" in response.content.decode()
    assert response.headers["X-Storefleet-Cache"] == "miss"


def test_the_editor_previews_a_drafted_story_on_its_product_page(client, ferrum, catalog):
    products_make(1)
    client.force_login(ferrum.editor)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[catalog.pk])
    data = catalog_form_data(stories=[("FAS-0001", "Draft words")], publish=False)
    assert client.post(url, data, HTTP_HOST="localhost").json()["is_valid"] is True

    preview = client.get(f"{url}?mode=product:FAS-0001", HTTP_HOST="localhost")
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "<h1>Hex bolt M1</h1>" in body and "Draft words" in body
    assert "Draft words" not in _body(client, "/catalog/FAS-0001/")
    listing = client.get(url, HTTP_HOST="localhost").content.decode()
    assert "1 product" in listing


def test_preview_modes_name_each_storys_product(catalog):
    page = CatalogPage.objects.get(pk=catalog.pk)
    page.stories = [
        ProductStory(sku="FAS-0001", body=story_body("a")),
        ProductStory(sku="FAS-0002", body=story_body("b")),
    ]
    assert page.preview_modes == [
        ("", "Product list"),
        ("product:FAS-0001", "Product FAS-0001"),
        ("product:FAS-0002", "Product FAS-0002"),
    ]


def test_a_story_of_a_product_the_store_does_not_sell_shows_nowhere(client, catalog):
    products_make(1)
    products_make(1, start=50, category="Bearings", prefix="BRG")
    story_publish(catalog, "BRG-0050", "Not here")
    assortment_publish(catalog, categories=["Fasteners"])
    assert client.get("/catalog/BRG-0050/", HTTP_HOST=FERRUM).status_code == 404


def _pictures(body: str) -> list[str]:
    """The image files the page shows (each rendition's file name without its size)."""
    return [
        m.split(".")[0]
        for m in re.findall(r'<img[^>]* src="/media/stores/ferrum/images/([^"]+)"', body)
    ]


def test_the_storys_first_image_is_shown_once_as_the_products_picture(client, ferrum, catalog):
    """The product's picture is its story's first image: the story does not show it again
    (an image block is left out, an image-with-text block keeps its text), a later image does."""
    products_make(2)
    other = get_image_model().objects.create(
        title="Second picture",
        collection=ferrum.store.collection,
        file=ImageFile(io.BytesIO(png_bytes("#00ff00")), name="second.png"),
    )
    page = CatalogPage.objects.get(pk=catalog.pk)
    first = {
        "image": ferrum.image.pk,
        "image_position": "left",
        "heading": "The bolt behind it all",
        "text": "<p>Rolled threads</p>",
        "link": {"label": "", "page": None, "url": ""},
    }
    body = [
        {"type": "image_with_text", "value": first},
        {"type": "image", "value": {"image": other.pk, "caption": "In the mill"}},
    ]
    page.stories.add(ProductStory(sku="FAS-0001", body=json.dumps(body)))
    page.save_revision().publish()

    shown = _body(client, "/catalog/FAS-0001/")
    pictures = _pictures(shown)
    assert len([p for p in pictures if p.startswith("ferrum")]) == 1, pictures
    assert len([p for p in pictures if p.startswith("second")]) == 1, pictures
    assert "The bolt behind it all</h2>" in shown and "<p>Rolled threads</p>" in shown
    assert "split--text-only" in shown and "<figcaption>In the mill</figcaption>" in shown

    # A first image block that is the picture is left out, caption and all.
    story_publish(catalog, "FAS-0002", "Plain story", image=ferrum.image.pk)
    plain = _body(client, "/catalog/FAS-0002/")
    assert len([p for p in _pictures(plain) if p.startswith("ferrum")]) == 1
    assert "Plain story figure" not in plain and "<p>Plain story</p>" in plain
