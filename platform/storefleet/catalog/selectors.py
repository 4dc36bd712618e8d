"""Reads of the catalog."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Product


def product_list(*, active_only: bool = True) -> QuerySet[Product]:
    products = Product.objects.select_related("category")
    return products.filter(active=True, salable=True) if active_only else products


def product_count() -> int:
    return Product.objects.count()
