"""A store's ERP mapping as Tryton sees it: warehouse, price list, currency, categories, and
the sample SKUs' list prices and stock — what a launch checks before a store goes live."""

from __future__ import annotations

from decimal import Decimal

from storefleet.erp.types import (
    LaunchOptions,
    LineQuery,
    MappingQuery,
    MappingReport,
    MappingSample,
    NamedRef,
)
from storefleet.money import Money

from . import reads
from .client import TrytonClient
from .lookups import PRODUCT_FIELDS, Lookups, dec, product_info


def _named(rows: list[dict], code_field: str = "code") -> tuple[NamedRef, ...]:
    return tuple(
        NamedRef(erp_id=row["id"], code=str(row.get(code_field) or row["id"]), name=row["name"])
        for row in rows
    )


def _master_data(client: TrytonClient, lookups: Lookups) -> tuple[LaunchOptions, dict[int, str]]:
    """Company, warehouses, price lists, currencies and categories (five requests): the
    options a store may be mapped to, and the ids of the currencies the ERP can price in."""
    company = lookups.company()
    warehouses = tuple(
        NamedRef(erp_id=wid, code=code, name=name)
        for code, (wid, name) in lookups.warehouses().items()
    )
    price_lists = _named(
        client.search_read("product.price_list", [], ["name"], order=[["id", "ASC"]]), "id"
    )
    currency_rows = client.search_read(
        "currency.currency", [], ["code", "name", "rate"], order=[["code", "ASC"]]
    )
    priced = {company.currency_id: company.currency}
    priced.update({row["id"]: row["code"] for row in currency_rows if dec(row.get("rate"))})
    categories = _named(
        client.search_read("product.category", [], ["name", "code"], order=[["name", "ASC"]])
    )
    options = LaunchOptions(
        company=company.name,
        company_currency=company.currency,
        warehouses=warehouses,
        price_lists=price_lists,
        currencies=tuple(sorted(set(priced.values()))),
        categories=categories,
    )
    return options, priced


def launch_options(client: TrytonClient, lookups: Lookups) -> LaunchOptions:
    """What a new store may be mapped to, as the launch wizard offers it."""
    return _master_data(client, lookups)[0]


def mapping_check(client: TrytonClient, lookups: Lookups, query: MappingQuery) -> MappingReport:
    """Six requests at most, whatever the size of the sample: master data (company,
    warehouses, price lists, currencies, categories), one product read with prices in the
    store's price list and currency, one stock read in its warehouse."""
    options, priced = _master_data(client, lookups)
    warehouses, price_lists, categories = (
        options.warehouses,
        options.price_lists,
        options.categories,
    )

    warehouse = next((w for w in warehouses if w.code == query.warehouse), None)
    price_list = next((p for p in price_lists if query.price_list in (p.name, p.code)), None)
    currency_id = next((cid for cid, code in priced.items() if code == query.currency), None)
    by_key = {c.code.casefold(): c for c in categories} | {c.name.casefold(): c for c in categories}
    assortment = tuple(by_key[a.casefold()] for a in query.assortment if a.casefold() in by_key)
    missing = tuple(a for a in query.assortment if a.casefold() not in by_key)

    samples: list[MappingSample] = []
    skus = list(dict.fromkeys(query.sample_skus))
    rows: list[dict] = []
    if skus:
        context: dict = {"quantity": 1.0}
        if price_list is not None:
            context["price_list"] = price_list.erp_id
        if currency_id is not None:
            context["currency"] = currency_id
        rows = client.search_read(
            "product.product",
            [["code", "in", skus]],
            [*PRODUCT_FIELDS, "sale_price_uom", "template.categories.name"],
            **context,
        )
    products = {row["code"]: (row, product_info(row)) for row in rows}
    lookups.remember_products(info for _, info in products.values())
    stock = {}
    if warehouse is not None and products:
        lines = [LineQuery(sku=sku, quantity=Decimal(1)) for sku in skus if sku in products]
        stock = {
            a.sku: a.available_now
            for a in reads.availability(client, lookups, query.warehouse, lines)
        }
    for sku in skus:
        if sku not in products:
            samples.append(MappingSample(sku, False, False, (), None, None, None))
            continue
        row, info = products[sku]
        price = dec(row.get("sale_price_uom"))
        template = row.get("template.") or {}
        samples.append(
            MappingSample(
                sku=sku,
                known=True,
                salable=info.salable,
                categories=tuple(c["name"] for c in template.get("categories.") or []),
                list_price=(
                    Money(price, query.currency)
                    if price is not None and price_list is not None and currency_id is not None
                    else None
                ),
                unit=info.sale_unit,
                stock=stock.get(sku),
            )
        )
    return MappingReport(
        backend="tryton",
        version=client.server_version(),
        company=options.company,
        company_currency=options.company_currency,
        warehouses=warehouses,
        price_lists=price_lists,
        currencies=options.currencies,
        categories=categories,
        warehouse=warehouse,
        price_list=price_list,
        currency_priced=currency_id is not None,
        assortment=assortment,
        missing_categories=missing,
        samples=tuple(samples),
    )
