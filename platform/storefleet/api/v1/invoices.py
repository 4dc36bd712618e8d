"""The company's invoices (history, one invoice, its PDF) and credit, through billing's
selectors — what the Invoices page and its documents read, scoped by ``OrderScope``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from storefleet.accounts.principal import Principal
from storefleet.billing import selectors
from storefleet.billing.statements import invoice_history
from storefleet.erp.types import Invoice
from storefleet.money import Money

from ..auth import Caller, KeyAuth
from ..models import Scope
from ..pagination import cursor_decode, cursor_encode
from ..problems import ApiProblem
from ..schemas import ERRORS, CreditOut, InvoiceOut, InvoicePage

router = Router(tags=["invoices"], auth=KeyAuth(Scope.INVOICES_READ))
MAX_NUMBER = 64


def _money(value: Money | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": value.amount, "currency": value.currency}


def _invoice(invoice: Invoice) -> dict[str, Any]:
    return dict(
        number=invoice.number,
        invoice_date=invoice.invoice_date,
        total=_money(invoice.total),
        amount_to_pay=_money(invoice.amount_to_pay),
        due_date=invoice.due_date,
        overdue=invoice.overdue,
        paid=invoice.amount_to_pay.amount <= 0,
    )


@router.get(
    "/invoices",
    response={200: InvoicePage, **ERRORS},
    summary="The company's invoices, newest first",
)
def invoice_list(
    request: HttpRequest,
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=50, ge=1, le=200),
) -> dict[str, Any]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    start = cursor_decode("invoices", cursor) or 0
    if not isinstance(start, int) or start < 0:
        start = 0
    history = invoice_history(principal=Principal.for_key(caller))
    page = history[start : start + limit]
    more = len(history) > start + limit
    return dict(
        items=[_invoice(row.invoice) for row in page],
        next_cursor=cursor_encode("invoices", start + limit) if more else None,
    )


def _one(caller: Caller, number: str) -> Invoice:
    if len(number) <= MAX_NUMBER:
        for row in invoice_history(principal=Principal.for_key(caller)):
            if row.invoice.number == number:
                return row.invoice
    raise ApiProblem("not-found", "This company has no such invoice in this store.")


@router.get("/invoices/{number}", response={200: InvoiceOut, **ERRORS}, summary="One invoice")
def invoice_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _invoice(_one(request.auth, number))  # type: ignore[attr-defined]


@router.get(
    "/invoices/{number}/pdf",
    response={200: None, **ERRORS},
    summary="The invoice as a PDF, in the store's brand",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def invoice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    pdf = (
        selectors.invoice_document_pdf(principal=Principal.for_key(caller), number=number)
        if number.isprintable()  # no invoice number holds control characters (nor may a query)
        else None
    )
    if pdf is None:
        raise ApiProblem("not-found", "This company has no such invoice in this store.")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/credit", response={200: CreditOut, **ERRORS}, summary="The company's credit and open invoices"
)
def credit(request: HttpRequest) -> dict[str, Any]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    statement = selectors.account_statement(principal=Principal.for_key(caller))
    return dict(
        limit=_money(statement.credit.limit),
        used=_money(statement.credit.used),
        available=_money(statement.credit.available),
        open_invoices=[_invoice(i) for i in statement.invoices],
    )
