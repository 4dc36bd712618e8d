"""Returns as Tryton sale complaints: what a sale has shipped and can still be returned, filing
a return with one ``sale_return`` action per complaint whose lines name the sale lines and
quantities, and the state of returns filed before.

A complaint's ``reference`` holds the platform's idempotency key: a retried filing finds the
complaint the key already made (and finishes it, if it was left in draft)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from storefleet.erp.errors import ErpNotFound, ErpRejected
from storefleet.erp.types import (
    OrderReturnables,
    OrderState,
    ReasonCode,
    ReturnableLine,
    ReturnRequest,
    ReturnResult,
    ReturnStatus,
)

from . import faults
from .client import TrytonClient, TrytonFault
from .lookups import Lookups

KEY_PREFIX = "storefleet:"
RETURNABLE_STATES = ("confirmed", "processing", "done")
# A complaint in these states no longer asks for anything back.
CLOSED_COMPLAINT_STATES = ["rejected", "cancelled"]
LINE_FIELDS = [
    "type",
    "product.code",
    "product.name",
    "quantity",
    "unit.name",
    "moves.quantity",
    "moves.state",
    "moves.to_location.type",
]


def _sale(client: TrytonClient, lookups: Lookups, customer: str, number: str) -> dict[str, Any]:
    info = lookups.customer(customer)
    rows = client.search_read(
        "sale.sale",
        [["number", "=", number], ["party", "=", info.id]],
        ["number", "state", "lines", "party.code"],
        limit=1,
    )
    if not rows:
        raise ErpNotFound("Order", number)
    return rows[0]


def order_returnables(
    client: TrytonClient, lookups: Lookups, customer: str, number: str
) -> OrderReturnables:
    """Each product line of the customer's sale ``number``: ordered, shipped (moves to the
    customer that are done) and already asked back by returns that are not rejected or
    cancelled. Another customer's sale is not found."""
    sale = _sale(client, lookups, customer, number)
    lines = client.model("sale.line", "read", sale["lines"], LINE_FIELDS)
    requested: dict[int, Decimal] = defaultdict(Decimal)
    for row in client.search_read(
        "sale.complaint.action-sale.line",
        [
            ["line.sale", "=", sale["id"]],
            ["action.complaint.state", "not in", CLOSED_COMPLAINT_STATES],
        ],
        ["line", "quantity"],
    ):
        requested[row["line"]] += Decimal(str(row["quantity"] or 0))
    result = []
    for line in sorted(lines, key=lambda ln: ln["id"]):
        if line.get("type") != "line" or not line.get("product."):
            continue
        shipped = sum(
            (
                Decimal(str(move["quantity"]))
                for move in line.get("moves.") or []
                if move["state"] == "done"
                and (move.get("to_location.") or {}).get("type") == "customer"
            ),
            Decimal(0),
        )
        result.append(
            ReturnableLine(
                line_id=line["id"],
                sku=line["product."]["code"] or "",
                name=line["product."].get("name") or "",
                unit=(line.get("unit.") or {}).get("name", ""),
                ordered=Decimal(str(line["quantity"])),
                shipped=shipped,
                requested=requested.get(line["id"], Decimal(0)),
            )
        )
    return OrderReturnables(
        number=sale["number"],
        customer=sale["party."]["code"],
        state=OrderState(sale["state"]),
        lines=tuple(result),
    )


def _allocate(returnables: OrderReturnables, request: ReturnRequest) -> list[tuple[int, Decimal]]:
    """(sale line id, quantity) for the request: an SKU on several lines is taken from them
    in order, never more than each can still give back."""
    left: dict[int, Decimal] = {line.line_id: line.returnable for line in returnables.lines}
    picked: list[tuple[int, Decimal]] = []
    for wanted in request.lines:
        remaining = wanted.quantity
        for line in returnables.lines:
            if remaining <= 0:
                break
            if line.sku != wanted.sku or left[line.line_id] <= 0:
                continue
            part = min(remaining, left[line.line_id])
            picked.append((line.line_id, part))
            left[line.line_id] -= part
            remaining -= part
        if remaining > 0 or wanted.quantity <= 0:
            raise ErpRejected(
                f"{wanted.sku}: only what was shipped and not already returned can be "
                f"returned on order {request.order_number}.",
                reasons=[ReasonCode.NOT_RETURNABLE],
            )
    return picked


def _wait(client: TrytonClient, complaint_id: int) -> None:
    """Submit the complaint; a second return on the same sale is expected here, so Tryton's
    "similar complaint" warning is acknowledged (only that one)."""
    for _attempt in range(3):
        try:
            client.model("sale.complaint", "wait", [complaint_id])
            return
        except TrytonFault as fault:
            name = faults.warning_name(fault)
            if name is None or "complaint_similar" not in name:
                raise
            client.model("res.user.warning", "skip", name, False)
    client.model("sale.complaint", "wait", [complaint_id])


def request_return(
    client: TrytonClient, lookups: Lookups, request: ReturnRequest, complaint_type: str
) -> ReturnResult:
    """File the return once per idempotency key: a key seen before answers the complaint it
    made. Quantities are checked against what was shipped and not yet asked back."""
    reference = KEY_PREFIX + request.idempotency_key
    fields = ["number", "state"]
    found = client.search_read("sale.complaint", [["reference", "=", reference]], fields)
    if found:
        if found[0]["state"] == "draft":
            _wait(client, found[0]["id"])
            found = client.model("sale.complaint", "read", [found[0]["id"]], fields)
        return ReturnResult(found[0]["id"], found[0]["number"] or "", found[0]["state"], False)
    customer = lookups.customer(request.customer)
    returnables = order_returnables(client, lookups, request.customer, request.order_number)
    if returnables.state.value not in RETURNABLE_STATES:
        raise ErpRejected(
            f"Order {request.order_number} has not been confirmed, so nothing can be returned.",
            reasons=[ReasonCode.NOT_RETURNABLE],
        )
    picked = _allocate(returnables, request)
    types = client.search_read("sale.complaint.type", [["name", "=", complaint_type]], ["id"])
    if not types:
        raise ErpNotFound("Complaint type", complaint_type)
    sale_id = client.search_read(
        "sale.sale", [["number", "=", request.order_number]], ["id"], limit=1
    )[0]["id"]
    detail = "\n".join(f"{line.sku} × {line.quantity}" for line in request.lines)
    values: dict[str, Any] = {
        "customer": customer.id,
        "company": lookups.company().id,
        "type": types[0]["id"],
        "origin": f"sale.sale,{sale_id}",
        "reference": reference,
        "date": datetime.date.today(),
        "description": "\n".join(filter(None, [request.reason, detail])),
    }
    if picked:
        values["actions"] = [
            [
                "create",
                [
                    {
                        "action": "sale_return",
                        "sale_lines": [
                            [
                                "create",
                                [
                                    {"line": line_id, "quantity": float(qty)}
                                    for line_id, qty in picked
                                ],
                            ]
                        ],
                    }
                ],
            ]
        ]
    (complaint_id,) = client.model("sale.complaint", "create", [values])
    _wait(client, complaint_id)
    (row,) = client.model("sale.complaint", "read", [complaint_id], fields)
    return ReturnResult(row["id"], row["number"] or "", row["state"], True)


def return_statuses(client: TrytonClient, keys: Sequence[str]) -> list[ReturnStatus]:
    """The complaints filed under ``keys`` (one request for all); a key not filed yet is
    left out."""
    if not keys:
        return []
    rows = client.search_read(
        "sale.complaint",
        [["reference", "in", [KEY_PREFIX + key for key in keys]]],
        ["number", "state", "reference"],
    )
    return [
        ReturnStatus(
            idempotency_key=row["reference"][len(KEY_PREFIX) :],
            erp_id=row["id"],
            number=row["number"] or "",
            state=row["state"],
        )
        for row in rows
    ]
