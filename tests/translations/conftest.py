"""Two stores in several languages, made with Wagtail's own API (``copy_for_translation``) as a
store's launch does: ferrum in English, French and German, hydra in English and French; their
editors, and translators limited to one language of one store."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Locale, Page

from storefleet.translations.services import translator_add
from tests.factories import PASSWORD, BrandWorld


@dataclass
class Languages:
    """A brand and its pages per language code (``pages[code]["landing"]``)."""

    world: BrandWorld
    pages: dict[str, dict[str, Page]] = field(default_factory=dict)
    translators: dict[str, object] = field(default_factory=dict)


def paragraph(block_id: str, text: str) -> dict:
    return {"type": "rich_text", "value": f"<p>{text}</p>", "id": block_id}


def translate(page: Page, code: str) -> Page:
    """``page`` copied into ``code`` (its parents too), a draft, as a launch or the Translate
    screen makes it."""
    locale, _created = Locale.objects.get_or_create(language_code=code)
    return page.copy_for_translation(locale, copy_parents=True).specific


def store_in(world: BrandWorld, codes: list[str]) -> Languages:
    landing = world.landing
    landing.body = [paragraph("b1", "Steel bolts"), paragraph("b2", "Shipped in 24 hours")]
    landing.save_revision().publish()
    languages = Languages(world=world)
    languages.pages["en"] = {"home": world.home, "landing": landing, "content": world.content}
    for code in codes:
        home = translate(world.home, code)
        pages = {
            "home": home,
            "landing": translate(Page.objects.get(pk=landing.pk).specific, code),
            "content": translate(world.content, code),
        }
        # Each translation titled apart, so that a response shows which one it lists.
        for name, page in pages.items():
            page.title = page.draft_title = f"{world.marker} {name} {code.upper()}"
            page.save(update_fields=["title", "draft_title"])
        languages.pages[code] = pages
        user = get_user_model().objects.create_user(
            f"{world.store.slug}.{code}", f"{world.store.slug}.{code}@example.com", PASSWORD
        )
        translator_add(store=world.store, language=code, user=user)
        languages.translators[code] = user
    return languages


@pytest.fixture
def stores(ferrum, hydra) -> dict[str, Languages]:
    return {"ferrum": store_in(ferrum, ["fr", "de"]), "hydra": store_in(hydra, ["fr"])}
