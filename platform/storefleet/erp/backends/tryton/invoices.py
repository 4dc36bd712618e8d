"""Invoice documents: one customer invoice with its lines, taxes and what is left to pay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from storefleet.erp.errors import ErpNotFound
from storefleet.erp.types import InvoiceDocument, InvoiceDocumentLine, InvoiceDocumentTax
from storefleet.money import Money, Quantity

from .client import TrytonClient
from .lookups import Lookups

HEADER_FIELDS = [
    "number",
    "state",
    "invoice_date",
    "reference",
    "untaxed_amount",
    "tax_amount",
    "total_amount",
    "amount_to_pay",
    "currency.code",
    "party.code",
    "party.name",
    "invoice_address.full_address",
    "payment_term.name",
    "company.party.name",
    "lines",
    "taxes",
    "lines_to_pay.maturity_date",
]
LINE_FIELDS = [
    "type",
    "product.code",
    "product.name",
    "description",
    "quantity",
    "unit.name",
    "unit_price",
    "amount",
    "taxes.description",
]


def invoice_document(
    client: TrytonClient, lookups: Lookups, customer: str, number: str
) -> InvoiceDocument:
    """The customer's posted or paid invoice ``number``. Another customer's invoice, a draft or
    a supplier invoice is not found: the caller can't tell it from one that does not exist."""
    info = lookups.customer(customer)
    rows = client.search_read(
        "account.invoice",
        [
            ["number", "=", number],
            ["party", "=", info.id],
            ["type", "=", "out"],
            ["state", "in", ["posted", "paid"]],
        ],
        HEADER_FIELDS,
        limit=1,
    )
    if not rows:
        raise ErpNotFound("Invoice", number)
    row = rows[0]
    currency = row["currency."]["code"]
    lines = client.model("account.invoice.line", "read", row["lines"], LINE_FIELDS)
    taxes = client.model(
        "account.invoice.tax", "read", row["taxes"], ["description", "base", "amount"]
    )
    due_dates = [
        line["maturity_date"]
        for line in row.get("lines_to_pay.") or []
        if line.get("maturity_date")
    ]
    address = (row.get("invoice_address.") or {}).get("full_address") or ""
    return InvoiceDocument(
        erp_id=row["id"],
        number=row["number"],
        state=row["state"],
        customer=row["party."]["code"],
        customer_name=row["party."]["name"],
        invoice_address=tuple(part for part in address.splitlines() if part.strip()),
        seller_name=((row.get("company.") or {}).get("party.") or {}).get("name", ""),
        invoice_date=row.get("invoice_date"),
        due_date=min(due_dates) if due_dates else None,
        payment_term=(row.get("payment_term.") or {}).get("name", ""),
        reference=row.get("reference") or "",
        lines=tuple(
            _line(line, currency)
            for line in sorted(lines, key=lambda ln: ln["id"])
            if line.get("type", "line") == "line"
        ),
        taxes=tuple(
            InvoiceDocumentTax(
                description=tax["description"] or "",
                base=Money(tax["base"], currency),
                amount=Money(tax["amount"], currency),
            )
            for tax in sorted(taxes, key=lambda t: t["id"])
        ),
        untaxed=Money(row["untaxed_amount"], currency),
        tax=Money(row["tax_amount"], currency),
        total=Money(row["total_amount"], currency),
        amount_to_pay=Money(row["amount_to_pay"] or Decimal(0), currency),
    )


def _line(line: dict[str, Any], currency: str) -> InvoiceDocumentLine:
    product = line.get("product.") or {}
    return InvoiceDocumentLine(
        sku=product.get("code") or "",
        description=line.get("description") or product.get("name") or "",
        quantity=Quantity(
            Decimal(str(line["quantity"])), (line.get("unit.") or {}).get("name", "")
        ),
        unit_price=Money(line["unit_price"], currency),
        amount=Money(line["amount"], currency),
        taxes=tuple(t["description"] for t in line.get("taxes.") or []),
    )
