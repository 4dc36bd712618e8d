"""Per-process memos of master data the Tryton backend needs to turn codes into ids: the
company, warehouses, customers (price list, currency, addresses) and products (unit and
ordering rules). They change rarely; a short TTL bounds how long a change goes unseen, and
memoising them is what lets a price batch cost one ERP request."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from storefleet.erp.errors import ErpNotFound, ErpProtocolError

from .client import TrytonClient

PRODUCT_FIELDS = [
    "id",
    "code",
    "name",
    "active",
    "template.salable",
    "sale_quantity_minimal",
    "sale_quantity_rounding",
    "sale_uom.name",
    "sale_uom.digits",
    "sale_uom.factor",
    "default_uom.name",
    "default_uom.factor",
    "type",
    "consumable",
    "account_category.customer_taxes_used",
]


def dec(value: object) -> Decimal | None:
    """Tryton floats (quantities) as exact Decimals, None stays None."""
    if value is None:
        return None
    number = Decimal(str(value))
    if isinstance(value, float) and number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return number


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    id: int
    name: str
    currency_id: int
    currency: str
    currency_rounding: Decimal = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class CurrencyInfo:
    id: int
    code: str
    rounding: Decimal
    # Units of this currency per unit of the ERP's base (Tryton's ``currency.rate``).
    rate: Decimal


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    id: int
    code: str
    name: str
    price_list_id: int | None
    payment_term_id: int | None
    currency_id: int
    currency: str
    address_ids: tuple[int, ...]
    invoice_address_id: int | None
    # What Tryton rounds each sale line's amount to (the customer's currency).
    currency_rounding: Decimal = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    active: bool
    salable: bool
    min_quantity: Decimal | None
    multiple: Decimal | None
    sale_unit_id: int
    sale_unit: str
    stock_unit: str
    tax_ids: tuple[int, ...] = ()
    # Decimals a quantity in the sales unit may have (Tryton refuses a line with more).
    unit_digits: int | None = None
    # Tryton checks stock at quote and confirm only for goods that are not consumables.
    stock_checked: bool = True
    # One sales unit in stock units (1 when the product is sold in the unit it is stocked in).
    stock_per_sale_unit: Decimal = Decimal(1)


def product_info(row: dict[str, Any]) -> ProductInfo:
    template = row.get("template.") or {}
    sale_uom = row.get("sale_uom.") or {}
    default_uom = row.get("default_uom.") or {}
    return ProductInfo(
        id=row["id"],
        sku=row["code"],
        name=row["name"],
        active=bool(row.get("active", True)),
        salable=bool(template.get("salable")),
        min_quantity=dec(row.get("sale_quantity_minimal")) or None,
        multiple=dec(row.get("sale_quantity_rounding")) or None,
        sale_unit_id=int(sale_uom.get("id") or row["sale_uom"]),
        sale_unit=sale_uom.get("name", ""),
        stock_unit=default_uom.get("name", sale_uom.get("name", "")),
        tax_ids=tuple((row.get("account_category.") or {}).get("customer_taxes_used") or ()),
        unit_digits=sale_uom.get("digits"),
        stock_checked=row.get("type", "goods") == "goods" and not row.get("consumable"),
        stock_per_sale_unit=_unit_ratio(sale_uom.get("factor"), default_uom.get("factor")),
    )


def in_sale_units(product: ProductInfo, stock_quantity: Decimal) -> Decimal:
    """A quantity in the product's stock unit as whole steps of its sales unit, rounded down
    (what can be ordered of it): 335 units are 33 boxes of 10, not 33.5 and not 335."""
    quantity = stock_quantity / product.stock_per_sale_unit
    if product.unit_digits is not None and quantity > 0:
        step = Decimal(1).scaleb(-product.unit_digits)
        quantity = (quantity / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return quantity


def _unit_ratio(sale_factor: object, stock_factor: object) -> Decimal:
    if not sale_factor or not stock_factor or sale_factor == stock_factor:
        return Decimal(1)
    return Decimal(str(sale_factor)) / Decimal(str(stock_factor))


class _Memo:
    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._data: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        entry = self._data.get(key)
        if entry and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        return None

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = (time.monotonic(), value)

    def forget(self, key: Any) -> None:
        with self._lock:
            self._data.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


class Lookups:
    def __init__(self, client: TrytonClient, ttl: float) -> None:
        self.client = client
        self._memo = _Memo(ttl)

    def clear(self) -> None:
        self._memo.clear()

    def company(self) -> CompanyInfo:
        info = self._memo.get("company")
        if info is None:
            company_id = self.client.context.get("company")
            if not company_id:
                raise ErpProtocolError(
                    "the ERP user has no current company", raw=self.client.context
                )
            (row,) = self.client.model(
                "company.company",
                "read",
                [company_id],
                ["party.name", "currency.code", "currency.rounding"],
            )
            info = CompanyInfo(
                id=company_id,
                name=row["party."]["name"],
                currency_id=row["currency."]["id"],
                currency=row["currency."]["code"],
                currency_rounding=row["currency."].get("rounding") or Decimal("0.01"),
            )
            self._memo.put("company", info)
        return info

    def currency(self, code: str) -> CurrencyInfo:
        """A currency the ERP prices in, by ISO code; ``ErpNotFound`` when it has none, or no
        exchange rate to price in it."""
        key = ("currency", code)
        info = self._memo.get(key)
        if info is None:
            rows = self.client.search_read(
                "currency.currency", [["code", "=", code]], ["code", "rounding", "rate"]
            )
            rate = dec(rows[0].get("rate")) if rows else None
            if not rows or not rate:
                raise ErpNotFound("Currency", code)
            info = CurrencyInfo(
                id=rows[0]["id"],
                code=code,
                rounding=dec(rows[0].get("rounding")) or Decimal("0.01"),
                rate=rate,
            )
            self._memo.put(key, info)
        return info

    def warehouses(self) -> dict[str, tuple[int, str]]:
        found = self._memo.get("warehouses")
        if found is None:
            rows = self.client.search_read(
                "stock.location",
                [["type", "=", "warehouse"]],
                ["code", "name"],
                order=[["id", "ASC"]],
            )
            found = {row["code"]: (row["id"], row["name"]) for row in rows if row["code"]}
            self._memo.put("warehouses", found)
        return found

    def warehouse_id(self, code: str) -> int:
        try:
            return self.warehouses()[code][0]
        except KeyError:
            raise ErpNotFound("Warehouse", code) from None

    def customer(self, code: str) -> CustomerInfo:
        key = ("customer", code)
        info = self._memo.get(key)
        if info is None:
            company = self.company()
            rows = self.client.search_read(
                "party.party",
                [["code", "=", code]],
                [
                    "code",
                    "name",
                    "sale_price_list",
                    "customer_payment_term",
                    "customer_currency.code",
                    "customer_currency.rounding",
                    "addresses.invoice",
                ],
            )
            if not rows:
                raise ErpNotFound("Customer", code)
            row = rows[0]
            currency = row.get("customer_currency.") or {}
            addresses = row.get("addresses.") or []
            invoice = [a["id"] for a in addresses if a.get("invoice")]
            info = CustomerInfo(
                id=row["id"],
                code=row["code"],
                name=row["name"],
                price_list_id=row.get("sale_price_list"),
                payment_term_id=row.get("customer_payment_term"),
                currency_id=currency.get("id", company.currency_id),
                currency=currency.get("code", company.currency),
                address_ids=tuple(a["id"] for a in addresses),
                invoice_address_id=(invoice or [a["id"] for a in addresses] or [None])[0],
                currency_rounding=currency.get("rounding") or company.currency_rounding,
            )
            self._memo.put(key, info)
        return info

    def remember_products(self, products: Iterable[ProductInfo]) -> None:
        for product in products:
            self._memo.put(("product", product.sku), product)

    def forget_products(self, skus: Iterable[str]) -> None:
        """Drop the memo of these products: the ERP just answered as if one changed (no price
        for a product the memo holds as salable), so the next read asks it again."""
        for sku in skus:
            self._memo.forget(("product", sku))

    def known_products(self, skus: Iterable[str]) -> dict[str, ProductInfo]:
        found = {}
        for sku in skus:
            info = self._memo.get(("product", sku))
            if info is not None:
                found[sku] = info
        return found

    def products(
        self, skus: Iterable[str], *, include_inactive: bool = False
    ) -> dict[str, ProductInfo]:
        """Products by SKU: memoised ones without a request, the rest in one request."""
        wanted = list(dict.fromkeys(skus))
        found = self.known_products(wanted)
        missing = [sku for sku in wanted if sku not in found]
        if missing:
            rows = self.client.search_read(
                "product.product",
                [["code", "in", missing]],
                PRODUCT_FIELDS,
                active_test=not include_inactive,
            )
            infos = [product_info(row) for row in rows]
            self.remember_products(infos)
            found.update({info.sku: info for info in infos})
        return found
