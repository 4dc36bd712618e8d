"""Writes to the catalog: mirroring products from the ERP."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from storefleet.erp.types import ProductRecord
from storefleet.tenants.services import stores_catalog_changed

from .models import Category, Product

PRODUCT_FIELDS = [
    "sku",
    "name",
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


@transaction.atomic
def products_upsert(*, records: Sequence[ProductRecord]) -> int:
    """Create or update products by ERP id, in a handful of queries per batch. Idempotent."""
    if not records:
        return 0
    names = {record.categories[0] for record in records if record.categories}
    Category.objects.bulk_create([Category(name=name) for name in names], ignore_conflicts=True)
    categories = dict(Category.objects.filter(name__in=names).values_list("name", "id"))
    Product.objects.bulk_create(
        [
            Product(
                erp_id=record.erp_id,
                sku=record.sku,
                name=record.name,
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
