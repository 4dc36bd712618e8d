"""A store's page tree in its other languages (Wagtail's locales).

The store's own tree is in its default language's Locale; each other language it declares gets
a copy of that tree in its Locale, made as drafts: nothing is shown in a language until an
editor has translated and published it (until then the storefront shows the default
language's page and says so, ``brand.localization``)."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Locale, Page


def locale_for(*, language: str) -> Locale:
    """The Wagtail Locale of ``language``, made the first time a store declares it."""
    locale, _ = Locale.objects.get_or_create(language_code=language)
    return locale


def translation_roots(*, home: Page) -> list[Page]:
    """The store's home page and its translations (each the root of one language's tree)."""
    return list(home.get_translations(inclusive=True).select_related("locale").order_by("path"))


@transaction.atomic
def page_tree_translate(*, home: Page, language: str) -> int:
    """Copy every page of the tree under ``home`` (itself included) that has no translation in
    ``language`` yet, as a draft of that language, under its parent's translation. Idempotent:
    a second run finds every copy made and makes none. Returns how many pages were copied."""
    locale = locale_for(language=language)
    if home.locale_id == locale.pk:
        return 0
    made = 0
    for page in home.get_descendants(inclusive=True).order_by("path").specific():
        if page.has_translation(locale):
            continue
        parent = page.get_parent()
        if parent is not None and not parent.is_root() and not parent.has_translation(locale):
            continue  # its parent could not be copied: an editor translates both later
        page.copy_for_translation(locale)
        made += 1
    return made
