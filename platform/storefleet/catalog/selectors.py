"""Reads of the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from .models import Category, Product


@dataclass(frozen=True)
class ProductListing:
    query: str
    category: Category | None
    page: PaginatorPage  # of Product
    total: int


def product_list(*, active_only: bool = True) -> QuerySet[Product]:
    products = Product.objects.select_related("category")
    return products.filter(active=True, salable=True) if active_only else products


def product_count() -> int:
    return Product.objects.count()


def category_list() -> list[Category]:
    return list(Category.objects.filter(products__active=True).distinct().order_by("name"))


def product_listing(*, query: str, category: str, page: str, per_page: int) -> ProductListing:
    """One page of sellable products, by SKU or name search and category, in SKU order."""
    products = product_list()
    query = query.strip()[:100]
    if query:
        products = products.filter(Q(sku__icontains=query) | Q(name__icontains=query))
    chosen = Category.objects.filter(pk=category).first() if category.isdigit() else None
    if chosen is not None:
        products = products.filter(category=chosen)
    paginator = Paginator(products.order_by("sku"), per_page)
    return ProductListing(
        query=query, category=chosen, page=paginator.get_page(page), total=paginator.count
    )


def product_for_sku(sku: str) -> Product | None:
    return product_list().filter(sku=sku).first()
