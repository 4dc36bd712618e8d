"""Reorder: put the lines of one of the company's past orders — a web order, or a sale entered
straight into the ERP (by phone) as the sales mirror has it — into the cart again, at today's
prices and rules, and say line by line what changed since: a product no longer sold (left
out), a price that moved, a quantity today's rules or stock would not take. Nothing is
ordered: the lines land in the cart, where the ERP's verdict applies like to any other line."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storefleet.accounts.principal import Principal
from storefleet.catalog.selectors import product_list, store_assortment
from storefleet.errors import ApplicationError
from storefleet.money import format_unit_price

from .cart import cart_owner, quick_order_add
from .checks import Wanted, check_lines
from .order_history import company_sale
from .quick_order import QuickRow
from .sales_mirror import parts_from_json
from .selectors import order_for_company

PRICE_PLACES = Decimal("0.0001")  # the ERP's unit price precision


@dataclass(frozen=True, slots=True)
class PastLine:
    """A line as it was ordered: what, how much, at what unit price (None: not known)."""

    sku: str
    quantity: Decimal
    unit_price: Decimal | None
    currency: str


@dataclass(frozen=True)
class ReorderResult:
    number: str
    added: tuple[QuickRow, ...]
    left_out: tuple[QuickRow, ...]  # not put in the cart, with the reason
    changes: tuple[str, ...]  # what is different today, in the buyer's words


def past_lines(*, principal: Principal, number: str) -> list[PastLine]:
    """The lines of the company's order ``number`` as seen from the principal's store (a web
    order's number, or an ERP sale's); ``ApplicationError`` (not_found) for anything else."""
    company, store = principal.company, principal.require_store()
    order = order_for_company(company=company, store_id=store.id, number=number)
    if order is not None:
        return [
            PastLine(line.sku, line.quantity, line.unit_price, order.currency)
            for line in order.lines.all()
        ]
    record = company_sale(company=company, store_id=store.id, number=number)
    if record is None:
        raise ApplicationError("We can't find that order.", code="not_found")
    return [
        PastLine(
            line.sku,
            line.quantity.value,
            line.unit_price.amount if line.unit_price else None,
            line.unit_price.currency if line.unit_price else record.currency,
        )
        for line in parts_from_json(record.detail).lines
        if line.sku and line.quantity.value > 0  # comment and subtotal lines carry no product
    ]


def order_reorder(*, principal: Principal, number: str) -> ReorderResult:
    """Put the order's lines into the buyer's cart as they were ordered, and report what
    changed: one ERP validation of the reordered lines gives today's price and verdict."""
    store, membership = cart_owner(principal)
    lines = past_lines(principal=principal, number=number)
    if not lines:
        raise ApplicationError("This order has no product lines to order again.")
    rows = [QuickRow(i, line.sku, line.quantity) for i, line in enumerate(lines, start=1)]
    result = quick_order_add(principal=principal, rows=rows)
    changes: list[str] = []
    left_out = []
    for row in result.errors:
        message = (
            "no longer sold here: left out."
            if "don't sell" in row.error
            else f"left out: {row.error}"
        )
        changes.append(f"{row.sku}: {message}")
        left_out.append(row)
    added = {row.row: row for row in result.added}
    products = {
        p.sku: p
        for p in product_list(assortment=store_assortment(store=store)).filter(
            sku__in=[row.sku for row in result.added]
        )
    }
    kept = [(line, added[i]) for i, line in enumerate(lines, start=1) if i in added]
    wanted = [Wanted(products[row.sku], line.quantity) for line, row in kept]
    check = check_lines(store=store, company=membership.company, wanted=wanted)
    if check.degraded:
        changes.append(
            "Our ERP is not answering right now: today's prices and stock will show in your "
            "cart once it is back."
        )
    for (line, row), verdict in zip(kept, check.lines, strict=True):
        unit = verdict.product.unit
        today = verdict.unit_price
        if (
            today is not None
            and line.unit_price is not None
            and today.currency == line.currency
            and today.amount.quantize(PRICE_PLACES) != line.unit_price.quantize(PRICE_PLACES)
        ):
            changes.append(
                f"{row.sku}: the price moved from "
                f"{format_unit_price(line.unit_price, line.currency, unit)} to "
                f"{format_unit_price(today.amount, today.currency, unit)}."
            )
        changes.extend(f"{row.sku}: {message}" for message in verdict.messages)
    return ReorderResult(
        number=number, added=result.added, left_out=tuple(left_out), changes=tuple(changes)
    )
