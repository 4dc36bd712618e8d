"""Tryton faults → gateway errors, by the fault's kind and what it names — never its text.

- ``UserWarning`` carries a warning *name*: ``stock_quantity_warning_<sale line id>`` is short
  stock on that line; ``<md5>.credit_limit_amount`` is the credit limit.
- ``UserError`` from a sale line's quantity check names no field: the line is identified by the
  SKU the fault names (``[SKU]``, the product's record name), and the reason comes from
  re-checking that line against the product's rules as read from the ERP.
- ``UserError`` with a domain names the field whose domain failed (e.g. a product that is not
  salable)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from storefleet.erp.errors import ErpProtocolError, ErpRejected
from storefleet.erp.types import LineVerdict, ReasonCode

from .client import TrytonFault

logger = logging.getLogger("storefleet.erp")

STOCK_WARNING = re.compile(r"^stock_quantity_warning_(\d+)$")
CREDIT_WARNING_SUFFIXES = (".credit_limit_amount", ".credit_limit_dunning")
KNOWN_KINDS = {"UserError", "UserWarning", "AccessError", "ValidationError"}


def warning_name(fault: TrytonFault) -> str | None:
    if fault.kind == "UserWarning" and fault.fault_args and isinstance(fault.fault_args[0], str):
        return fault.fault_args[0]
    return None


def is_credit_warning(fault: TrytonFault) -> bool:
    name = warning_name(fault)
    return name is not None and name.endswith(CREDIT_WARNING_SUFFIXES)


def stock_warning_line(fault: TrytonFault) -> int | None:
    """The ERP sale line id a stock warning names, if it is one."""
    name = warning_name(fault)
    match = STOCK_WARNING.match(name or "")
    return int(match.group(1)) if match else None


def named_skus(fault: TrytonFault, skus: Sequence[str]) -> list[str]:
    """Which of ``skus`` the fault names as a record (``[SKU]``)."""
    text = " ".join(str(arg) for arg in fault.fault_args if isinstance(arg, str))
    return [sku for sku in dict.fromkeys(skus) if f"[{sku}]" in text]


def domain_field(fault: TrytonFault) -> str | None:
    """The field a domain-validation ``UserError`` names (its third argument)."""
    if fault.kind != "UserError" or len(fault.fault_args) < 3:
        return None
    domain = fault.fault_args[2]
    if isinstance(domain, list) and len(domain) == 2 and isinstance(domain[1], dict):
        fields = list(domain[1])
        return fields[0] if fields else None
    return None


def to_rejection(
    fault: TrytonFault,
    *,
    skus: Sequence[str],
    line_ids: dict[int, int] | None = None,
    recheck: Callable[[Sequence[int]], Sequence[LineVerdict]] | None = None,
) -> ErpRejected | ErpProtocolError:
    """Turn a fault raised while writing a sale into a typed error.

    ``line_ids`` maps ERP sale line ids to request line indexes; ``recheck`` re-validates the
    given request lines against the ERP's rules to say why a named line was refused."""
    raw: Any = [fault.kind, fault.fault_args]
    if fault.kind not in KNOWN_KINDS:
        logger.error("erp unknown fault kind=%s args=%r", fault.kind, fault.fault_args)
        return ErpProtocolError(f"unknown ERP fault {fault.kind}", raw=raw)
    if is_credit_warning(fault):
        return ErpRejected(
            "This order would exceed your credit limit. Pay open invoices or contact us.",
            reasons=[ReasonCode.CREDIT_LIMIT_EXCEEDED],
            raw=raw,
        )
    line_id = stock_warning_line(fault)
    if line_id is not None:
        index = (line_ids or {}).get(line_id)
        verdicts = list(recheck([index])) if recheck and index is not None else []
        return ErpRejected(
            "Not enough stock for a line of this order.",
            reasons=[ReasonCode.INSUFFICIENT_STOCK],
            lines=verdicts,
            raw=raw,
        )
    if domain_field(fault) in {"salable", "product", "active"}:
        return ErpRejected(
            "A product in this order cannot be sold.", reasons=[ReasonCode.NOT_SALABLE], raw=raw
        )
    named = named_skus(fault, skus)
    if named and recheck:
        indexes = [i for i, sku in enumerate(skus) if sku in named]
        verdicts = [v for v in recheck(indexes) if v.reasons]
        reasons = list(dict.fromkeys(r for v in verdicts for r in v.reasons))
        if reasons:
            return ErpRejected(
                "Some lines of this order cannot be ordered as they are.",
                reasons=reasons,
                lines=verdicts,
                raw=raw,
            )
    logger.warning("erp refusal not mapped kind=%s args=%r", fault.kind, fault.fault_args)
    return ErpRejected("The ERP refused this request.", reasons=[ReasonCode.REFUSED], raw=raw)
