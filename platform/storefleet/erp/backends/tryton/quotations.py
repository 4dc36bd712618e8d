"""Quotations: a buyer's request for quote becomes a sale in ``quotation`` state (at the ERP's
prices of now, with the sale configuration's validity), once per idempotency key; the
customer's quotations are read back; accepting one confirms that very sale, so it becomes the
order at exactly the quoted prices (Tryton confirms a quotation as it stands, and refuses it
once its ``quotation_expire`` has passed: the sale date must not be later)."""

from __future__ import annotations

import dataclasses
import datetime
import logging
from concurrent.futures import ThreadPoolExecutor, wait
from decimal import Decimal
from typing import Any

from storefleet.erp.errors import ErpNotFound, ErpRejected
from storefleet.erp.types import (
    LineQuery,
    OrderState,
    Quotation,
    QuotationAnswer,
    QuotationLine,
    QuotationRequest,
    ReasonCode,
    SubmittedOrder,
)
from storefleet.money import Money

from . import faults, reads
from .client import TrytonClient, TrytonFault
from .lookups import CustomerInfo, Lookups, ProductInfo
from .orders import KEY_PREFIX, PRICE_PLACES, _discard

logger = logging.getLogger("storefleet.erp")

QUOTATION_FIELDS = [
    "number",
    "state",
    "description",
    "reference",
    "quotation_date",
    "quotation_expire",
    "total_amount",
    "party.code",
    "currency.code",
    "lines.id",
    "lines.type",
    "lines.sequence",
    "lines.product.code",
    "lines.product.name",
    "lines.description",
    "lines.quantity",
    "lines.unit_price",
    "lines.amount",
    "lines.note",
]
# What a buyer follows as a quote: open quotations, and the orders accepted ones became.
QUOTE_STATES = ["quotation", "confirmed", "processing", "done"]


def _quotation(row: dict[str, Any]) -> Quotation:
    currency = row["currency."]["code"]
    description = row.get("description") or ""
    lines = sorted(
        (ln for ln in row.get("lines.") or [] if ln.get("type", "line") == "line"),
        key=lambda ln: (ln.get("sequence") or 0, ln["id"]),
    )
    return Quotation(
        erp_id=row["id"],
        number=row.get("number") or "",
        customer=row["party."]["code"],
        state=OrderState(row["state"]),
        lines=tuple(
            QuotationLine(
                sku=(ln.get("product.") or {}).get("code") or "",
                name=ln.get("description") or (ln.get("product.") or {}).get("name") or "",
                quantity=Decimal(str(ln["quantity"])),
                unit_price=Money(ln["unit_price"], currency),
                amount=Money(ln["amount"], currency),
                note=ln.get("note") or "",
                erp_id=ln["id"],
            )
            for ln in lines
        ),
        total=Money(row["total_amount"], currency),
        quoted_on=row.get("quotation_date"),
        expires=row.get("quotation_expire"),
        idempotency_key=description.removeprefix(KEY_PREFIX)
        if description.startswith(KEY_PREFIX)
        else "",
        reference=row.get("reference") or "",
    )


def request_quotation(
    client: TrytonClient, lookups: Lookups, request: QuotationRequest
) -> Quotation:
    """Create the sale and quote it, once per key: a retry finds the sale the key made (and
    quotes it if an earlier attempt stopped before). The lines are at the customer's price of
    now; the buyer's target prices and notes go on the lines' notes for the salesperson.

    The key's first request has no earlier sale to find and does not look: create (beside
    the customer's prices of now, when the platform holds a price for every line), quote and
    the read back by id (raw Tryton's create and quote, plus one read)."""
    found = (
        []
        if request.first_request
        else client.search_read(
            "sale.sale",
            [["description", "=", KEY_PREFIX + request.idempotency_key]],
            ["state"],
            order=[["id", "ASC"]],
        )
    )
    if found:
        sale_id = found[0]["id"]
        state = found[0]["state"]
    else:
        sale_id, state = _create_at_prices(client, lookups, request), "draft"
    if state == "draft":
        try:
            client.model("sale.sale", "quote", [sale_id])
        except TrytonFault as fault:
            # Refused at quote (its checks): the draft goes, as a refused order's does.
            _discard(client, sale_id)
            raise faults.to_rejection(fault, skus=[ln.sku for ln in request.lines]) from fault
    (row,) = client.model("sale.sale", "read", [sale_id], QUOTATION_FIELDS)
    return _quotation(row)


def _create_at_prices(client: TrytonClient, lookups: Lookups, request: QuotationRequest) -> int:
    """The draft sale at the customer's prices of now. When the platform holds a price for
    every line (the buyer's cached prices: ``held_unit_price``), the sale is made at those while
    the ERP's prices are asked beside it (two requests at once on the same session, instead of
    one after the other, as an order's checked prices are); a price that moved since deletes
    that draft and makes the sale again at the ERP's price. Nothing is quoted before both
    answered, so a quotation is never at a price the ERP does not give now."""
    _customer_and_products(lookups, request)  # an unknown SKU or address: refused before both
    held = [line.held_unit_price for line in request.lines]
    if any(price is None for price in held):
        return _create(client, lookups, request, _prices_now(client, lookups, request))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="erp-prices") as pool:
        asked = pool.submit(_prices_now, client, lookups, request)
        try:
            sale_id = _create(client, lookups, request, held)  # type: ignore[arg-type]
        except BaseException:
            wait([asked])
            raise
        try:
            now = asked.result()
        except BaseException:
            _discard(client, sale_id)
            raise
    if [price.quantize(PRICE_PLACES) for price in held] == [  # type: ignore[union-attr]
        price.quantize(PRICE_PLACES) for price in now
    ]:
        return sale_id
    _discard(client, sale_id)
    return _create(client, lookups, request, now)


def _prices_now(client: TrytonClient, lookups: Lookups, request: QuotationRequest) -> list[Decimal]:
    """The customer's unit price of now for each line; a line not sold to them is refused."""
    quotes = reads.prices(
        client,
        lookups,
        request.customer,
        [LineQuery(ln.sku, ln.quantity) for ln in request.lines],
        request.currency or None,
    )
    prices = []
    for line, quote in zip(request.lines, quotes, strict=True):
        if quote.unit_price is None:
            raise ErpRejected(
                f"{line.sku} is not sold to you: remove it from the request.",
                reasons=[ReasonCode.NOT_SALABLE],
            )
        prices.append(quote.unit_price.amount)
    return prices


def _customer_and_products(
    lookups: Lookups, request: QuotationRequest
) -> tuple[CustomerInfo, dict[str, ProductInfo]]:
    customer = lookups.customer(request.customer)
    if request.ship_to_address_id not in customer.address_ids:
        raise ErpNotFound("Ship-to address", f"{request.ship_to_address_id} of {request.customer}")
    products = lookups.products(ln.sku for ln in request.lines)
    unknown = [ln.sku for ln in request.lines if ln.sku not in products]
    if unknown:
        raise ErpRejected(
            f"{', '.join(unknown)} is not sold (any more): remove it from the request.",
            reasons=[ReasonCode.UNKNOWN_PRODUCT],
        )
    return customer, products


def _create(
    client: TrytonClient, lookups: Lookups, request: QuotationRequest, unit_prices: list[Decimal]
) -> int:
    customer, products = _customer_and_products(lookups, request)
    lines = []
    for line, unit_price in zip(request.lines, unit_prices, strict=True):
        product = products[line.sku]
        lines.append(
            {
                "product": product.id,
                "quantity": float(line.quantity),
                "unit": product.sale_unit_id,
                "unit_price": unit_price,
                "taxes": [["add", list(product.tax_ids)]],
                "note": line.note,
            }
        )
    values: dict[str, Any] = {
        "party": customer.id,
        "warehouse": lookups.warehouse_id(request.warehouse),
        "shipment_cost_method": None,
        "invoice_address": customer.invoice_address_id,
        "shipment_address": request.ship_to_address_id,
        "payment_term": customer.payment_term_id,
        "price_list": customer.price_list_id,
        "currency": lookups.currency(request.currency).id
        if request.currency
        else customer.currency_id,
        "reference": request.reference,
        "comment": request.message,
        "description": KEY_PREFIX + request.idempotency_key,
        "lines": [["create", lines]],
    }
    if request.requested_date:
        values["shipping_date"] = request.requested_date
    try:
        (sale_id,) = client.model("sale.sale", "create", [values])
    except TrytonFault as fault:
        raise faults.to_rejection(fault, skus=[ln.sku for ln in request.lines]) from fault
    return int(sale_id)


def _read(client: TrytonClient, domain: list[Any]) -> Quotation:
    rows = client.search_read("sale.sale", domain, QUOTATION_FIELDS)
    if not rows:
        raise ErpNotFound("Quotation", str(domain))
    return _quotation(rows[0])


def quotations(client: TrytonClient, lookups: Lookups, customer: str) -> list[Quotation]:
    """The customer's open quotations and the orders accepted quotations became (those with a
    quotation date), newest first; one request."""
    info = lookups.customer(customer)
    rows = client.search_read(
        "sale.sale",
        [
            ["party", "=", info.id],
            ["state", "in", QUOTE_STATES],
            ["quotation_date", "!=", None],
        ],
        QUOTATION_FIELDS,
        order=[["id", "DESC"]],
        limit=200,
    )
    return [_quotation(row) for row in rows]


def quotation(client: TrytonClient, lookups: Lookups, customer: str, number: str) -> Quotation:
    """One of the customer's quotations; ``ErpNotFound`` for another customer's, as for none."""
    info = lookups.customer(customer)
    return _read(client, [["number", "=", number], ["party", "=", info.id]])


def accept_quotation(
    client: TrytonClient, lookups: Lookups, customer: str, number: str, today: datetime.date
) -> SubmittedOrder:
    """Confirm the customer's quotation as it stands (its quoted prices); the ERP's rules and
    credit check at confirm still apply. Accepting again returns the order it became."""
    quote = quotation(client, lookups, customer, number)
    if quote.state in (OrderState.CONFIRMED, OrderState.PROCESSING, OrderState.DONE):
        return _submitted(quote, created=False)
    if quote.state != OrderState.QUOTATION:
        raise ErpRejected(
            f"Quote {number} is no longer open in the ERP; ask for a new quote.",
            reasons=[ReasonCode.REFUSED],
        )
    if quote.expired(today):
        raise _expired(quote)
    try:
        client.model("sale.sale", "confirm", [quote.erp_id])
    except TrytonFault as fault:
        if "quotation_expire" in str(fault) or "sale_date" in str(fault):
            raise _expired(quote) from fault
        raise faults.to_rejection(fault, skus=[ln.sku for ln in quote.lines]) from fault
    # Not read back: confirming a quotation changes neither its number nor its lines and
    # total (that is the point of it), and the confirm went through. Whether the ERP has
    # begun processing it already (no grace period) is for whoever reads the sale later.
    return _submitted(dataclasses.replace(quote, state=OrderState.CONFIRMED), created=True)


def cancel_quotation(
    client: TrytonClient, lookups: Lookups, customer: str, number: str
) -> Quotation:
    """Cancel the customer's open quotation (the buyer declined it), as a salesperson does in
    Tryton. A quotation cancelled already is left as it is (a retry after the cancel made it);
    one that is an order now is refused."""
    quote = quotation(client, lookups, customer, number)
    if quote.state == OrderState.CANCELLED:
        return quote
    if quote.state not in (OrderState.QUOTATION, OrderState.DRAFT):
        raise ErpRejected(
            f"Quote {quote.number} is an order now ({quote.state}): it can't be cancelled.",
            reasons=[ReasonCode.NOT_CANCELLABLE],
        )
    try:
        client.model("sale.sale", "cancel", [quote.erp_id])
    except TrytonFault as fault:
        raise faults.to_rejection(fault, skus=[ln.sku for ln in quote.lines]) from fault
    return quotation(client, lookups, customer, number)


def answer_quotation(
    client: TrytonClient, lookups: Lookups, answer: QuotationAnswer, today: datetime.date
) -> Quotation:
    """Write an answer into the customer's open quotation the way a salesperson does in
    Tryton: back to draft, the lines' quantities and unit prices and the validity (quoted
    today, valid until ``answer.expires``), quoted again. A quotation that already reads as
    the answer is left as it is (a retry after the write made it); a draft (an earlier
    attempt stopped half-way) is finished. Refused values leave the quotation as it was."""
    quote = quotation(client, lookups, answer.customer, answer.number)
    if quote.state not in (OrderState.QUOTATION, OrderState.DRAFT):
        raise ErpRejected(
            f"Quote {quote.number} is no longer open in the ERP: it can't be answered.",
            reasons=[ReasonCode.REFUSED],
        )
    by_id = {line.erp_id: line for line in quote.lines}
    for wanted in answer.lines:
        line = by_id.get(wanted.line_id)
        if line is None or line.sku != wanted.sku:
            raise ErpRejected(
                f"{wanted.sku} is not a line of quote {quote.number} (any more).",
                reasons=[ReasonCode.REFUSED],
            )
    if answer.expires is not None and answer.expires < today:
        raise ErpRejected(
            f"The validity {answer.expires} of quote {quote.number} is in the past.",
            reasons=[ReasonCode.REFUSED],
        )
    changed = [
        wanted
        for wanted in answer.lines
        if by_id[wanted.line_id].quantity != wanted.quantity
        or by_id[wanted.line_id].unit_price.amount != wanted.unit_price
    ]
    validity_changed = answer.expires is not None and quote.expires != answer.expires
    if quote.state == OrderState.QUOTATION and not changed and not validity_changed:
        return quote
    skus = [wanted.sku for wanted in answer.lines]
    if quote.state == OrderState.QUOTATION:
        client.model("sale.sale", "draft", [quote.erp_id])
    try:
        writes: list[Any] = []
        for wanted in changed:
            writes += [
                [wanted.line_id],
                {"quantity": float(wanted.quantity), "unit_price": wanted.unit_price},
            ]
        if writes:
            client.model("sale.line", "write", *writes)
        if validity_changed and answer.expires is not None:
            days = (answer.expires - today).days
            client.model(
                "sale.sale",
                "write",
                [quote.erp_id],
                {
                    "quotation_date": today,
                    "quotation_validity": {"__class__": "timedelta", "seconds": days * 86400},
                },
            )
    except TrytonFault as fault:
        # The write is one ERP transaction: nothing of it stayed. The quotation is quoted
        # again as it was, so the ERP and the store still agree.
        _requote(client, quote.erp_id)
        raise faults.to_rejection(fault, skus=skus) from fault
    try:
        client.model("sale.sale", "quote", [quote.erp_id])
    except TrytonFault as fault:
        _restore(client, quote)
        raise faults.to_rejection(fault, skus=skus) from fault
    return quotation(client, lookups, answer.customer, answer.number)


def _requote(client: TrytonClient, sale_id: int) -> None:
    try:
        client.model("sale.sale", "quote", [sale_id])
    except TrytonFault:
        logger.exception("erp could not quote sale id=%s again after a refused answer", sale_id)


def _restore(client: TrytonClient, quote: Quotation) -> None:
    """Put the lines back as ``quote`` read them, and quote it again."""
    writes: list[Any] = []
    for line in quote.lines:
        writes += [
            [line.erp_id],
            {"quantity": float(line.quantity), "unit_price": line.unit_price.amount},
        ]
    try:
        if writes:
            client.model("sale.line", "write", *writes)
    except TrytonFault:
        logger.exception("erp could not restore the lines of sale id=%s", quote.erp_id)
    _requote(client, quote.erp_id)


def _expired(quote: Quotation) -> ErpRejected:
    return ErpRejected(
        f"Quote {quote.number} expired on {quote.expires}: it can no longer be accepted. "
        "Request a new quote for the same lines.",
        reasons=[ReasonCode.QUOTE_EXPIRED],
    )


def _submitted(quote: Quotation, *, created: bool) -> SubmittedOrder:
    return SubmittedOrder(
        erp_id=quote.erp_id,
        number=quote.number,
        state=quote.state,
        total=quote.total,
        idempotency_key=quote.idempotency_key,
        created=created,
    )
