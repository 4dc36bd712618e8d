"""Seed content of a new store: theme, media, page tree, blocks and navigation, built from a
declared description (``brands/<slug>/`` read by ``storefleet.provisioning``).

Media, pages and documents are named by keys in the description; choosers in blocks and links
hold those keys and are turned into ids here, once everything they point at exists."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from storefleet.errors import ApplicationError

from . import demo_media
from .models import BrandSettings, ContentPage, HomePage, LandingPage, NavigationSettings


@dataclass(frozen=True, slots=True)
class SeedPageType:
    """A page type seed content may name: its model and, for a type that has product stories,
    how a page is given them (``(sku, body)`` pairs, bodies as a StreamField takes them)."""

    model: type[Page]
    stories: Callable[[Any, Sequence[tuple[str, Any]]], None] | None = None


# Brand's own page types; other apps register theirs (the catalog its CatalogPage) in their
# AppConfig.ready, so seeding never imports them.
PAGE_TYPES: dict[str, SeedPageType] = {
    "landing": SeedPageType(LandingPage),
    "content": SeedPageType(ContentPage),
}


def register_page_type(
    name: str,
    model: type[Page],
    *,
    stories: Callable[[Any, Sequence[tuple[str, Any]]], None] | None = None,
) -> None:
    """Let seed content make pages of ``model`` under the type ``name`` (once)."""
    known = PAGE_TYPES.get(name)
    if known is not None and known.model is not model:
        raise ValueError(f"seed page type {name!r} is registered already, by {known.model!r}")
    PAGE_TYPES[name] = SeedPageType(model, stories)


CHOOSER_KEYS = {"page": "page", "image": "image", "document": "document"}


@dataclass(frozen=True)
class ThemeSpec:
    primary: str
    accent: str
    dark: str
    light: str
    heading_font: str
    body_font: str
    corners: str
    logo_text: str
    logo_mark: str
    hero_motif: str


@dataclass(frozen=True)
class ContactSpec:
    legal_name: str
    address: tuple[str, ...]
    phone: str = ""
    email: str = ""
    vat_id: str = ""
    registration: str = ""


@dataclass(frozen=True)
class MediaSpec:
    """An image or document drawn at launch: ``kind`` is logo, hero, product or document."""

    key: str
    kind: str
    title: str
    shape: str = "bolt"
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class StorySpec:
    """A product story on a catalog page: the product's SKU and blocks of the story."""

    sku: str
    body: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class PageSpec:
    key: str
    type: str
    title: str
    slug: str
    intro: str = ""
    body: tuple[Mapping[str, Any], ...] = ()
    children: tuple[PageSpec, ...] = ()
    stories: tuple[StorySpec, ...] = ()


@dataclass(frozen=True)
class SeedContent:
    media: tuple[MediaSpec, ...]
    home_intro: str
    home_body: tuple[Mapping[str, Any], ...]
    pages: tuple[PageSpec, ...]
    tagline: str = ""
    logo: str | None = None
    favicon: str | None = None
    primary_links: tuple[Mapping[str, Any], ...] = ()
    footer_columns: tuple[Mapping[str, Any], ...] = ()
    footer_note: str = ""


def _draw(spec: MediaSpec, theme: ThemeSpec, index: int) -> tuple[bytes, str]:
    if spec.kind == "logo":
        return demo_media.logo(
            theme.logo_text, theme.primary, theme.accent, mark=theme.logo_mark
        ), "png"
    if spec.kind == "hero":
        return demo_media.hero(theme.dark, theme.accent, seed=index, motif=theme.hero_motif), "jpg"
    if spec.kind == "product":
        return demo_media.product(spec.shape, theme.primary, seed=index), "jpg"
    if spec.kind == "document":
        return demo_media.pdf(spec.title, list(spec.lines)), "pdf"
    raise ApplicationError(f"Media '{spec.key}': unknown kind '{spec.kind}'.", field="media")


def _media_create(
    specs: tuple[MediaSpec, ...], *, slug: str, theme: ThemeSpec, collection: Collection
) -> dict[str, dict[str, int]]:
    ids: dict[str, dict[str, int]] = {"image": {}, "document": {}}
    for index, spec in enumerate(specs):
        content, extension = _draw(spec, theme, index)
        filename = f"{slug}-{spec.key}.{extension}"
        if spec.kind == "document":
            document = get_document_model()(title=spec.title, collection=collection)
            document.file.save(filename, ContentFile(content), save=False)
            document.save()
            ids["document"][spec.key] = document.pk
        else:
            image = get_image_model()(
                title=spec.title,
                collection=collection,
                file=ImageFile(io.BytesIO(content), name=filename),
            )
            image.save()
            ids["image"][spec.key] = image.pk
    return ids


def _resolve(value: Any, refs: dict[str, dict[str, int]], where: str) -> Any:
    """Block values with chooser keys replaced by ids (``page``, ``image``, ``document``)."""
    if isinstance(value, list | tuple):
        return [_resolve(item, refs, where) for item in value]
    if not isinstance(value, Mapping):
        return value
    resolved = {}
    for name, item in value.items():
        kind = CHOOSER_KEYS.get(name)
        if kind and isinstance(item, str):
            if item not in refs[kind]:
                raise ApplicationError(
                    f"{where}: {kind} '{item}' is not declared in content.yaml.", field="content"
                )
            resolved[name] = refs[kind][item]
        else:
            resolved[name] = _resolve(item, refs, where)
    return resolved


def _stream(
    blocks: tuple[Mapping[str, Any], ...], refs: dict[str, dict[str, int]], where: str
) -> str:
    return json.dumps(
        [
            {"type": block["type"], "value": _resolve(block["value"], refs, where)}
            for block in blocks
        ]
    )


def _pages_create(
    parent: Page, specs: tuple[PageSpec, ...], made: dict[str, tuple[Page, PageSpec]]
) -> None:
    for spec in specs:
        page_type = PAGE_TYPES.get(spec.type)
        if page_type is None:
            raise ApplicationError(
                f"Page '{spec.key}': type '{spec.type}' is not one of {', '.join(PAGE_TYPES)}.",
                field="content",
            )
        page = page_type.model(title=spec.title, slug=spec.slug, intro=spec.intro)
        parent.add_child(instance=page)
        made[spec.key] = (page, spec)
        _pages_create(page, spec.children, made)


@transaction.atomic
def store_content_seed(
    *,
    site: Site,
    collection: Collection,
    slug: str,
    theme: ThemeSpec,
    contact: ContactSpec,
    content: SeedContent,
) -> bool:
    """Give a new store its theme, media, pages and navigation; all or nothing.

    Seed content is a starting point, not a state to enforce: a store whose home page already
    has a body is left alone (marketing owns it by then) and ``False`` is returned."""
    home = HomePage.objects.get(pk=site.root_page_id)
    if home.body:
        return False
    refs = _media_create(content.media, slug=slug, theme=theme, collection=collection)
    made: dict[str, tuple[Page, PageSpec]] = {}
    _pages_create(home, content.pages, made)
    refs["page"] = {key: page.pk for key, (page, _spec) in made.items()}

    for key, (page, spec) in made.items():
        page.body = _stream(spec.body, refs, f"page '{key}'")
        if spec.stories:
            # Stories name products by SKU before the catalog is mirrored: a story shows once
            # its product arrives from the ERP.
            stories = PAGE_TYPES[spec.type].stories
            if stories is None:
                raise ApplicationError(
                    f"Page '{key}': a page of type '{spec.type}' has no product stories.",
                    field="content",
                )
            stories(
                page,
                [
                    (story.sku, _stream(story.body, refs, f"story '{story.sku}'"))
                    for story in spec.stories
                ],
            )
        page.save_revision().publish()
    home.intro = content.home_intro
    home.body = _stream(content.home_body, refs, "home")
    home.save_revision().publish()

    settings = BrandSettings.objects.get(site=site)
    settings.logo_id = refs["image"].get(content.logo) if content.logo else None
    settings.favicon_id = refs["image"].get(content.favicon) if content.favicon else None
    settings.tagline = content.tagline
    settings.primary_colour, settings.accent_colour = theme.primary, theme.accent
    settings.dark_colour, settings.light_colour = theme.dark, theme.light
    settings.heading_font, settings.body_font = theme.heading_font, theme.body_font
    settings.corner_style = theme.corners
    settings.legal_name, settings.address = contact.legal_name, "\n".join(contact.address)
    settings.phone, settings.email = contact.phone, contact.email
    settings.vat_id, settings.registration = contact.vat_id, contact.registration
    settings.full_clean(exclude=["site"])
    settings.save()

    navigation = NavigationSettings.objects.get(site=site)
    navigation.primary_links = _stream(
        tuple({"type": "link", "value": link} for link in content.primary_links), refs, "navigation"
    )
    navigation.footer_columns = _stream(
        tuple({"type": "column", "value": column} for column in content.footer_columns),
        refs,
        "footer",
    )
    navigation.footer_note = content.footer_note
    navigation.save()
    return True
