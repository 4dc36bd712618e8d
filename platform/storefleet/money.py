"""Money as a buyer, an agent or an e-mail reads it: the one place amounts become text.

Amounts are shown in their currency's digits (two for EUR and USD, none for JPY), in the
active language's notation (``1.234,56 €`` in German, ``$1,234.56`` in English), with the
currency's own symbol, by babel's CLDR data rather than a table of our own.

Unit prices are the ERP's, which keeps four decimals (EUR 4.048 a screw). Rounding such a price
to cents would show a price the ERP does not charge; showing four decimals in one place and two
in another is what buyers called confusing. So a low unit price (under 10 of the currency, where
a fraction of a cent is a real share of it: screws, nuts) that does not fit the currency's digits
is shown per 100 (or per 1,000) units, where it does, and labelled so: ``404,80 € / 100 Unit``,
as B2B price lists state such prices. Any other unit price is shown per unit in the currency's
digits (``137,23 € / Unit`` for the ERP's 137.2272: a pump is not priced per hundred). Line and
order amounts are never re-rounded here: they are the ERP's (``ordering.checks.line_amount``
rounds as the ERP does)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_currency_precision
from django.utils.translation import get_language, pgettext, pgettext_lazy, to_locale


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency (ISO 4217); adding another currency is an error."""

    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A quantity in its unit (the ERP's unit name: ``Unit``, ``Kilogram``)."""

    value: Decimal
    unit: str


# Per how many units a sub-cent unit price is shown, smallest first.
PRICE_BASES = (1, 100, 1000)
# Unit prices from this amount up are shown per unit, rounded to the currency's digits.
PER_UNIT_FROM = Decimal(10)


def current_locale() -> str:
    """The babel locale of the active language (the store's in the storefront)."""
    language = get_language() or "en"
    try:
        return str(Locale.parse(to_locale(language)))
    except (UnknownLocaleError, ValueError):
        return "en"


def currency_digits(currency: str) -> int:
    """Decimals of ``currency`` (ISO 4217): 2 for EUR, 0 for JPY."""
    return int(get_currency_precision(currency))


def round_to_currency(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half to even to the currency's digits, as Tryton's Currency.round."""
    return amount.quantize(Decimal(1).scaleb(-currency_digits(currency)), ROUND_HALF_EVEN)


def format_money(amount: Decimal | None, currency: str, locale: str | None = None) -> str:
    """``amount`` in ``currency``'s digits and the locale's notation; "" for no amount."""
    if amount is None:
        return ""
    return format_currency(
        round_to_currency(amount, currency), currency, locale=locale or current_locale()
    )


@dataclass(frozen=True, slots=True)
class UnitPrice:
    """A unit price as shown: ``amount`` for ``per`` units (1, 100 or 1000)."""

    amount: Decimal
    currency: str
    per: int


def unit_price_basis(amount: Decimal, currency: str) -> UnitPrice:
    """Per unit from ``PER_UNIT_FROM`` up (rounded to the currency's digits); below it, the
    smallest basis (1, 100, 1000 units) at which ``amount`` fits the currency's digits without
    rounding, or 1000 (rounded) when none does."""
    if amount >= PER_UNIT_FROM:
        return UnitPrice(round_to_currency(amount, currency), currency, 1)
    for per in PRICE_BASES:
        scaled = amount * per
        if round_to_currency(scaled, currency) == scaled:
            return UnitPrice(scaled, currency, per)
    most = PRICE_BASES[-1]
    return UnitPrice(round_to_currency(amount * most, currency), currency, most)


def format_unit_price(
    amount: Decimal | None, currency: str, unit: str = "", locale: str | None = None
) -> str:
    """A unit price with its basis: ``4,05 € / Unit`` or ``404,80 € / 100 Unit``."""
    if amount is None:
        return ""
    locale = locale or current_locale()
    price = unit_price_basis(amount, currency)
    text = format_money(price.amount, currency, locale)
    unit = unit_label(unit)
    if price.per == 1:
        return f"{text} / {unit}" if unit else text
    per = format_decimal(price.per, locale=locale)
    return f"{text} / {per} {unit}".rstrip()


# The ERP's unit names, as the storefront's translation catalogue knows them (the reference
# ERP's units and the usual packing units); any other name is shown as the ERP spells it.
# In the catalogue under the context "unit of measure": "Unit" the name, not the heading.
UNIT = "unit of measure"
UNIT_NAMES = (
    pgettext_lazy("unit of measure", "Unit"),
    pgettext_lazy("unit of measure", "Kilogram"),
    pgettext_lazy("unit of measure", "Meter"),
    pgettext_lazy("unit of measure", "Box"),
    pgettext_lazy("unit of measure", "Pack"),
    pgettext_lazy("unit of measure", "Pair"),
    pgettext_lazy("unit of measure", "Set"),
    pgettext_lazy("unit of measure", "Roll"),
    pgettext_lazy("unit of measure", "Liter"),
)


def unit_label(name: str) -> str:
    """The ERP's name of a unit in the active language (``Unit`` is ``Stück`` in German)."""
    return pgettext(UNIT, name) if name else ""


def format_number(value: Decimal | int | None, locale: str | None = None) -> str:
    """A quantity in the locale's notation, with no trailing zeros (12, 0,5, 1.250)."""
    if value is None:
        return ""
    number = Decimal(value).normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return format_decimal(number, locale=locale or current_locale(), decimal_quantization=False)
