"""What a signed-in buyer sees next to a product: their company's price (from the ERP, through
the gateway's per-store, per-customer cache) and the stock in their store's warehouse.

One gateway batch for the prices and one for the stock of a whole page of products — never one
ERP request per product — and answered from the cache while it is fresh. When the ERP can't be
reached the page still renders: cached answers marked stale, or a clear "unavailable" note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from storefleet.erp.errors import ErpError
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import Availability, LineQuery, PriceQuote
from storefleet.quantities import smallest_allowed
from storefleet.tenants.selectors import StoreRecord

from .models import Product

# Quantities a product page prices, besides the minimum, to show the volume breaks.
BREAK_QUANTITIES = (Decimal(1), Decimal(10), Decimal(50), Decimal(100), Decimal(250), Decimal(1000))


@dataclass(frozen=True)
class Offer:
    product: Product
    quantity: Decimal  # the quantity priced: the product's minimum order, or 1
    price: PriceQuote | None
    stock: Availability | None
    stale: bool = False
    unavailable: str = ""  # why there is no price, in the buyer's words

    @property
    def orderable(self) -> bool:
        """Whether the ERP gave a price: a product without one is never offered as orderable
        (withdrawn, no longer sold, or not on this customer's price list)."""
        return self.price is not None and self.price.unit_price is not None

    @property
    def in_stock(self) -> bool:
        return self.stock is not None and self.stock.enough_now


def smallest_order_quantity(product: Product) -> Decimal:
    """The least quantity the ERP's ordering rules accept: the minimum, rounded up to a whole
    multiple; the multiple itself when there is no minimum; else 1."""
    return smallest_allowed(product.quantity_rule)


def product_offers(
    *,
    store: StoreRecord,
    customer: str,
    products: Sequence[Product],
    prices: Sequence[PriceQuote] | None = None,
) -> list[Offer]:
    """The customer's offer for each product, in order. ``prices``: the customer's quotes of
    the products at their smallest order quantity, in order, when the caller has just read
    them from the gateway in a batch of its own (the API's volume breaks hold them)."""
    if not products:
        return []
    lines = [LineQuery(p.sku, smallest_order_quantity(p)) for p in products]
    gateway = get_gateway()
    try:
        if prices is None:
            prices = gateway.prices(
                store=store.slug, customer=customer, lines=lines, currency=store.currency
            )
        stock: list[Availability | None] = (
            list(
                gateway.availability(
                    store=store.slug, customer=customer, warehouse=store.erp_warehouse, lines=lines
                )
            )
            if store.erp_warehouse
            else [None] * len(lines)
        )
    except ErpError as error:
        return [
            Offer(
                product=p, quantity=line.quantity, price=None, stock=None, unavailable=error.message
            )
            for p, line in zip(products, lines, strict=True)
        ]
    return [
        Offer(
            product=product,
            quantity=line.quantity,
            price=price,
            stock=available,
            stale=price.stale or bool(available and available.stale),
        )
        for product, line, price, available in zip(products, lines, prices, stock, strict=True)
    ]


def break_quantities(product: Product) -> list[Decimal]:
    """The quantities a product's volume breaks are priced at, ascending: its smallest order
    quantity first, then each of :data:`BREAK_QUANTITIES` above it that fits its multiple. The
    storefront's product page and the API's catalog both price these."""
    minimum = smallest_order_quantity(product)
    step = product.quantity_multiple or Decimal(0)
    above = (q for q in sorted(BREAK_QUANTITIES) if q > minimum and (not step or q % step == 0))
    return [minimum, *above]


def price_breaks(quotes: Sequence[PriceQuote]) -> list[PriceQuote]:
    """Of one product's quotes in ascending quantity, those where the unit price drops: the
    ERP's volume breaks. Quotes without a price are left out."""
    breaks: list[PriceQuote] = []
    lowest: Decimal | None = None
    for quote in quotes:
        if quote.unit_price is not None and (lowest is None or quote.unit_price.amount < lowest):
            breaks.append(quote)
            lowest = quote.unit_price.amount
    return breaks


def volume_breaks(*, store: StoreRecord, customer: str, product: Product) -> list[PriceQuote]:
    """The customer's unit price at the allowed quantities from the minimum up: where the price
    drops is where the ERP's volume breaks are. Prices the ERP can't give are left out."""
    lines = [LineQuery(product.sku, q) for q in break_quantities(product)]
    try:
        quotes = get_gateway().prices(
            store=store.slug, customer=customer, lines=lines, currency=store.currency
        )
    except ErpError:
        return []
    return price_breaks(quotes)
