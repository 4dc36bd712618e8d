from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from storefleet.catalog.models import Product
from storefleet.catalog.offers import smallest_order_quantity

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def normalize(value: Decimal | None) -> str:
    """12.0000 → 12, 0.5000 → 0.5: quantities as people write them."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """An amount with its currency, with at least two decimals (unit prices may have four)."""
    if amount is None:
        return ""
    places = max(2, -amount.normalize().as_tuple().exponent)  # type: ignore[operator]
    text = number_format(amount, decimal_pos=min(places, 4), use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol} {text}" if symbol else f"{text} {currency}"


@register.simple_tag
def order_minimum(product: Product) -> str:
    """The least quantity a buyer can order of ``product``, for a quantity field's min."""
    return normalize(smallest_order_quantity(product))
