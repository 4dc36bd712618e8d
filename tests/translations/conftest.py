"""Two stores in several languages, made with Wagtail's own API (``copy_for_translation``) as a
store's launch does: ferrum in English, French and German, hydra in English and French; their
editors, and translators limited to one language of one store."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Locale, Page

from storefleet.translations.services import translator_add
from tests.factories import BRANDS, PASSWORD, BrandKeys, BrandWorld, build_brand
from tests.module_world import SettingsWhileBuilding, module_world_for, shared_or_built


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


@dataclass(frozen=True)
class LanguagesKeys:
    """``Languages`` by primary key, for stores built once per module (``tests.module_world``):
    each test reads its own instances."""

    world: BrandKeys
    pages: dict[str, dict[str, int]]
    translators: dict[str, int]

    @classmethod
    def of(cls, languages: Languages) -> LanguagesKeys:
        return cls(
            world=BrandKeys.of(languages.world),
            pages={
                code: {name: page.pk for name, page in pages.items()}
                for code, pages in languages.pages.items()
            },
            translators={code: user.pk for code, user in languages.translators.items()},  # type: ignore[attr-defined]
        )

    def read(self) -> Languages:
        users = get_user_model().objects
        return Languages(
            world=self.world.read(),
            pages={
                code: {name: Page.objects.get(pk=pk).specific for name, pk in pages.items()}
                for code, pages in self.pages.items()
            },
            translators={code: users.get(pk=pk) for code, pk in self.translators.items()},
        )


def _stores() -> dict[str, Languages]:
    return {
        "ferrum": store_in(build_brand(*BRANDS["ferrum"]), ["fr", "de"]),
        "hydra": store_in(build_brand(*BRANDS["hydra"]), ["fr"]),
    }


def _stores_build(_settings: SettingsWhileBuilding) -> dict[str, LanguagesKeys]:
    return {name: LanguagesKeys.of(languages) for name, languages in _stores().items()}


@pytest.fixture(scope="module")
def module_stores(request, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The two stores in their languages, built once for the module in a transaction rolled
    back after it (three pages copied into three languages, and the translators: about a
    second and a half a test before), where every database test of the module takes them."""
    with module_world_for(request, django_db_blocker, "stores", _stores_build) as world:
        yield world


@pytest.fixture
def stores(module_stores, db) -> dict[str, Languages]:
    """Each test's own instances of the module's stores (each test runs in a savepoint)."""

    def read(keys: dict[str, LanguagesKeys]) -> dict[str, Languages]:
        return {name: languages.read() for name, languages in keys.items()}

    return shared_or_built(module_stores, read, _stores)
