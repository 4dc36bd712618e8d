from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.images.models import AbstractImage, SourceImageIOError

from storefleet import dates
from storefleet import money as money_format
from storefleet.catalog.localized import LocalizedText, product_text
from storefleet.catalog.models import Product
from storefleet.catalog.offers import smallest_order_quantity

register = template.Library()


@register.filter
def normalize(value: Decimal | None) -> str:
    """12.0000 → 12, 0.5000 → 0.5: quantities as people write them."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


@register.filter
def qty(value: Decimal | None) -> str:
    """A quantity to read (not to put in a form field): 1.250 in German, 1,250 in English."""
    return money_format.format_number(value)


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """An amount (a line, a total, a credit) in the currency's digits and the store's
    notation: ``1.234,56 €``, ``$1,234.56`` (``storefleet.money``)."""
    return money_format.format_money(amount, currency)


@register.filter(expects_localtime=True)
def day(value: datetime.date | None) -> str:
    """A day in the store's language: ``6 Dec 2026``, ``6 décembre 2026`` (``storefleet.dates``)."""
    return dates.format_day(value)


@register.filter(expects_localtime=True)
def day_time(value: datetime.datetime | None) -> str:
    """A moment in the store's language and zone: ``6 Dec 2026, 14:05``."""
    return dates.format_day_time(value)


@register.filter(expects_localtime=True)
def month_day(value: datetime.date | None) -> str:
    """A day of the month in the store's language: ``6 Dec``, ``12月6日``."""
    return dates.format_month_day(value)


@register.filter
def unit_name(name: str | None) -> str:
    """The ERP's unit name in the store's language (``money.unit_label``)."""
    return money_format.unit_label(name or "")


@register.simple_tag
def unit_price(amount: Decimal | None, currency: str, unit: str = "") -> str:
    """A unit price at the ERP's precision, per unit or per 100/1000 units where it has
    fractions of a cent: ``4,05 € / Unit``, ``404,80 € / 100 Unit``."""
    return money_format.format_unit_price(amount, currency, unit)


@register.simple_tag
def order_minimum(product: Product) -> str:
    """The least quantity a buyer can order of ``product``, for a quantity field's min."""
    return normalize(smallest_order_quantity(product))


_SIZE = re.compile(r"(\d+)x(\d+)")
IMAGE_BLOCKS = ("image", "image_with_text")


@register.simple_tag
def story_blocks(
    story: Any, images: Mapping[str, AbstractImage] | None, product: Product
) -> list[tuple[Any, bool]]:
    """The story's blocks, each with whether its image is the one the product page already
    shows as the product's picture (the story's first image, ``selectors.product_images``):
    that block is shown without it, so the page does not show the same picture twice."""
    picture = (images or {}).get(product.sku)
    marked = False
    blocks = []
    for block in story.body:
        shown_above = False
        if not marked and block.block_type in IMAGE_BLOCKS:
            marked = True  # only the first image block is the product's picture
            image = block.value.get("image")
            shown_above = picture is not None and image is not None and image.pk == picture.pk
        blocks.append((block, shown_above))
    return blocks


@register.inclusion_tag("catalog/includes/product_image.html")
def product_image(
    product: Product, images: Mapping[str, AbstractImage] | None, spec: str, css_class: str = ""
) -> dict[str, Any]:
    """The product's image at ``spec`` (a rendition the selectors prefetch), or the catalog's
    placeholder at the same size: width and height always set, loaded lazily, the product's
    name as its text."""
    image = (images or {}).get(product.sku)
    rendition = None
    if image is not None:
        try:
            rendition = image.get_rendition(spec)
        except SourceImageIOError:  # the file is gone: the placeholder, not an error page
            rendition = None
    size = _SIZE.search(spec)
    width, height = size.groups() if size else ("480", "360")
    return {
        "product": product,
        "rendition": rendition,
        "width": width,
        "height": height,
        "css_class": css_class,
    }


def _localized_html(text: LocalizedText) -> SafeString:
    """The text as it is where it is in the page's language; where it stands in for a missing
    translation, with its own ``lang`` and the note that says so (in the page's language)."""
    if not text.fallback:
        return conditional_escape(text.text)
    return format_html(
        '<span lang="{}" data-lang-fallback>{}</span> <small class="lang-fallback">{}</small>',
        text.language,
        text.text,
        text.note,
    )


@register.simple_tag
def product_name(product: Any) -> SafeString:
    """A product's name in the active language (a Product, or an order or quote line that
    names one by SKU), marked where the ERP has none in it: ``localized.product_text``."""
    return _localized_html(product_text(product, "name"))


@register.simple_tag
def product_description(product: Any) -> SafeString:
    """A product's description in the active language, marked like ``product_name``; empty
    where the product has none."""
    text = product_text(product, "description")
    return _localized_html(text) if text.text else mark_safe("")


@register.filter
def product_name_text(product: Any) -> str:
    """The name as plain text (a title, an alt text): with its note where it falls back."""
    return product_text(product, "name").plain
