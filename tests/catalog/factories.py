"""Builders for catalog test data: products as the ERP sync writes them, catalog pages as editors
place them, stories as editors write them."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from storefleet.brand.models import HomePage
from storefleet.catalog.models import CatalogPage, Category, ProductStory, Sells
from storefleet.catalog.services import products_upsert
from storefleet.erp.types import ProductRecord
from storefleet.money import Money

WRITTEN = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)


def products_make(
    count: int,
    *,
    start: int = 1,
    category: str = "Fasteners",
    prefix: str = "FAS",
    codes: tuple[str, ...] = (),
) -> None:
    """``count`` products ``<prefix>-<number>`` from ``start``; number 1 has ordering rules."""
    products_upsert(
        records=[
            ProductRecord(
                erp_id=number,
                sku=f"{prefix}-{number:04d}",
                name=f"Hex bolt M{number}" if prefix == "FAS" else f"{category} item {number}",
                unit="Unit",
                salable=True,
                active=True,
                min_quantity=Decimal("100") if number == 1 else None,
                multiple=Decimal("50.0000") if number == 1 else None,
                categories=(category,),
                list_price=Money(Decimal("0.0900"), "EUR"),
                erp_write_date=WRITTEN,
                category_codes=codes,
            )
            for number in range(start, start + count)
        ]
    )


def catalog_page_make(home: HomePage, title: str = "Products", **fields: Any) -> CatalogPage:
    page = CatalogPage(title=title, slug="catalog", per_page=24, **fields)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def story_body(text: str, **blocks: Any) -> str:
    """A story's StreamField value: a rich-text paragraph, then e.g. ``image=<id>`` (a figure)
    or ``document=<id>`` (a download)."""
    stream: list[dict[str, Any]] = [{"type": "rich_text", "value": f"<p>{text}</p>"}]
    if "image" in blocks:
        stream.append(
            {"type": "image", "value": {"image": blocks["image"], "caption": f"{text} figure"}}
        )
    if "document" in blocks:
        stream.append(
            {
                "type": "downloads",
                "value": {
                    "heading": "Downloads",
                    "documents": [{"document": blocks["document"], "label": f"{text} sheet"}],
                },
            }
        )
    return json.dumps(stream)


def assortment_publish(page: CatalogPage, *, categories: list[str], skus: str = "") -> None:
    """Make the page sell only these categories (by name) and SKUs, and publish it."""
    page = CatalogPage.objects.get(pk=page.pk)
    page.sells = Sells.ASSORTMENT
    page.categories = list(Category.objects.filter(name__in=categories))
    page.extra_skus = skus
    page.save_revision().publish()


def story_publish(page: CatalogPage, sku: str, text: str, **blocks: Any) -> ProductStory:
    """Add a story to the page and publish the page, as an editor would."""
    page = CatalogPage.objects.get(pk=page.pk)
    story = ProductStory(sku=sku, body=story_body(text, **blocks))
    page.stories.add(story)
    page.save_revision().publish()
    return ProductStory.objects.get(page=page, sku=sku)


def catalog_form_data(
    *,
    stories: Sequence[tuple[str, str]] = (),
    sells: str = "all",
    categories: Sequence[int] = (),
    extra_skus: str = "",
    publish: bool = True,
) -> dict[str, Any]:
    """What the catalog page's edit form posts: ``stories`` as (SKU, text) pairs."""
    data = nested_form_data(
        {
            "title": "Products",
            "slug": "catalog",
            "intro": "",
            "anonymous_prices": "sign_in",
            "per_page": "24",
            "sells": sells,
            "extra_skus": extra_skus,
            "stories": inline_formset(
                [
                    {
                        "sku": sku,
                        "body": streamfield([("rich_text", rich_text(f"<p>{text}</p>"))]),
                    }
                    for sku, text in stories
                ]
            ),
            "comments": inline_formset([]),
        }
    )
    data["categories"] = list(categories)
    if publish:
        data["action-publish"] = "action-publish"
    return data
