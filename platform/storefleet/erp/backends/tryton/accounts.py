"""Accounts receivable: credit status, open invoices, payments, returns."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from storefleet.erp.errors import ErpNotFound, ErpRejected
from storefleet.erp.types import (
    CreditStatus,
    Invoice,
    PaymentAllocation,
    PaymentRequest,
    PaymentResult,
    ReasonCode,
)
from storefleet.money import Money

from .client import TrytonClient
from .lookups import Lookups

KEY_PREFIX = "storefleet:"


def credit_status(client: TrytonClient, lookups: Lookups, customer: str) -> CreditStatus:
    info = lookups.customer(customer)
    currency = lookups.company().currency
    (row,) = client.model(
        "party.party", "read", [info.id], ["credit_limit_amount", "credit_amount"]
    )
    limit = row.get("credit_limit_amount")
    used = row.get("credit_amount") or Decimal(0)
    return CreditStatus(
        customer=customer,
        limit=Money(limit, currency) if limit is not None else None,
        used=Money(used, currency),
        available=Money(limit - used, currency) if limit is not None else None,
    )


INVOICE_FIELDS = [
    "number",
    "invoice_date",
    "total_amount",
    "amount_to_pay",
    "currency.code",
    "party.code",
    "lines_to_pay.maturity_date",
    "lines_to_pay.reconciliation",
]


def _invoice(row: dict[str, Any], today: datetime.date) -> Invoice:
    currency = row["currency."]["code"]
    due_dates = [
        line["maturity_date"]
        for line in row.get("lines_to_pay.") or []
        if line.get("maturity_date") and not line.get("reconciliation")
    ]
    due = min(due_dates) if due_dates else None
    return Invoice(
        erp_id=row["id"],
        number=row["number"],
        customer=row["party."]["code"],
        invoice_date=row.get("invoice_date"),
        total=Money(row["total_amount"], currency),
        amount_to_pay=Money(row["amount_to_pay"], currency),
        due_date=due,
        overdue=due is not None and due < today,
    )


def open_invoices(client: TrytonClient, lookups: Lookups, customer: str) -> list[Invoice]:
    info = lookups.customer(customer)
    rows = client.search_read(
        "account.invoice",
        [["party", "=", info.id], ["type", "=", "out"], ["state", "=", "posted"]],
        INVOICE_FIELDS,
        order=[["invoice_date", "ASC"], ["id", "ASC"]],
    )
    today = datetime.date.today()
    invoices = [_invoice(row, today) for row in rows]
    return sorted(
        (i for i in invoices if i.amount_to_pay.amount > 0),
        key=lambda i: (i.due_date or datetime.date.max, i.erp_id),
    )


def invoice_history(
    client: TrytonClient, lookups: Lookups, customer: str, limit: int
) -> list[Invoice]:
    """The customer's issued invoices, open and paid (never drafts or cancelled), newest
    first; one request."""
    info = lookups.customer(customer)
    rows = client.search_read(
        "account.invoice",
        [["party", "=", info.id], ["type", "=", "out"], ["state", "in", ["posted", "paid"]]],
        INVOICE_FIELDS,
        order=[["invoice_date", "DESC"], ["id", "DESC"]],
        limit=limit,
    )
    today = datetime.date.today()
    return [_invoice(row, today) for row in rows]


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    """Wizard defaults carry display values (``field.``) the server refuses back."""
    return {k: v for k, v in values.items() if not k.endswith(".")}


def _pay_one(
    client: TrytonClient, invoice_id: int, amount: Decimal, date: datetime.date, memo: str
) -> None:
    wizard = "wizard.account.invoice.pay"
    session_id, _start, _end = client.call(f"{wizard}.create")
    active = {
        "active_id": invoice_id,
        "active_ids": [invoice_id],
        "active_model": "account.invoice",
    }
    try:
        answer = client.call(f"{wizard}.execute", session_id, {}, "start", **active)
        start = {
            **_strip(answer["view"]["defaults"]),
            "amount": amount,
            "date": date,
            "description": memo,
            "payment_method": _payment_method(client),
        }
        answer = client.call(f"{wizard}.execute", session_id, {"start": start}, "choice", **active)
        view = answer.get("view") if isinstance(answer, dict) else None
        if view and view.get("state") == "ask":
            ask = {**_strip(view["defaults"]), "type": "partial"}
            client.call(
                f"{wizard}.execute", session_id, {"start": start, "ask": ask}, "pay", **active
            )
    finally:
        client.call(f"{wizard}.delete", session_id)


def _payment_method(client: TrytonClient) -> int:
    rows = client.search_read(
        "account.invoice.payment.method", [], ["id"], order=[["id", "ASC"]], limit=1
    )
    if not rows:
        raise ErpNotFound("Payment method", "any")
    return int(rows[0]["id"])


def _invoice_key(key: str, number: str) -> str:
    return f"{KEY_PREFIX}{key}/{number}"


def _recorded(client: TrytonClient, key: str, numbers: Sequence[str]) -> dict[str, Decimal]:
    """What an earlier attempt with ``key`` already paid, by invoice number: each invoice is
    paid under its own key, so an attempt cut off after the first of several invoices is
    finished, not skipped, by the next. (A move under the bare key is an older platform's:
    the whole payment was recorded.)"""
    wanted = {_invoice_key(key, n): n for n in numbers}
    rows = client.search_read(
        "account.move",
        [["description", "in", [*wanted, KEY_PREFIX + key]]],
        ["description", "lines.debit"],
    )
    done: dict[str, Decimal] = {}
    for row in rows:
        amount = sum((Decimal(str(line["debit"])) for line in row.get("lines.") or ()), Decimal(0))
        if row["description"] == KEY_PREFIX + key:
            return {n: Decimal(0) for n in numbers}
        number = wanted[row["description"]]
        done[number] = done.get(number, Decimal(0)) + amount
    return done


def record_payment(
    client: TrytonClient, lookups: Lookups, payment: PaymentRequest
) -> PaymentResult:
    """Apply the amount to the named invoices, oldest due first, each under its own key
    (``<payment key>/<invoice number>``). A retry pays only what is still unpaid of them, and a
    payment recorded whole records nothing again and reports what the invoices owe now."""
    done = _recorded(client, payment.idempotency_key, payment.invoice_numbers)
    invoices = [
        i
        for i in open_invoices(client, lookups, payment.customer)
        if i.number in payment.invoice_numbers and i.number not in done
    ]
    missing = set(payment.invoice_numbers) - {i.number for i in invoices} - set(done)
    if missing:
        raise ErpRejected(
            f"Invoice(s) {', '.join(sorted(missing))} are not open for {payment.customer}.",
            reasons=[ReasonCode.NOTHING_TO_PAY],
        )
    left = payment.amount.amount - sum(done.values(), Decimal(0))
    allocations = []
    for invoice in invoices:
        if left <= 0:
            break
        part = min(left, invoice.amount_to_pay.amount)
        memo = _invoice_key(payment.idempotency_key, invoice.number)
        _pay_one(client, invoice.erp_id, part, payment.date, memo)
        left -= part
        allocations.append(
            PaymentAllocation(
                invoice_number=invoice.number,
                amount=Money(part, invoice.total.currency),
                remaining=Money(invoice.amount_to_pay.amount - part, invoice.total.currency),
            )
        )
    return PaymentResult(
        idempotency_key=payment.idempotency_key,
        allocations=tuple(allocations),
        # Nothing left to allocate on a repeat of a payment recorded whole.
        unallocated=Money(left if allocations else Decimal(0), payment.amount.currency),
    )
