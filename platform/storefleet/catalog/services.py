"""Writes to the catalog: mirroring products from the ERP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext
from wagtail.models import Page

from storefleet.erp.gateway import ErpGateway
from storefleet.erp.types import ProductBatch, ProductRecord, SyncCursor
from storefleet.tenants.services import stores_catalog_changed

from .models import CatalogPage, Category, Product, Sells

PRODUCT_FIELDS = [
    "sku",
    "name",
    "description",
    "translations",
    "category",
    "unit",
    "salable",
    "active",
    "min_quantity",
    "quantity_multiple",
    "list_price",
    "currency",
    "erp_write_date",
]


def _categories_upsert(records: Sequence[ProductRecord]) -> dict[str, int]:
    """Each record's first category, by name, with its ERP code; ids by name.

    A launch registers the categories a store file declares by code before the catalog is
    mirrored (``catalog_assortment_apply``): such a placeholder gets its name here, or, where
    the category was already known by name, is merged into it."""
    pairs: dict[str, str | None] = {}
    for record in records:
        if record.categories:
            codes = record.category_codes or ("",)
            pairs[record.categories[0]] = codes[0] or None
    for name, code in pairs.items():
        if not code:
            continue
        holder = Category.objects.filter(code=code).exclude(name=name).first()
        known = Category.objects.filter(name=name).first()
        if holder is not None and known is None:
            holder.name = name
            holder.save(update_fields=["name"])
        elif holder is not None and known is not None:
            through = CatalogPage.categories.through
            pages = through.objects.filter(category=known).values("catalogpage")
            through.objects.filter(category=holder, catalogpage__in=pages).delete()
            through.objects.filter(category=holder).update(category=known)
            holder.delete()
    Category.objects.bulk_create(
        [Category(name=name, code=code) for name, code in pairs.items()], ignore_conflicts=True
    )
    for name, code in pairs.items():
        if code:
            Category.objects.filter(name=name).exclude(code=code).update(code=code)
    return dict(Category.objects.filter(name__in=pairs).values_list("name", "id"))


def products_changed_since(
    gateway: ErpGateway, /, *, cursor: SyncCursor, limit: int | None
) -> ProductBatch:
    """The sync's read: the changed products with their texts in every language the stores
    may show (``localized.translated_languages``), in one gateway call per batch."""
    from .localized import translated_languages

    return gateway.products_changed_since(
        cursor=cursor, limit=limit, languages=translated_languages()
    )


def _translations(record: ProductRecord) -> dict[str, dict[str, str]]:
    """A record's texts per language, as ``Product.translations`` keeps them (only what the
    ERP has: an empty name or description is left out)."""
    texts: dict[str, dict[str, str]] = {}
    for text in record.translations:
        values = {"name": text.name, "description": text.description}
        kept = {field: value for field, value in values.items() if value}
        if kept:
            texts[text.language] = kept
    return texts


@transaction.atomic
def products_upsert(*, records: Sequence[ProductRecord]) -> int:
    """Create or update products by ERP id, in a handful of queries per batch. Idempotent."""
    if not records:
        return 0
    categories = _categories_upsert(records)
    Product.objects.bulk_create(
        [
            Product(
                erp_id=record.erp_id,
                sku=record.sku,
                name=record.name,
                description=record.description,
                translations=_translations(record),
                category_id=categories.get(record.categories[0]) if record.categories else None,
                unit=record.unit,
                salable=record.salable,
                active=record.active,
                min_quantity=record.min_quantity,
                quantity_multiple=record.multiple,
                list_price=record.list_price.amount,
                currency=record.list_price.currency,
                erp_write_date=record.erp_write_date,
            )
            for record in records
        ],
        update_conflicts=True,
        unique_fields=["erp_id"],
        update_fields=[*PRODUCT_FIELDS, "synced_at"],
    )
    stores_catalog_changed()  # the stores' cached catalog pages show these products
    return len(records)


@dataclass(frozen=True)
class AssortmentApplied:
    """What ``catalog_assortment_apply`` found and did, for the launch's log."""

    changed: bool
    page_created: bool
    categories: tuple[str, ...]
    placeholders: tuple[str, ...]


def _category_for(entry: str) -> tuple[Category, bool]:
    found = (
        Category.objects.filter(code__iexact=entry).first()
        or Category.objects.filter(name__iexact=entry).first()
    )
    if found is not None:
        return found, False
    # Declared before the catalog is mirrored: the sync names it when the ERP's products come.
    return Category.objects.create(code=entry, name=entry), True


@transaction.atomic
def catalog_assortment_apply(*, home: Page, categories: Sequence[str]) -> AssortmentApplied:
    """Make the store under ``home`` sell what its store file declares: the products of
    ``categories`` (ERP category codes or names), or everything when none are declared.

    The store's catalog page carries the assortment; one is created (published, at
    ``catalog/``) when the store has none, since a store that sells needs one. A change is
    published as a new revision of the page; declaring the same again changes nothing."""
    page = CatalogPage.objects.filter(path__startswith=home.path).order_by("path").first()
    created = page is None
    if page is None:
        slug = "catalog"
        while home.get_children().filter(slug=slug).exists():
            slug = f"{slug}-{home.get_children().count()}"
        page = CatalogPage(title=gettext("Catalog"), slug=slug)
        home.add_child(instance=page)
    wanted = [_category_for(entry) for entry in dict.fromkeys(categories)]
    ids = {category.pk for category, _ in wanted}
    sells = Sells.ASSORTMENT if wanted else Sells.EVERYTHING
    current = set(page.categories.values_list("pk", flat=True))
    changed = created or page.sells != sells or current != ids or not page.live
    if changed:
        page.sells = sells
        page.categories = [category for category, _ in wanted]
        page.save_revision().publish()
    return AssortmentApplied(
        changed=changed,
        page_created=created,
        categories=tuple(category.name for category, _ in wanted),
        placeholders=tuple(category.code or "" for category, new in wanted if new),
    )
