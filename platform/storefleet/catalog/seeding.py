"""The catalog's part of a new store's seed content (``brand.seeding``): its page type, and
the product stories a catalog page is seeded with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .models import CatalogPage, ProductStory


def catalog_stories_seed(page: CatalogPage, stories: Sequence[tuple[str, Any]]) -> None:
    """Give an unsaved-revision catalog page its product stories, ``(sku, body)`` each."""
    page.stories = [ProductStory(sku=sku, body=body) for sku, body in stories]


def catalog_page_type_register() -> None:
    from storefleet.brand.seeding import register_page_type

    register_page_type("catalog", CatalogPage, stories=catalog_stories_seed)
