"""Reads: master data for sync, customer prices and availability by warehouse and date."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from storefleet.erp.types import (
    AddressRecord,
    Availability,
    CustomerBatch,
    CustomerRecord,
    LineQuery,
    PriceQuote,
    ProductBatch,
    ProductRecord,
    ProductText,
    SyncCursor,
)
from storefleet.money import Money, Quantity

from .client import TrytonClient
from .lookups import PRODUCT_FIELDS, Lookups, dec, in_sale_units, product_info

# Tryton stores naive UTC datetimes; the gateway's records carry aware UTC ones.
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _to_erp(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)


def _from_erp(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(tzinfo=datetime.UTC) if moment.tzinfo is None else moment


def _changed_domain(cursor: SyncCursor, *, template: bool) -> list[Any]:
    """Records modified after the cursor's date. A finished run's cursor (``erp_id`` 0) holds
    the newest date it saw, so only later writes count; within a run, pages go by id."""
    since = _to_erp(cursor.write_date or EPOCH)
    op = ">" if cursor.erp_id == 0 and cursor.write_date else ">="
    changed: list[Any] = ["OR", ["write_date", op, since], ["create_date", op, since]]
    if template:
        changed += [["template.write_date", op, since]]
    return [changed, ["id", ">", cursor.erp_id]]


def _written(row: dict[str, Any], *keys: str) -> datetime.datetime:
    dates = [
        _from_erp(d) for key in keys for d in [_dig(row, key)] if isinstance(d, datetime.datetime)
    ]
    return max(dates) if dates else EPOCH


def _dig(row: dict[str, Any], key: str) -> object:
    if "." in key:
        head, tail = key.split(".", 1)
        return (row.get(head + ".") or {}).get(tail)
    return row.get(key)


def _next_cursor(cursor: SyncCursor, ids: list[int], dates: list[datetime.datetime], limit: int):
    complete = len(ids) < limit
    if complete:
        newest = max([_from_erp(cursor.write_date or EPOCH), *dates])
        return SyncCursor(write_date=newest, erp_id=0), True
    return SyncCursor(write_date=cursor.write_date, erp_id=ids[-1]), False


# Where Tryton keeps the texts the storefront shows in the buyer's language: the name is the
# template's, the description the variant's.
NAME_FIELD = "product.template,name"
DESCRIPTION_FIELD = "product.product,description"


def product_translations(
    client: TrytonClient, pairs: Sequence[tuple[int, int]], languages: Sequence[str]
) -> dict[int, tuple[ProductText, ...]]:
    """The names and descriptions Tryton really has in ``languages`` for ``pairs`` (product
    id, template id), per product id, in one request. Read from ir.translation because
    reading a product in a language's context answers the source text where a translation is
    missing (or fuzzy: stale since the source changed), and the storefront must say so rather
    than show it as if translated."""
    if not pairs or not languages:
        return {}
    rows = client.search_read(
        "ir.translation",
        [
            ["type", "=", "model"],
            ["lang", "in", list(languages)],
            ["fuzzy", "=", False],
            [
                "OR",
                [["name", "=", NAME_FIELD], ["res_id", "in", sorted({t for _, t in pairs})]],
                [["name", "=", DESCRIPTION_FIELD], ["res_id", "in", sorted({p for p, _ in pairs})]],
            ],
        ],
        ["name", "lang", "res_id", "value"],
        order=[["id", "ASC"]],
    )
    found: dict[tuple[str, int, str], str] = {}
    for row in rows:
        value = (row.get("value") or "").strip()
        if value:
            found[(row["name"], row["res_id"], row["lang"])] = value
    texts: dict[int, tuple[ProductText, ...]] = {}
    for product_id, template_id in pairs:
        entries = []
        for language in sorted(languages):
            name = found.get((NAME_FIELD, template_id, language), "")
            description = found.get((DESCRIPTION_FIELD, product_id, language), "")
            if name or description:
                entries.append(ProductText(language=language, name=name, description=description))
        texts[product_id] = tuple(entries)
    return texts


def products_changed_since(
    client: TrytonClient,
    lookups: Lookups,
    cursor: SyncCursor,
    limit: int,
    languages: Sequence[str] = (),
) -> ProductBatch:
    company = lookups.company()
    rows = client.search_read(
        "product.product",
        _changed_domain(cursor, template=True),
        [
            *PRODUCT_FIELDS,
            "list_price_used",
            "write_date",
            "create_date",
            "template",
            "template.write_date",
            "description",
            "template.categories.name",
            "template.categories.code",
        ],
        order=[["id", "ASC"]],
        limit=limit,
        active_test=False,
    )
    translations = product_translations(
        client, [(row["id"], row["template"]) for row in rows], languages
    )
    records = []
    for row in rows:
        info = product_info(row)
        template = row.get("template.") or {}
        written = _written(row, "write_date", "create_date", "template.write_date")
        records.append(
            ProductRecord(
                erp_id=info.id,
                sku=info.sku,
                name=info.name,
                unit=info.sale_unit,
                salable=info.salable,
                active=info.active,
                min_quantity=info.min_quantity,
                multiple=info.multiple,
                categories=tuple(c["name"] for c in template.get("categories.") or []),
                list_price=Money(row["list_price_used"] or Decimal(0), company.currency),
                erp_write_date=written,
                category_codes=tuple(
                    c.get("code") or "" for c in template.get("categories.") or []
                ),
                description=(row.get("description") or "").strip(),
                translations=translations.get(row["id"], ()),
            )
        )
    next_cursor, complete = _next_cursor(
        cursor, [r.erp_id for r in records], [r.erp_write_date for r in records], limit
    )
    return ProductBatch(records=tuple(records), next_cursor=next_cursor, complete=complete)


def customers_changed_since(
    client: TrytonClient,
    lookups: Lookups,
    cursor: SyncCursor,
    limit: int,
    customer_domain: list[Any],
) -> CustomerBatch:
    company = lookups.company()
    rows = client.search_read(
        "party.party",
        [*customer_domain, *_changed_domain(cursor, template=False)],
        [
            "code",
            "name",
            "write_date",
            "create_date",
            "sale_price_list.name",
            "customer_payment_term.name",
            "credit_limit_amount",
            "addresses",
        ],
        order=[["id", "ASC"]],
        limit=limit,
        active_test=False,
    )
    address_ids = [a for row in rows for a in row["addresses"]]
    addresses = (
        {
            a["id"]: a
            for a in client.model(
                "party.address",
                "read",
                address_ids,
                [
                    "party_name",
                    "rec_name",
                    "street",
                    "postal_code",
                    "city",
                    "country.code",
                    "invoice",
                    "delivery",
                    "active",
                    "write_date",
                ],
            )
        }
        if address_ids
        else {}
    )
    records = []
    for row in rows:
        party_addresses = [addresses[a] for a in row["addresses"] if a in addresses]
        written = _written(row, "write_date", "create_date")
        written = max([written, *(_written(a, "write_date") for a in party_addresses)])
        limit_amount = row.get("credit_limit_amount")
        records.append(
            CustomerRecord(
                erp_id=row["id"],
                code=row["code"],
                name=row["name"],
                price_list=(row.get("sale_price_list.") or {}).get("name"),
                payment_term=(row.get("customer_payment_term.") or {}).get("name"),
                credit_limit=(
                    Money(limit_amount, company.currency) if limit_amount is not None else None
                ),
                addresses=tuple(
                    AddressRecord(
                        erp_id=a["id"],
                        name=a.get("party_name") or row["name"],
                        street=a.get("street") or "",
                        postal_code=a.get("postal_code") or "",
                        city=a.get("city") or "",
                        country=(a.get("country.") or {}).get("code", ""),
                        invoice=bool(a.get("invoice")),
                        delivery=bool(a.get("delivery")),
                        active=bool(a.get("active", True)),
                    )
                    for a in party_addresses
                ),
                erp_write_date=written,
            )
        )
    next_cursor, complete = _next_cursor(
        cursor, [r.erp_id for r in records], [r.erp_write_date for r in records], limit
    )
    return CustomerBatch(records=tuple(records), next_cursor=next_cursor, complete=complete)


def price_context(lookups: Lookups, customer: str, currency: str | None = None) -> dict[str, Any]:
    """The customer's price list, in ``currency`` (a store's) or else the customer's own:
    Tryton converts from the company's currency at its exchange rate."""
    info = lookups.customer(customer)
    currency_id = lookups.currency(currency).id if currency else info.currency_id
    return {"customer": info.id, "price_list": info.price_list_id, "currency": currency_id}


def prices(
    client: TrytonClient,
    lookups: Lookups,
    customer: str,
    lines: Sequence[LineQuery],
    currency: str | None = None,
) -> list[PriceQuote]:
    """One ``search_read`` per distinct quantity in the batch (Tryton prices one quantity per
    call: it travels in the context); SKUs are resolved in the same request."""
    info = lookups.customer(customer)
    context = price_context(lookups, customer, currency)
    code = currency or info.currency
    by_quantity: dict[Decimal, list[str]] = defaultdict(list)
    for line in lines:
        by_quantity[line.quantity].append(line.sku)
    found: dict[tuple[str, Decimal], tuple[Decimal, str]] = {}
    for quantity, skus in by_quantity.items():
        rows = client.search_read(
            "product.product",
            [["code", "in", list(dict.fromkeys(skus))], ["template.salable", "=", True]],
            [*PRODUCT_FIELDS, "sale_price_uom"],
            quantity=float(quantity),
            **context,
        )
        products = [product_info(row) for row in rows]
        lookups.remember_products(products)
        for row, product in zip(rows, products, strict=True):
            if row.get("sale_price_uom") is not None:
                found[(product.sku, quantity)] = (row["sale_price_uom"], product.sale_unit)
    quotes = []
    for line in lines:
        hit = found.get((line.sku, line.quantity))
        quotes.append(
            PriceQuote(
                sku=line.sku,
                quantity=line.quantity,
                unit_price=Money(hit[0], code) if hit else None,
                unit=hit[1] if hit else None,
                known=hit is not None,
            )
        )
    return quotes


def availability(
    client: TrytonClient, lookups: Lookups, warehouse: str, lines: Sequence[LineQuery]
) -> list[Availability]:
    """Projected stock by date from ``stock.product_quantities_warehouse``: one row per
    product for today and one per later date a planned move changes it — one request for
    the whole batch once the SKUs' ids are known."""
    warehouse_id = lookups.warehouse_id(warehouse)
    products = lookups.products(line.sku for line in lines)
    ids = sorted({p.id for p in products.values()})
    rows = (
        client.search_read(
            "stock.product_quantities_warehouse",
            [],
            ["product", "date", "quantity"],
            order=[["date", "ASC"]],
            product=ids,
            warehouse=warehouse_id,
        )
        if ids
        else []
    )
    today = datetime.date.today()
    series: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for row in rows:
        model, _, product_id = str(row["product"]).partition(",")
        if model == "product.product" and row["date"] >= today:
            series[int(product_id)].append((row["date"], dec(row["quantity"]) or Decimal(0)))
    answers = []
    for line in lines:
        product = products.get(line.sku)
        if product is None:
            answers.append(Availability(line.sku, warehouse, line.quantity, None, False, None))
            continue
        # Stock is kept in the stock unit; the buyer asks, and is answered, in the sales unit.
        ratio = product.stock_per_sale_unit
        points = sorted((d, q / ratio) for d, q in series.get(product.id, []))
        now = next((q for d, q in points if d == today), Decimal(0))
        available_from = None
        if now < line.quantity:
            for index, (day, _quantity) in enumerate(points):
                if day > today and all(q >= line.quantity for _, q in points[index:]):
                    available_from = day
                    break
        if ratio != 1:
            now = in_sale_units(product, now * ratio)
        answers.append(
            Availability(
                sku=line.sku,
                warehouse=warehouse,
                requested=line.quantity,
                available_now=Quantity(now, product.sale_unit),
                known=True,
                available_from=available_from,
            )
        )
    return answers


# The sale states whose lines hold stock without having moves yet (sale_stock_quantity).
PENDING_SALE_STATES = ["quotation", "confirmed"]


def sale_stock(
    client: TrytonClient,
    lookups: Lookups,
    warehouse: str,
    product_ids: Sequence[int],
    *,
    date: datetime.date,
) -> dict[int, Decimal]:
    """What Tryton's stock check at quote and confirm (``sale_stock_quantity``) finds for a new
    sale shipping from ``warehouse`` on ``date``, per product id: the forecast quantity on that
    date with assigned moves counted as gone, less the lines of other sales quoted or confirmed
    but not processed yet (they have no moves to be in the forecast) that ship by then. Two
    requests. Quantities are in each product's stock unit."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    warehouse_id = lookups.warehouse_id(warehouse)
    rows = client.model(
        "product.product",
        "read",
        ids,
        ["forecast_quantity", "default_uom.factor"],
        locations=[warehouse_id],
        stock_date_end=date,
        stock_assign=True,
    )
    left = {row["id"]: dec(row["forecast_quantity"]) or Decimal(0) for row in rows}
    stock_factor = {row["id"]: (row.get("default_uom.") or {}).get("factor") for row in rows}
    pending = client.search_read(
        "sale.line",
        [
            ["sale.company", "=", lookups.company().id],
            ["sale.state", "in", PENDING_SALE_STATES],
            ["sale.warehouse", "=", warehouse_id],
            ["product", "in", ids],
            ["quantity", ">", 0],
        ],
        ["product", "quantity", "unit.factor", "shipping_date", "sale.sale_date"],
    )
    today = datetime.date.today()
    for line in pending:
        if line.get("shipping_date") and line["shipping_date"] > date:
            continue
        if ((line.get("sale.") or {}).get("sale_date") or today) > today:
            continue
        quantity = dec(line["quantity"]) or Decimal(0)
        line_unit = (line.get("unit.") or {}).get("factor")
        stock_unit = stock_factor.get(line["product"])
        if line_unit and stock_unit and line_unit != stock_unit:
            # Tryton's Uom.compute_qty: through the category's reference unit.
            quantity = quantity * Decimal(str(line_unit)) / Decimal(str(stock_unit))
        left[line["product"]] -= quantity
    return left


# What a customer's price is computed from (list prices, price lists and their lines, the
# customer's price list, currency rates) and what the warehouse's projected stock is computed
# from (moves, and the sales that hold stock before they have moves).
PRICE_MODELS = (
    "product.template",
    "product.product",
    "product.price_list",
    "product.price_list.line",
    "party.party",
    "currency.currency.rate",
)
STOCK_MODELS = ("stock.move", "sale.sale", "sale.line")


def fingerprint(client: TrytonClient, models: Sequence[str]) -> str:
    """A text that changes whenever a record of ``models`` is created, written or deleted:
    per model, the number of records, the newest id and the newest write (Tryton leaves a new
    record's write date empty). Three small reads per model, answered from indexes."""
    parts = []
    for model in models:
        count = client.model(model, "search_count", [], active_test=False)
        newest = client.search_read(
            model, [], ["id"], order=[["id", "DESC"]], limit=1, active_test=False
        )
        written = client.search_read(
            model,
            [["write_date", "!=", None]],
            ["write_date"],
            order=[["write_date", "DESC"]],
            limit=1,
            active_test=False,
        )
        parts.append(
            f"{model}:{count}:{newest[0]['id'] if newest else 0}:"
            f"{written[0]['write_date'] if written else ''}"
        )
    return "|".join(parts)
