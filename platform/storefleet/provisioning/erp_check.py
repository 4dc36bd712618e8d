"""Does the store's ERP mapping hold against the live ERP? Asked through ``storefleet.erp``'s
public gateway only: warehouse and price list exist, the sample SKUs are known and have stock
figures in the store's warehouse."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from decimal import Decimal

from storefleet.errors import ApplicationError

from .storefile import ErpMapping


class ErpGatewayMissing(ApplicationError):
    """``storefleet.erp`` offers no gateway on this installation yet."""


@dataclass(frozen=True)
class ErpCheckResult:
    ok: bool
    log: tuple[str, ...]
    problems: tuple[str, ...]


def _gateway():
    try:
        module = importlib.import_module("storefleet.erp.gateway")
    except ImportError as error:
        raise ErpGatewayMissing(
            f"The ERP gateway (storefleet.erp.gateway.get_gateway) is not installed: {error}.",
            code="erp_gateway_missing",
        ) from error
    return module.get_gateway()


def erp_mapping_check(*, mapping: ErpMapping) -> ErpCheckResult:
    """Ask the ERP; ``ApplicationError`` (from the gateway) when it cannot be reached."""
    gateway = _gateway()
    types = importlib.import_module("storefleet.erp.types")
    report = gateway.test_connection()
    log = [f"ERP {report.backend} {report.version} at {report.url}, company {report.company}"]
    problems = []
    warehouses = {ref.code for ref in report.warehouses}
    price_lists = {ref.name for ref in report.price_lists} | {
        ref.code for ref in report.price_lists
    }
    if mapping.warehouse not in warehouses:
        problems.append(
            f"ERP warehouse '{mapping.warehouse}' does not exist (the ERP has "
            f"{', '.join(sorted(warehouses)) or 'none'})."
        )
    else:
        log.append(f"warehouse {mapping.warehouse} exists")
    if mapping.price_list not in price_lists:
        problems.append(
            f"ERP price list '{mapping.price_list}' does not exist (the ERP has "
            f"{', '.join(sorted(ref.name for ref in report.price_lists)) or 'none'})."
        )
    else:
        log.append(f"price list {mapping.price_list} exists")
    if not problems:
        lines = [types.LineQuery(sku=sku, quantity=Decimal(1)) for sku in mapping.sample_skus]
        for item in gateway.availability(warehouse=mapping.warehouse, lines=lines):
            if not item.known:
                problems.append(f"SKU {item.sku} is unknown to the ERP.")
            else:
                log.append(f"{item.sku}: {item.available_now.value} in {item.warehouse}")
        log.append(
            "prices not sampled: the gateway reads prices per customer, and a new store has no "
            "customer yet"
        )
    return ErpCheckResult(ok=not problems, log=tuple(log), problems=tuple(problems))
