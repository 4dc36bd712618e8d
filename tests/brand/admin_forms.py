"""What the Wagtail admin's forms post, built for tests: brand and navigation settings, a brand
page's body, a catalog page's product stories, and the blocks in them that refer to images,
documents and pages by id. Ids are posted as given (strings), so tests can send any id."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Model
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from storefleet.catalog.models import CatalogPage
from tests.factories import BrandWorld

ADMIN = "localhost"

BRAND_SETTINGS = {
    "primary_colour": "#0B3D91",
    "accent_colour": "#F28C28",
    "dark_colour": "#16202C",
    "light_colour": "#F3F5F8",
    "heading_font": "industrial",
    "body_font": "industrial",
    "corner_style": "square",
}


def listblock(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A ListBlock's form data: ``items`` in order."""
    data: dict[str, Any] = {"count": str(len(items))}
    for index, value in enumerate(items):
        data[str(index)] = {"value": value, "deleted": "", "order": str(index), "id": ""}
    return data


def link(page: object = "", *, url: str = "", label: str = "Go") -> dict[str, Any]:
    return {"label": label, "page": str(page), "url": url}


def contentstate(entity_type: str, data: dict[str, Any]) -> str:
    """A rich text field's post (Draftail's contentstate) with one linked word."""
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "a1b2c",
                    "type": "unstyled",
                    "depth": 0,
                    "text": "Read more",
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 9, "key": 0}],
                    "data": {},
                }
            ],
            "entityMap": {"0": {"type": entity_type, "mutability": "MUTABLE", "data": data}},
        }
    )


# -- blocks, each referring to one object by ``ref`` (an id, or whatever a test sends) ---------
def hero(ref: object) -> tuple[str, dict[str, Any]]:
    return (
        "hero",
        {
            "eyebrow": "",
            "heading": "Hero",
            "text": "",
            "image": str(ref),
            "primary_action": link(label=""),
            "secondary_action": link(label=""),
        },
    )


def image_with_text(ref: object) -> tuple[str, dict[str, Any]]:
    return (
        "image_with_text",
        {
            "image": str(ref),
            "heading": "Side by side",
            "text": rich_text("<p>Words</p>"),
            "image_position": "left",
            "link": link(label=""),
        },
    )


def downloads(ref: object) -> tuple[str, dict[str, Any]]:
    return (
        "downloads",
        {"heading": "Downloads", "documents": listblock([{"document": str(ref), "label": ""}])},
    )


def teaser(ref: object) -> tuple[str, dict[str, Any]]:
    item = {"sku": "FAS-1001", "title": "Bolt", "text": "", "image": str(ref)}
    return ("product_teaser", {"heading": "Featured", "intro": "", "products": listblock([item])})


def call_to_action(ref: object) -> tuple[str, dict[str, Any]]:
    return ("call_to_action", {"heading": "Call us", "text": "", "action": link(ref)})


def rich_text_page_link(ref: object) -> tuple[str, str]:
    return ("rich_text", contentstate("LINK", {"id": ref, "url": "/"}))


def rich_text_document_link(ref: object) -> tuple[str, str]:
    return ("rich_text", contentstate("DOCUMENT", {"id": ref}))


def figure(ref: object) -> tuple[str, dict[str, Any]]:
    return ("image", {"image": str(ref), "caption": ""})


# -- forms ---------------------------------------------------------------------------------------
def settings_url(world: BrandWorld, model: str) -> str:
    return f"/admin/settings/brand/{model}/{world.store.site_id}/"


def post_brand_settings(client, world: BrandWorld, **changes: str):  # type: ignore[no-untyped-def]
    return client.post(
        settings_url(world, "brandsettings"), {**BRAND_SETTINGS, **changes}, HTTP_HOST=ADMIN
    )


def post_navigation(  # type: ignore[no-untyped-def]
    client, world: BrandWorld, *, primary: list[Any] = (), footer: list[Any] = ()
):
    data = nested_form_data(
        {
            "primary_links": streamfield([("link", item) for item in primary]),
            "footer_columns": streamfield(
                [("column", {"heading": "Help", "links": listblock(list(footer))})]
                if footer
                else []
            ),
            "footer_note": "",
        }
    )
    return client.post(settings_url(world, "navigationsettings"), data, HTTP_HOST=ADMIN)


def page_form_data(title: str, slug: str, body: list[Any], *, publish: bool = False) -> dict:
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "intro": "",
            "body": streamfield(body),
            "comments": inline_formset([]),
        }
    )
    if publish:
        data["action-publish"] = "action-publish"
    return data


def post_page(client, page: Model, body: list[Any], *, publish: bool = False):  # type: ignore[no-untyped-def]
    """Save (or publish) ``page`` with ``body`` as its blocks, from its edit form."""
    data = page_form_data(page.title, page.slug, body, publish=publish)  # type: ignore[attr-defined]
    return client.post(f"/admin/pages/{page.pk}/edit/", data, HTTP_HOST=ADMIN)


def post_new_page(client, parent: Model, body: list[Any]):  # type: ignore[no-untyped-def]
    data = page_form_data("New page", "new-page", body)
    url = f"/admin/pages/add/brand/contentpage/{parent.pk}/"
    return client.post(url, data, HTTP_HOST=ADMIN)


def post_story(client, catalog: CatalogPage, body: list[Any], *, sku: str = "FAS-0001"):  # type: ignore[no-untyped-def]
    """Save the catalog page with one product story made of ``body``."""
    data = nested_form_data(
        {
            "title": catalog.title,
            "slug": catalog.slug,
            "intro": "",
            "anonymous_prices": "sign_in",
            "per_page": "24",
            "sells": "all",
            "extra_skus": "",
            "stories": inline_formset([{"sku": sku, "body": streamfield(body)}]),
            "comments": inline_formset([]),
        }
    )
    return client.post(f"/admin/pages/{catalog.pk}/edit/", data, HTTP_HOST=ADMIN)


def _messages(error: Any) -> list[str]:
    if isinstance(error, StreamBlockValidationError):
        return [json.dumps(error.as_json_data())]
    if hasattr(error, "error_dict"):
        return [m for errors in error.error_dict.values() for e in errors for m in _messages(e)]
    return [str(m) for m in error.messages]


def _form_messages(form) -> list[str]:  # type: ignore[no-untyped-def]
    return [m for errors in form.errors.as_data().values() for e in errors for m in _messages(e)]


def form_errors(response) -> str:  # type: ignore[no-untyped-def]
    """Every error message of the response's form and its inline forms, as one text."""
    if response.context is None or "form" not in response.context:
        return ""
    form = response.context["form"]
    texts = _form_messages(form)
    for formset in getattr(form, "formsets", {}).values():
        for child in formset.forms:
            texts += _form_messages(child)
    return "\n".join(texts)
