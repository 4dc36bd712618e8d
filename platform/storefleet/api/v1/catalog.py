"""The catalog of the store's assortment with the company's prices, volume breaks and stock:
the storefront's own reads (``catalog.selectors``, ``catalog.offers``), batched."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language_from_request
from ninja import Query, Router

from storefleet.catalog.localized import product_text
from storefleet.catalog.models import Product
from storefleet.catalog.offers import (
    Offer,
    break_quantities,
    price_breaks,
    product_offers,
    volume_breaks,
)
from storefleet.catalog.selectors import product_list, store_assortment, store_sells
from storefleet.catalog.types import sku_list
from storefleet.erp.errors import ErpError, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LineQuery, PriceQuote

from ..auth import Caller, KeyAuth
from ..models import Scope
from ..pagination import cursor_decode, cursor_encode
from ..problems import ApiProblem
from ..schemas import ERRORS, MAX_SKUS, Moment, ProductPage

router = Router(tags=["catalog"], auth=KeyAuth(Scope.CATALOG_READ))
MAX_SKU_LENGTH = 64


def _break_lines(products: list[Product]) -> list[LineQuery]:
    """The (SKU, quantity) pairs the product page prices for each product's volume breaks
    (``offers.break_quantities``: its smallest order quantity first), so that all the page's
    breaks and offer prices are one gateway call."""
    return [LineQuery(p.sku, quantity) for p in products for quantity in break_quantities(p)]


def _breaks(quotes: list[PriceQuote]) -> dict[str, list[PriceQuote]]:
    """Per SKU, its volume breaks (``offers.price_breaks``, the product page's rule), from
    quotes in ascending quantity per SKU."""
    per_sku: dict[str, list[PriceQuote]] = {}
    for quote in quotes:
        per_sku.setdefault(quote.sku, []).append(quote)
    return {sku: price_breaks(sku_quotes) for sku, sku_quotes in per_sku.items()}


def _price(quote: PriceQuote | None) -> dict[str, Any] | None:
    if quote is None or quote.unit_price is None:
        return None
    return dict(
        quantity=quote.quantity,
        unit_price={"amount": quote.unit_price.amount, "currency": quote.unit_price.currency},
    )


def _language(request: HttpRequest, default: str) -> str:
    """The language the caller asks names in (Accept-Language, one the platform knows), else
    the store's own."""
    if not request.headers.get("Accept-Language"):
        return default
    return get_language_from_request(request)


def _product(offer: Offer, breaks: list[PriceQuote], language: str) -> dict[str, Any]:
    product = offer.product
    stock = offer.stock
    name = product_text(product, "name", language)
    return dict(
        sku=product.sku,
        name=name.text,
        name_language=name.language,
        unit=product.unit,
        category=product.category.name if product.category else None,
        min_quantity=product.min_quantity,
        quantity_multiple=product.quantity_multiple,
        updated_at=product.erp_write_date,
        orderable=offer.orderable,
        price=_price(offer.price),
        volume_breaks=[p for p in (_price(q) for q in breaks) if p is not None],
        availability=(
            dict(
                warehouse=stock.warehouse,
                available_now=stock.available_now.value if stock.available_now else None,
                in_stock=stock.enough_now,
                available_from=stock.available_from,
            )
            if stock is not None
            else None
        ),
        stale=offer.stale,
    )


@router.get(
    "/products",
    response={200: ProductPage, **ERRORS},
    summary="Products with your prices and stock",
)
def products(
    request: HttpRequest,
    sku: list[str] = Query(  # noqa: B008 - ninja's way of declaring a query parameter
        default=[],
        description=f"SKUs to read (repeat, or separate by commas): {MAX_SKUS} at most.",
    ),
    updated_since: Moment | None = None,
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=100, ge=1, le=MAX_SKUS),
) -> dict[str, Any]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    store = caller.store
    wanted = sku_list(",".join(sku))
    if len(wanted) > MAX_SKUS:
        raise ApiProblem(
            "too-many-skus",
            f"Ask for {MAX_SKUS} SKUs at most per request ({len(wanted)} were sent): split "
            "them over several requests.",
            limit=MAX_SKUS,
        )
    after = cursor_decode("products", cursor)
    if after is not None and not isinstance(after, str):
        after = None
    # A SKU longer than any SKU, or holding control characters (PostgreSQL refuses NUL in a
    # query), is no SKU of this store: it is answered as unknown, never looked up.
    askable = [s for s in wanted if len(s) <= MAX_SKU_LENGTH and s.isprintable()]
    found = product_list(assortment=store_assortment(store=store)).select_related("category")
    if wanted:
        found = found.filter(sku__in=askable)
    if updated_since is not None:
        if timezone.is_naive(updated_since):
            updated_since = timezone.make_aware(updated_since, datetime.UTC)
        found = found.filter(erp_write_date__gte=updated_since)
    if after:
        found = found.filter(sku__gt=after)
    page = list(found.order_by("sku")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    customer = caller.company.code
    breaks: dict[str, list[PriceQuote]] | None = None
    prices: list[PriceQuote] | None = None
    if page:
        # The offers below say what the ERP could not answer; without this batch, each
        # product's breaks are asked for on their own (``offers.volume_breaks``).
        lines = _break_lines(page)
        with contextlib.suppress(ErpError):
            quotes = get_gateway().prices(
                store=store.slug, customer=customer, lines=lines, currency=store.currency
            )
            breaks = _breaks(quotes)
            # Each product's first line is its smallest order quantity: the offer's price.
            first: dict[str, PriceQuote] = {}
            for line, quote in zip(lines, quotes, strict=True):
                first.setdefault(line.sku, quote)
            prices = [first[product.sku] for product in page]
    offers = product_offers(store=store, customer=customer, products=page, prices=prices)
    if any(offer.unavailable for offer in offers):
        raise ErpUnavailable("catalog offers")
    language = _language(request, store.default_language)
    items = [
        _product(
            offer,
            breaks.get(offer.product.sku, [])
            if breaks is not None
            else volume_breaks(store=store, customer=customer, product=offer.product),
            language,
        )
        for offer in offers
    ]
    unknown: list[str] = []
    if wanted and after is None:
        # Unfiltered and on one page, the page is every asked-for SKU the store sells (the
        # query ``store_sells`` would make again); otherwise that query says.
        sold = (
            {product.sku for product in page}
            if updated_since is None and not more
            else store_sells(store=store, skus=askable)
        )
        unknown = [s for s in wanted if s not in sold]
    return dict(
        items=items,
        next_cursor=cursor_encode("products", page[-1].sku) if more else None,
        unknown_skus=unknown,
    )
