"""Does the store's ERP mapping hold against the live ERP? Asked through ``storefleet.erp``'s
gateway (``mapping_check``): the warehouse, price list and currency exist and can price, the
assortment's categories are there, and the sample SKUs (and the featured ones) are salable, in
the assortment, with a list price in the store's currency and stock figures in its warehouse."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import MappingQuery, MappingReport

from .storefile import ErpMapping


@dataclass(frozen=True)
class ErpCheckResult:
    ok: bool
    log: tuple[str, ...]
    problems: tuple[str, ...]


def _names(values: Iterable[str]) -> str:
    return ", ".join(values) or "none"


def erp_check_describe(report: MappingReport, query: MappingQuery) -> ErpCheckResult:
    """The report in a regional manager's words: what was found, and each problem with what
    the ERP has instead (so the answer to pick is on the screen)."""
    log = [f"ERP {report.backend} {report.version}, company {report.company}"]
    problems = []
    if report.warehouse is None:
        problems.append(
            f"ERP warehouse '{query.warehouse}' does not exist (the ERP has "
            f"{_names(sorted(w.code for w in report.warehouses))})."
        )
    else:
        log.append(f"warehouse {report.warehouse.code} ({report.warehouse.name})")
    if report.price_list is None:
        problems.append(
            f"ERP price list '{query.price_list}' does not exist (the ERP has "
            f"{_names(p.name for p in report.price_lists)})."
        )
    else:
        log.append(f"price list {report.price_list.name}")
    if not report.currency_priced:
        problems.append(
            f"The ERP cannot price in {query.currency}: it prices in "
            f"{_names(report.currencies)} (the company's {report.company_currency} and those "
            "it has an exchange rate for)."
        )
    else:
        log.append(f"prices in {query.currency}")
    if report.missing_categories:
        problems.append(
            f"ERP product categories {_names(report.missing_categories)} do not exist (the ERP "
            f"has {_names(f'{c.code} ({c.name})' for c in report.categories)})."
        )
    elif report.assortment:
        log.append("assortment " + _names(c.name for c in report.assortment))
    for sample in report.samples:
        if not sample.known:
            problems.append(f"SKU {sample.sku} is unknown to the ERP (or inactive there).")
        elif not sample.salable:
            problems.append(f"SKU {sample.sku} is not salable in the ERP.")
        elif report.assortment and not set(sample.categories) & {c.name for c in report.assortment}:
            problems.append(
                f"SKU {sample.sku} is in {_names(sample.categories)}, outside the store's "
                f"assortment ({_names(c.code or c.name for c in report.assortment)}); feature a "
                "product the store sells, or add its category to the assortment."
            )
        elif sample.list_price is None:
            if report.price_list is not None and report.currency_priced:
                problems.append(f"SKU {sample.sku} has no price in {report.price_list.name}.")
        else:
            stock = (
                f"{sample.stock.value.normalize():f} {sample.stock.unit} in {query.warehouse}"
                if sample.stock is not None
                else "no stock figure"
            )
            log.append(
                f"{sample.sku}: {sample.list_price.amount.normalize():f} "
                f"{sample.list_price.currency} per {sample.unit}, {stock}"
            )
    return ErpCheckResult(ok=not problems, log=tuple(log), problems=tuple(problems))


def erp_mapping_check(
    *, mapping: ErpMapping, currency: str, featured: tuple[str, ...] = ()
) -> ErpCheckResult:
    """Ask the ERP about the mapping, its sample SKUs and the ``featured`` SKUs of the seed
    content (each must be known, salable and in the assortment); ``ApplicationError`` (from the
    gateway) when it cannot be reached."""
    query = MappingQuery(
        warehouse=mapping.warehouse,
        price_list=mapping.price_list,
        currency=currency,
        assortment=mapping.assortment,
        sample_skus=tuple(dict.fromkeys((*mapping.sample_skus, *featured))),
    )
    return erp_check_describe(get_gateway().mapping_check(query=query), query)
