"""Reads of billing, always scoped to the caller's company and store: another company's
payment is never found, so a tampered URL answers like a missing one. Invoices follow their
sales (``storefleet.ordering.scope``): those of a web order placed in another store are not
listed, not shown and not paid here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from storefleet.accounts.models import Company
from storefleet.accounts.principal import Principal
from storefleet.erp.errors import ErpNotFound
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import CreditStatus, Invoice
from storefleet.ordering.scope import OrderScope
from storefleet.outbox.models import Message
from storefleet.outbox.selectors import message_for, pending_count
from storefleet.tenants.selectors import StoreRecord

from .models import Payment
from .outbox_kinds import RECORD_PAYMENT


@dataclass(frozen=True, slots=True)
class AccountStatement:
    credit: CreditStatus
    invoices: tuple[Invoice, ...]


def account_statement(*, principal: Principal) -> AccountStatement:
    """The company's credit and its open invoices within the principal's scope, as the ERP
    has them now (uncached). Credit is the company's, whichever store it is seen from."""
    gateway = get_gateway()
    scope = principal.scope
    code = scope.company.code
    return AccountStatement(
        credit=gateway.credit_status(customer=code),
        invoices=tuple(scoped_invoices(scope=scope, invoices=gateway.open_invoices(customer=code))),
    )


def scoped_invoices(*, scope: OrderScope, invoices: Sequence[Invoice]) -> list[Invoice]:
    """``invoices`` (the company's, from the ERP) less those of another store's web orders."""
    foreign = scope.foreign_invoices(i.number for i in invoices)
    return [i for i in invoices if i.number not in foreign]


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
    """Paid payments still owed to the ERP."""
    return pending_count(kinds=(RECORD_PAYMENT,))


def payment_recording(*, payment_id: int) -> Message | None:
    """The outbox message that records the payment ``payment_id`` in the ERP."""
    return message_for(kind=RECORD_PAYMENT, subject=payment_id)


MAX_INVOICE_NUMBER = 64


def invoice_document_pdf(
    *, principal: Principal, number: str, store: StoreRecord | None = None
) -> bytes | None:
    """The PDF of one of the company's invoices (open or paid) within the principal's scope,
    in the brand of ``store`` (the principal's store unless given: an agent in the console
    acts in none), or None when there is no such invoice there: another company's number, or
    one of a web order of another store, is not told apart from a missing one.
    ``ErpUnavailable`` when the ERP can't be reached."""
    from storefleet.brand.selectors import brand_look

    from .documents import invoice_pdf

    store = store or principal.require_store()
    scope = principal.scope
    if not number or len(number) > MAX_INVOICE_NUMBER or scope.foreign_invoices([number]):
        return None
    company = scope.company
    try:
        document = get_gateway().invoice_document(customer=company.code, number=number)
    except ErpNotFound:
        return None
    if document.customer != company.code:  # never trust a backend with the wall
        return None
    return invoice_pdf(document=document, brand=brand_look(site=store.site, name=store.brand))
