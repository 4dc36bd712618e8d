"""Orders: validate (a verdict per line and on credit, nothing written), submit (create →
quote → confirm, idempotent by key), status, cancel."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from storefleet.erp.errors import ErpNotFound, ErpRejected
from storefleet.erp.types import (
    CancelResult,
    CreditVerdict,
    LineQuery,
    LineVerdict,
    OrderRequest,
    OrderState,
    OrderStatus,
    OrderTotals,
    OrderValidation,
    PriceQuote,
    ReasonCode,
    Shipment,
    ShipmentState,
    SubmittedOrder,
)
from storefleet.money import Money
from storefleet.quantities import QuantityRule, allowed_at_least, quantity_problems

from . import faults, reads
from .client import TrytonClient, TrytonFault
from .lookups import Lookups, ProductInfo, in_sale_units

logger = logging.getLogger("storefleet.erp")

KEY_PREFIX = "storefleet:"
PRICE_PLACES = Decimal("0.0001")


def _unit_step(product: ProductInfo) -> Decimal | None:
    """The finest quantity the sales unit takes (1 for a unit with no decimals), if known."""
    return Decimal(1).scaleb(-product.unit_digits) if product.unit_digits is not None else None


def quantity_rule(product: ProductInfo) -> QuantityRule:
    """Tryton's line checks at create: the minimum and the multiple (``sale_product_quantity``)
    and the sales unit's digits (a quantity field's ``digits``: 2.5 of a unit with no
    decimals is refused, not rounded)."""
    return QuantityRule(product.min_quantity, product.multiple, _unit_step(product))


def suggested_quantity(product: ProductInfo, quantity: Decimal) -> Decimal:
    """The nearest quantity at or above ``quantity`` that the product's rules accept."""
    return allowed_at_least(quantity_rule(product), quantity)


def _rule_reasons(product: ProductInfo, quantity: Decimal) -> list[ReasonCode]:
    """Tryton's line checks at create (``quantity_rule``); too many decimals is reported as
    not a multiple of the unit's finest step."""
    if not product.active or not product.salable:
        return [ReasonCode.NOT_SALABLE]
    return [ReasonCode(problem) for problem in quantity_problems(quantity_rule(product), quantity)]


def validate(client: TrytonClient, lookups: Lookups, order: OrderRequest) -> OrderValidation:
    """A verdict per line and on credit, by the rules Tryton enforces when the order is created,
    quoted and confirmed (nothing is written): the line rules at create (``_rule_reasons``),
    the stock check at quote and confirm (``reads.sale_stock``: lines of one product count
    together, in order) and the credit limit at confirm (``credit_verdict``)."""
    customer = lookups.customer(order.customer)
    lookups.warehouse_id(order.warehouse)
    if order.ship_to_address_id not in customer.address_ids:
        raise ErpNotFound("Ship-to address", f"{order.ship_to_address_id} of {order.customer}")
    queries = [LineQuery(line.sku, line.quantity) for line in order.lines]
    currency = lookups.currency(order.currency) if order.currency else None
    # Prices first: the request that prices a product reads it afresh and renews its memo,
    # so a product moved to another sales unit is seen now, not when the memo runs out. A
    # product without a price (withdrawn, no longer salable, unknown) is read afresh too.
    quotes = {
        (p.sku, p.quantity): p
        for p in reads.prices(client, lookups, order.customer, queries, order.currency or None)
    }
    lookups.forget_products(
        {q.sku for q in queries if quotes[(q.sku, q.quantity)].unit_price is None}
    )
    products = lookups.products((q.sku for q in queries), include_inactive=True)
    salable = [q for q in queries if q.sku in products and products[q.sku].salable]
    # Tryton checks a line at its shipping date: today, for a product without a lead time
    # (the seeded catalogue has none; one with a lead time would be checked later).
    left = reads.sale_stock(
        client,
        lookups,
        order.warehouse,
        [products[q.sku].id for q in salable if products[q.sku].stock_checked],
        date=datetime.date.today(),
    )
    drafts = []
    amounts = []
    short: list[LineQuery] = []
    for index, line in enumerate(order.lines):
        product = products.get(line.sku)
        if product is None:
            drafts.append(
                LineVerdict(index, line.sku, line.quantity, (ReasonCode.UNKNOWN_PRODUCT,))
            )
            continue
        reasons = _rule_reasons(product, line.quantity)
        quote = quotes.get((line.sku, line.quantity))
        price = quote.unit_price if quote else None
        if price is None and ReasonCode.NOT_SALABLE not in reasons:
            # The ERP gives this customer no price for it: it is not for sale to them.
            reasons = [ReasonCode.NOT_SALABLE]
        if price is not None:
            amounts.append(price.amount * line.quantity)
            if line.expected_unit_price is not None and line.expected_unit_price.quantize(
                PRICE_PLACES
            ) != price.amount.quantize(PRICE_PLACES):
                reasons.append(ReasonCode.PRICE_CHANGED)
        available = None
        if product.id in left and line.quantity > 0 and ReasonCode.NOT_SALABLE not in reasons:
            # Stock is counted in the stock unit; the buyer orders, and is answered, in the
            # sales unit (boxes of 10 against 335 units: 33 boxes).
            needed = line.quantity * product.stock_per_sale_unit
            if left[product.id] < needed:
                reasons.append(ReasonCode.INSUFFICIENT_STOCK)
                short.append(LineQuery(line.sku, line.quantity))
            available = in_sale_units(product, left[product.id])
            left[product.id] -= needed
        needs_other_quantity = {ReasonCode.BELOW_MINIMUM, ReasonCode.NOT_A_MULTIPLE} & set(reasons)
        drafts.append(
            LineVerdict(
                index=index,
                sku=line.sku,
                quantity=line.quantity,
                reasons=tuple(reasons),
                unit_price=price,
                suggested_quantity=(
                    suggested_quantity(product, line.quantity) if needs_other_quantity else None
                ),
                available_quantity=max(available, Decimal(0)) if available is not None else None,
            )
        )
    # When short lines' stock arrives: one more request, only for a cart that has some.
    arrivals = {
        (a.sku, a.requested): a.available_from
        for a in (reads.availability(client, lookups, order.warehouse, short) if short else ())
    }
    verdicts = tuple(
        dataclasses.replace(v, available_from=arrivals.get((v.sku, v.quantity)))
        if ReasonCode.INSUFFICIENT_STOCK in v.reasons
        else v
        for v in drafts
    )
    rounding = currency.rounding if currency else customer.currency_rounding
    total = sum((_round_money(a, rounding) for a in amounts), Decimal(0))
    order_total = Money(total, currency.code if currency else customer.currency)
    return OrderValidation(
        lines=verdicts,
        credit=credit_verdict(client, lookups, order.customer, order_total),
        accept_backorder=order.accept_backorder,
    )


def _round_money(amount: Decimal, rounding: Decimal) -> Decimal:
    """Tryton's ``Currency.round``: half to even, to the currency's rounding."""
    return (amount / rounding).quantize(Decimal(1), rounding=ROUND_HALF_EVEN) * rounding


def credit_verdict(
    client: TrytonClient, lookups: Lookups, customer: str, order_total: Money
) -> CreditVerdict:
    """Tryton's check at confirm (``account_credit_limit``): the order's untaxed amount (its
    lines each rounded to the cent, as the sale sums them) on top of the credit already used
    (receivables, and sales confirmed but not yet invoiced) must not exceed the limit. An
    order worth nothing is not checked."""
    info = lookups.customer(customer)
    (row,) = client.model(
        "party.party", "read", [info.id], ["credit_limit_amount", "credit_amount"]
    )
    company = lookups.company()
    currency = company.currency
    limit = row.get("credit_limit_amount")
    used = row.get("credit_amount") or Decimal(0)
    # Credit is kept in the company's currency; an order in another is converted as Tryton
    # converts it at confirm (Currency.compute: amount * to.rate / from.rate).
    amount = order_total.amount
    if order_total.currency != currency:
        rate = lookups.currency(order_total.currency).rate
        amount = _round_money(
            amount / rate * lookups.currency(currency).rate, company.currency_rounding
        )
    exceeded = limit is not None and amount > 0 and used + amount > limit
    return CreditVerdict(
        limit=Money(limit, currency) if limit is not None else None,
        used=Money(used, currency),
        order_total=order_total,
        reasons=(ReasonCode.CREDIT_LIMIT_EXCEEDED,) if exceeded else (),
    )


def totals(client: TrytonClient, lookups: Lookups, order: OrderRequest) -> OrderTotals:
    """The sale's amounts as Tryton computes them, without creating it: one ``on_change`` of
    a sale's ``lines`` (the RPC call the Tryton client makes while a sale is edited), which
    runs ``Sale.on_change_lines``: taxes by the ERP's own ``Tax.compute`` and its rounding
    (per line or per document, as the ERP's accounting is configured), and the total.

    Lines carry the product's customer taxes (as ``_create`` does) and their amounts rounded
    as ``SaleLine.on_change_with_amount`` rounds them. One request when every line has its
    price (the checkout, right after the cart's verdict); two when some are asked for."""
    customer = lookups.customer(order.customer)
    products = lookups.products(line.sku for line in order.lines)
    missing = [line for line in order.lines if line.sku not in products]
    if missing:
        raise ErpNotFound("Product", missing[0].sku)
    currency = lookups.currency(order.currency) if order.currency else None
    code = currency.code if currency else customer.currency
    rounding = currency.rounding if currency else customer.currency_rounding
    unpriced = [
        LineQuery(ln.sku, ln.quantity) for ln in order.lines if ln.expected_unit_price is None
    ]
    asked = {
        (quote.sku, quote.quantity): quote.unit_price
        for quote in (
            reads.prices(client, lookups, order.customer, unpriced, order.currency or None)
            if unpriced
            else ()
        )
    }
    lines = []
    for index, line in enumerate(order.lines):
        product = products[line.sku]
        price = line.expected_unit_price
        if price is None:
            quoted = asked.get((line.sku, line.quantity))
            if quoted is None:
                raise ErpRejected(
                    f"{line.sku} has no price for this customer.",
                    reasons=[ReasonCode.NOT_SALABLE],
                )
            price = quoted.amount
        lines.append(
            {
                "id": -1 - index,
                "type": "line",
                "product": product.id,
                "quantity": float(line.quantity),
                "unit": product.sale_unit_id,
                "unit_price": price,
                "taxes": list(product.tax_ids),
                "amount": _round_money(price * line.quantity, rounding),
            }
        )
    values = {
        "company": lookups.company().id,
        "party": customer.id,
        "currency": currency.id if currency else customer.currency_id,
        "lines": lines,
    }
    changed = client.model("sale.sale", "on_change", values, ["lines"])
    untaxed, tax = changed["untaxed_amount"], changed["tax_amount"]
    return OrderTotals(
        untaxed=Money(untaxed, code),
        tax=Money(tax, code),
        total=Money(changed["total_amount"], code),
    )


SUBMITTED_FIELDS = ["number", "state", "total_amount", "currency.code"]


def _find_by_key(client: TrytonClient, key: str) -> dict[str, Any] | None:
    rows = client.search_read(
        "sale.sale",
        [["description", "=", KEY_PREFIX + key]],
        [*SUBMITTED_FIELDS, "lines"],
        order=[["id", "ASC"]],
    )
    return rows[0] if rows else None


def submit(client: TrytonClient, lookups: Lookups, order: OrderRequest) -> SubmittedOrder:
    """Create, quote and confirm the sale of ``order``, once per idempotency key.

    When the platform checked the order moments ago and this is the key's first submission:
    the ERP's prices of now, asked beside the create, then quote, confirm and read back — raw
    Tryton takes three requests, this one wait more; with prices the platform read from the ERP
    seconds ago (``prices_current``), none is asked beside the create. The ERP's own checks at
    quote and confirm still apply: a refusal is mapped to reasons."""
    existing = None if order.first_submission else _find_by_key(client, order.idempotency_key)
    if existing is not None and existing["state"] in ("processing", "confirmed", "done"):
        return _submitted(existing, order.idempotency_key, created=False)
    if existing is not None and existing["state"] == "cancelled":
        raise ErpRejected(
            "This order was cancelled in the ERP; submit it again as a new order.",
            reasons=[ReasonCode.REFUSED],
        )

    def recheck(indexes: Sequence[int]) -> list[LineVerdict]:
        lines = validate(client, lookups, order).lines
        return [lines[i] for i in indexes]

    state = existing["state"] if existing is not None else None
    if existing is not None:
        sale_id = existing["id"]
        if state == "draft":
            # A draft left by an earlier run (its answer lost, or its price check not back):
            # it is quoted only at prices checked now, as a new sale would be.
            _unit_prices(client, lookups, order)
    elif _prechecked(order) and order.prices_current:
        # The platform read these prices from the ERP seconds ago: raw Tryton's three
        # requests and the read back.
        sale_id = _create(client, lookups, order, _expected_prices(order), recheck)
        state = "draft"
    elif _prechecked(order):
        sale_id = _create_checking_prices(client, lookups, order, recheck)
        state = "draft"
    else:
        sale_id = _create(client, lookups, order, _unit_prices(client, lookups, order), recheck)
        state = "draft"
    try:
        _quote_and_confirm(client, order, sale_id, state)
    except TrytonFault as fault:
        line_ids = {
            line_id: index
            for index, line_id in enumerate(
                client.model("sale.sale", "read", [sale_id], ["lines"])[0]["lines"]
            )
        }
        _discard(client, sale_id)
        raise faults.to_rejection(
            fault, skus=[line.sku for line in order.lines], line_ids=line_ids, recheck=recheck
        ) from fault
    (row,) = client.model("sale.sale", "read", [sale_id], SUBMITTED_FIELDS)
    return _submitted(row, order.idempotency_key, created=existing is None)


def _prechecked(order: OrderRequest) -> bool:
    return order.prechecked and all(line.expected_unit_price is not None for line in order.lines)


def _expected_prices(order: OrderRequest) -> list[Decimal]:
    return [line.expected_unit_price for line in order.lines]  # type: ignore[misc]


def _create_checking_prices(
    client: TrytonClient,
    lookups: Lookups,
    order: OrderRequest,
    recheck: Callable[[Sequence[int]], list[LineVerdict]],
) -> int:
    """The draft sale of an order the platform checked moments ago, made at the prices its
    buyer accepted while the ERP's prices of now are asked beside it (two requests at once on
    the same session, instead of one after the other). Nothing is quoted until they answered:
    a price that moved deletes the draft and refuses the order as ``_unit_prices`` would; a
    price read that failed deletes it too (and a draft left behind is checked again by the
    next run before it is quoted)."""
    accepted = _expected_prices(order)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="erp-prices") as pool:
        asked = pool.submit(_prices_now, client, lookups, order)
        try:
            sale_id = _create(client, lookups, order, accepted, recheck)
        except BaseException:
            wait([asked])
            raise
        try:
            same = _accepted_prices_hold(order, asked.result())
        except BaseException:
            _discard(client, sale_id)
            raise
    if same:
        return sale_id
    _discard(client, sale_id)
    # The full validation names what moved and refuses; if nothing has by now (a price moved
    # and back), the sale is made at the prices it answered.
    return _create(
        client, lookups, order, _unit_prices(client, lookups, order, ask_prices=False), recheck
    )


def _prices_now(client: TrytonClient, lookups: Lookups, order: OrderRequest) -> list[PriceQuote]:
    return reads.prices(
        client,
        lookups,
        order.customer,
        [LineQuery(line.sku, line.quantity) for line in order.lines],
        order.currency or None,
    )


def _accepted_prices_hold(order: OrderRequest, quotes: Sequence[PriceQuote]) -> bool:
    return all(
        quote.unit_price is not None
        and line.expected_unit_price is not None
        and line.expected_unit_price.quantize(PRICE_PLACES)
        == quote.unit_price.amount.quantize(PRICE_PLACES)
        for line, quote in zip(order.lines, quotes, strict=True)
    )


def _unit_prices(
    client: TrytonClient, lookups: Lookups, order: OrderRequest, *, ask_prices: bool = True
) -> list[Decimal]:
    """The prices the sale is made at: always the ERP's of now. An order the platform checked
    moments ago carries the prices its buyer accepted: the ERP is asked for its prices only
    (one request per distinct quantity), and a price that moved since is a refusal naming the
    line and its new price — the sale is never made at a price the buyer did not accept. Any
    other order gets a full validation (which also refuses what the ERP would refuse)."""
    if (
        ask_prices
        and _prechecked(order)
        and _accepted_prices_hold(order, _prices_now(client, lookups, order))
    ):
        return _expected_prices(order)
    # A price moved: the full validation names it, and whatever else changed since.
    validation = validate(client, lookups, order)
    gone = {ReasonCode.PRICE_CHANGED, ReasonCode.NOT_SALABLE}
    moved = [v for v in validation.lines if gone & set(v.reasons)]
    if moved and set(validation.reasons) <= gone:
        raise ErpRejected(_moved_message(order, moved), reasons=_reasons(moved), lines=moved)
    if not validation.ok:
        raise ErpRejected(
            "This order cannot be placed as it is; see the reasons on its lines.",
            reasons=validation.reasons,
            lines=[v for v in validation.lines if v.reasons],
        )
    prices = [verdict.unit_price for verdict in validation.lines]
    assert all(price is not None for price in prices)
    return [price.amount for price in prices]  # type: ignore[union-attr]


def _reasons(verdicts: Sequence[LineVerdict]) -> list[ReasonCode]:
    return list(dict.fromkeys(r for v in verdicts for r in v.reasons))


def _moved_message(order: OrderRequest, moved: Sequence[LineVerdict]) -> str:
    """What the buyer reads when prices moved between their order and its submission."""
    expected = {line.sku: line.expected_unit_price for line in order.lines}
    parts = []
    for verdict in moved:
        was = expected.get(verdict.sku)
        was_text = f"{was.normalize():f}" if was is not None else "?"
        if verdict.unit_price is None:
            parts.append(f"{verdict.sku} is no longer sold to you (was {was_text})")
        else:
            parts.append(
                f"{verdict.sku} now costs {verdict.unit_price.amount.normalize():f} "
                f"{verdict.unit_price.currency} per unit (you accepted {was_text})"
            )
    return (
        "Prices changed in our ERP after you placed the order, so nothing was ordered: "
        + "; ".join(parts)
        + ". Put the order's lines in your cart again to see today's prices and order."
    )


def _submitted(row: dict[str, Any], key: str, *, created: bool) -> SubmittedOrder:
    return SubmittedOrder(
        erp_id=row["id"],
        number=row["number"] or "",
        state=OrderState(row["state"]),
        total=Money(row["total_amount"], row["currency."]["code"]),
        idempotency_key=key,
        created=created,
    )


def _create(
    client: TrytonClient,
    lookups: Lookups,
    order: OrderRequest,
    prices: Sequence[Decimal],
    recheck: Callable[[Sequence[int]], list[LineVerdict]],
) -> int:
    customer = lookups.customer(order.customer)
    products = lookups.products(line.sku for line in order.lines)
    lines = []
    for line, price in zip(order.lines, prices, strict=True):
        product = products.get(line.sku)
        if product is None:
            raise ErpRejected(
                f"{line.sku} is not sold (any more): remove it from the order.",
                reasons=[ReasonCode.UNKNOWN_PRODUCT],
                lines=recheck([order.lines.index(line)]),
            )
        lines.append(
            {
                "product": product.id,
                "quantity": float(line.quantity),
                "unit": product.sale_unit_id,
                "unit_price": price,
                # Tryton fills taxes in on_change, which a create over RPC does not run.
                "taxes": [["add", list(product.tax_ids)]],
            }
        )
    values: dict[str, Any] = {
        "party": customer.id,
        "warehouse": lookups.warehouse_id(order.warehouse),
        "shipment_cost_method": None,
        "invoice_address": customer.invoice_address_id,
        "shipment_address": order.ship_to_address_id,
        "payment_term": customer.payment_term_id,
        "price_list": customer.price_list_id,
        "currency": lookups.currency(order.currency).id if order.currency else customer.currency_id,
        "reference": order.po_number,
        "comment": order.notes,
        "description": KEY_PREFIX + order.idempotency_key,
        "lines": [["create", lines]],
    }
    if order.requested_delivery_date:
        values["shipping_date"] = order.requested_delivery_date
    try:
        (sale_id,) = client.model("sale.sale", "create", [values])
    except TrytonFault as fault:
        raise faults.to_rejection(
            fault, skus=[line.sku for line in order.lines], recheck=recheck
        ) from fault
    return int(sale_id)


def _quote_and_confirm(
    client: TrytonClient, order: OrderRequest, sale_id: int, state: str | None
) -> None:
    if state is None:
        state = client.model("sale.sale", "read", [sale_id], ["state"])[0]["state"]
    if state == "draft":
        _with_stock_warnings_skipped(client, order, "quote", sale_id)
    _with_stock_warnings_skipped(client, order, "confirm", sale_id)


def _with_stock_warnings_skipped(
    client: TrytonClient, order: OrderRequest, button: str, sale_id: int
) -> None:
    """Press ``button``; a stock warning is skipped (once per line) only when the buyer
    accepted a back-order. Credit warnings are never skipped."""
    for _attempt in range(len(order.lines) + 1):
        try:
            client.model("sale.sale", button, [sale_id])
            return
        except TrytonFault as fault:
            name = faults.warning_name(fault)
            if not (order.accept_backorder and faults.stock_warning_line(fault) is not None):
                raise
            client.model("res.user.warning", "skip", name, False)
    client.model("sale.sale", button, [sale_id])


def _discard(client: TrytonClient, sale_id: int) -> None:
    """Leave nothing half-done behind a refused submission: the draft or quotation goes."""
    try:
        (row,) = client.model("sale.sale", "read", [sale_id], ["state"])
        if row["state"] == "quotation":
            client.model("sale.sale", "draft", [sale_id])
        client.model("sale.sale", "cancel", [sale_id])
        client.model("sale.sale", "delete", [sale_id])
    except TrytonFault:
        logger.exception("erp could not discard refused sale id=%s", sale_id)


STATUS_FIELDS = [
    "number",
    "state",
    "shipment_state",
    "reference",
    "total_amount",
    "party.code",
    "currency.code",
    "shipments.number",
    "shipments.state",
    "shipments.planned_date",
    "shipments.effective_date",
]


def _sale_by_number(client: TrytonClient, number: str, fields: list[str]) -> dict[str, Any]:
    rows = client.search_read("sale.sale", [["number", "=", number]], fields)
    if not rows:
        raise ErpNotFound("Order", number)
    return rows[0]


def status(client: TrytonClient, number: str) -> OrderStatus:
    row = _sale_by_number(client, number, STATUS_FIELDS)
    shipments = sorted(row.get("shipments.") or [], key=lambda s: s["id"])
    return OrderStatus(
        erp_id=row["id"],
        number=row["number"],
        customer=row["party."]["code"],
        po_number=row.get("reference") or "",
        state=OrderState(row["state"]),
        shipment_state=ShipmentState(row["shipment_state"]),
        shipments=tuple(
            Shipment(
                number=s["number"] or "",
                state=s["state"],
                planned_date=s.get("planned_date"),
                effective_date=s.get("effective_date"),
            )
            for s in shipments
        ),
        total=Money(row["total_amount"], row["currency."]["code"]),
    )


def cancel_grace_period(client: TrytonClient) -> datetime.timedelta | None:
    """The sale configuration's "Process Sale after": how long a confirmed sale waits (and
    can be cancelled) before the ERP's queue worker processes it; None: processed at once."""
    (row,) = client.model("sale.configuration", "read", [1], ["sale_process_after"])
    value = row.get("sale_process_after")
    if isinstance(value, datetime.timedelta) and value > datetime.timedelta(0):
        return value
    return None


def cancel(client: TrytonClient, number: str) -> CancelResult:
    """Tryton cancels a sale only before it is confirmed (draft or quotation); a confirmed one
    — still in its grace period ("Process Sale after"), not processed yet — goes back to draft
    first. Once processed — shipments and invoices exist — it is the warehouse's and
    accounting's to undo, and the answer is a clear refusal. The ERP is the judge: if its
    worker processed the sale between our read and the reset, the reset is refused by Tryton's
    workflow (no transition from processing to draft) and so is the cancel."""
    row = _sale_by_number(client, number, ["number", "state"])
    state = row["state"]
    if state == "cancelled":
        return CancelResult(number=number, state=OrderState.CANCELLED, already_cancelled=True)
    if state in ("processing", "done"):
        raise _processed(number)
    if state in ("confirmed", "quotation"):
        client.model("sale.sale", "draft", [row["id"]])
        after = _sale_by_number(client, number, ["state"])["state"]
        if after != "draft":  # processed meanwhile: Tryton's workflow skipped the reset
            raise _processed(number)
    client.model("sale.sale", "cancel", [row["id"]])
    after = _sale_by_number(client, number, ["state"])
    return CancelResult(number=number, state=OrderState(after["state"]), already_cancelled=False)


def _processed(number: str) -> ErpRejected:
    return ErpRejected(
        f"Order {number} is already being processed (shipped or invoiced) and can no longer be "
        "cancelled online. Please contact customer service.",
        reasons=[ReasonCode.NOT_CANCELLABLE],
    )
