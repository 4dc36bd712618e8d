"""Reads of the catalog.

A store sells every product or an assortment (its catalog page's categories and extra SKUs).
The storefront's lists and product pages, and the ordering app through
:func:`product_for_store` and :func:`store_sells`, only ever see what the store sells."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.http import HttpRequest
from wagtail.images import get_image_model
from wagtail.images.models import AbstractImage
from wagtail.models import Page

from storefleet.brand.seo import SitemapProducts

from .models import CatalogPage, Category, Product, ProductStory
from .types import EVERYTHING, Assortment

if TYPE_CHECKING:
    from storefleet.tenants.selectors import StoreRecord

# Keyed by the store's content version, which publishing its catalog page moves on: an entry is
# never stale, only unused, and expires.
ASSORTMENT_CACHE_SECONDS = 60 * 60
# The renditions product images are shown in: list thumbnails, grid cards, the product page.
IMAGE_RENDITIONS = ("fill-96x96", "fill-480x360", "max-640x480")


def product_list(
    *, active_only: bool = True, assortment: Assortment = EVERYTHING
) -> QuerySet[Product]:
    products = Product.objects.select_related("category").filter(assortment.scope())
    return products.filter(active=True, salable=True) if active_only else products


def product_count() -> int:
    return Product.objects.count()


def category_list(*, assortment: Assortment = EVERYTHING) -> list[Category]:
    """Categories with products on sale in the assortment."""
    return list(_categories(assortment).order_by("name"))


def _categories(assortment: Assortment) -> QuerySet[Category]:
    # One filter() call: the conditions hold for the same product.
    return Category.objects.filter(
        assortment.scope("products__"), products__active=True, products__salable=True
    ).distinct()


def product_for_sku(sku: str, *, assortment: Assortment = EVERYTHING) -> Product | None:
    return product_list(assortment=assortment).filter(sku=sku).first()


def skus_in_catalog(skus: Iterable[str]) -> dict[str, str]:
    """The mirrored products among ``skus`` (active or not), matched regardless of case: the
    upper-case SKU → the SKU as the catalog spells it."""
    wanted = {sku.upper() for sku in skus}
    if not wanted:
        return {}
    return dict(
        Product.objects.annotate(upper_sku=Upper("sku"))
        .filter(upper_sku__in=wanted)
        .values_list("upper_sku", "sku")
    )


def catalog_page_for_store(*, store: StoreRecord) -> CatalogPage | None:
    """The store's live catalog page (the first in tree order, should there be several)."""
    root_path = Page.objects.filter(pk=store.root_page_id).values_list("path", flat=True).first()
    if root_path is None:
        return None
    return CatalogPage.objects.live().filter(path__startswith=root_path).order_by("path").first()


def store_assortment(*, store: StoreRecord) -> Assortment:
    """What the store sells, as its live catalog page says; every product when it has none.
    Read from the cache, or in three queries."""
    key = f"catalog:assortment:v1:{store.id}:{store.content_version}"
    assortment = cache.get(key)
    if assortment is None:
        page = catalog_page_for_store(store=store)
        assortment = page.assortment() if page is not None else EVERYTHING
        cache.set(key, assortment, ASSORTMENT_CACHE_SECONDS)
    return assortment


def sitemap_products(request: HttpRequest, store: StoreRecord) -> SitemapProducts | None:
    """The store's products for its sitemap, on its live catalog page's address (registered
    with ``brand.seo``); None when the store has no live catalog page."""
    catalog = catalog_page_for_store(store=store)
    path = catalog.relative_url(None, request) if catalog is not None else None
    if not path:
        return None

    def products() -> QuerySet[Product]:
        return (
            product_list(assortment=store_assortment(store=store))
            .select_related(None)
            .only("sku", "erp_write_date")
            .order_by("sku")
        )

    return SitemapProducts(catalog_path=path, products=products)


def product_for_store(*, store: StoreRecord, sku: str) -> Product | None:
    """The product with this SKU if the store sells it: active, salable and in its assortment."""
    return product_for_sku(sku, assortment=store_assortment(store=store))


def store_sells(*, store: StoreRecord, skus: Iterable[str]) -> set[str]:
    """Which of ``skus`` the store sells (as :func:`product_for_store`), in one query."""
    wanted = set(skus)
    if not wanted:
        return set()
    products = product_list(assortment=store_assortment(store=store)).filter(sku__in=wanted)
    return set(products.values_list("sku", flat=True))


def product_images(*, page: CatalogPage, skus: Iterable[str]) -> dict[str, AbstractImage]:
    """Each product's image in this store: the first image of its story on the store's catalog
    page (the only images of products the catalog has; the story's form keeps them the
    store's own). Two queries, three with renditions to fetch: ``rendition`` is prefetched."""
    wanted = set(skus)
    if not wanted:
        return {}
    first: dict[str, int] = {}
    for story in page.stories.filter(sku__in=wanted):
        image_id = _first_image(story.body.raw_data)
        if image_id is not None and story.sku not in first:
            first[story.sku] = image_id
    if not first:
        return {}
    images = get_image_model().objects.filter(pk__in=set(first.values()))
    by_id = {image.pk: image for image in images.prefetch_renditions(*IMAGE_RENDITIONS)}
    return {sku: by_id[image_id] for sku, image_id in first.items() if image_id in by_id}


def _first_image(blocks: Iterable[Any]) -> int | None:
    for block in blocks:
        if not isinstance(block, dict):
            continue
        value = block.get("value")
        if block.get("type") in ("image", "image_with_text") and isinstance(value, dict):
            image_id = value.get("image")
            if isinstance(image_id, int):
                return image_id
    return None


def product_story(*, page: CatalogPage, sku: str) -> ProductStory | None:
    """The page's story for the SKU: as published on a live page, as drafted in a preview (a
    preview's page holds its stories in memory)."""
    return page.stories.filter(sku=sku).first()


SCHEMA_ORG = "https://schema.org/"


def schema_availability(store: StoreRecord, sku: str) -> str:
    """schema.org's word for one unit of ``sku`` in the store's warehouse (in stock, on back
    order with a date, out of stock), from the ERP through the gateway's stock cache (the same
    for every visitor); "" when the store has no warehouse or the ERP can't say now. Registered
    with ``brand.seo`` for a product's structured data."""
    if not store.erp_warehouse:
        return ""
    from storefleet.erp.errors import ErpError
    from storefleet.erp.gateway import get_gateway
    from storefleet.erp.types import LineQuery

    try:
        [stock] = get_gateway().availability(
            store=store.slug,
            customer="",
            warehouse=store.erp_warehouse,
            lines=[LineQuery(sku, Decimal(1))],
        )
    except ErpError:
        return ""
    if not stock.known or stock.available_now is None:
        return ""
    if stock.enough_now:
        return SCHEMA_ORG + "InStock"
    return SCHEMA_ORG + ("BackOrder" if stock.available_from else "OutOfStock")
