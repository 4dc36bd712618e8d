"""Reads of billing, always scoped to the caller's company and store: another company's
payment is never found, so a tampered URL answers like a missing one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from storefleet.accounts.models import Company
from storefleet.erp.errors import ErpNotFound
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import CreditStatus, Invoice
from storefleet.tenants.selectors import StoreRecord

from .models import OutboxMessage, Payment


@dataclass(frozen=True, slots=True)
class AccountStatement:
    credit: CreditStatus
    invoices: tuple[Invoice, ...]


def account_statement(*, company: Company) -> AccountStatement:
    """The company's credit and open invoices, as the ERP has them now (uncached)."""
    gateway = get_gateway()
    return AccountStatement(
        credit=gateway.get_credit_status(customer=company.code),
        invoices=tuple(gateway.list_open_invoices(customer=company.code)),
    )


def payment_list(*, company: Company, store_id: int) -> QuerySet[Payment]:
    return Payment.objects.filter(company=company, store_id=store_id)


def payment_for_company(*, company: Company, store_id: int, reference: str) -> Payment | None:
    return payment_list(company=company, store_id=store_id).filter(reference=reference).first()


def payment_for_session(
    *, company: Company, store_id: int, provider: str, session_id: str
) -> Payment | None:
    return (
        payment_list(company=company, store_id=store_id)
        .filter(provider=provider, provider_session_id=session_id)
        .first()
    )


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(done_at__isnull=True).count()


MAX_INVOICE_NUMBER = 64


def invoice_document_pdf(*, company: Company, store: StoreRecord, number: str) -> bytes | None:
    """The PDF of one of the company's invoices (open or paid) in the store's brand, or None
    when the company has no such invoice: another company's number is not told apart from a
    missing one. ``ErpUnavailable`` when the ERP can't be reached."""
    from storefleet.brand.selectors import brand_look

    from .documents import invoice_pdf

    if not number or len(number) > MAX_INVOICE_NUMBER:
        return None
    try:
        document = get_gateway().get_invoice_document(customer=company.code, number=number)
    except ErpNotFound:
        return None
    if document.customer != company.code:  # never trust a backend with the wall
        return None
    return invoice_pdf(document=document, brand=brand_look(site=store.site, name=store.brand))
