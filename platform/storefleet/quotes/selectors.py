"""Reads of quotes, always scoped to the caller's company and store: the platform's quote
requests joined with the company's quotations in the ERP (which holds the quoted prices, the
validity and whether a quote became an order). A quotation a salesperson entered straight in
the ERP shows up too. When the ERP can't be asked, the platform's side is shown alone."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import Company
from storefleet.erp.errors import ErpNotFound, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import OrderState, Quotation
from storefleet.tenants.selectors import StoreRecord

from .models import QuoteOrigin, QuoteRequest, QuoteState


class QuoteStatus(enum.StrEnum):
    REQUESTED = "requested"  # saved, on its way to the ERP
    QUOTED = "quoted"  # a quotation in the ERP, can be accepted
    EXPIRED = "expired"
    ACCEPTING = "accepting"
    ORDERED = "ordered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # cancelled (or taken back to draft) in the ERP

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    QuoteStatus.REQUESTED: _("Requested: on its way to our sales team"),
    QuoteStatus.QUOTED: _("Quoted"),
    QuoteStatus.EXPIRED: _("Expired"),
    QuoteStatus.ACCEPTING: _("Accepted: being confirmed"),
    QuoteStatus.ORDERED: _("Ordered"),
    QuoteStatus.REFUSED: _("Refused"),
    QuoteStatus.WITHDRAWN: _("Withdrawn by our sales team"),
}


@dataclass(frozen=True, slots=True)
class QuoteView:
    """One quote as the buyer sees it: the platform's row (None for a quotation entered in
    the ERP and not accepted yet), the ERP's quotation (None while it is not there, or the ERP
    can't be asked) and where it stands."""

    quote: QuoteRequest | None
    quotation: Quotation | None
    status: QuoteStatus

    @property
    def erp_number(self) -> str:
        if self.quotation is not None:
            return self.quotation.number
        return self.quote.erp_number if self.quote is not None else ""

    @property
    def expires(self) -> datetime.date | None:
        if self.quotation is not None:
            return self.quotation.expires
        return self.quote.expires if self.quote is not None else None

    @property
    def from_erp(self) -> bool:
        return self.quote is None or self.quote.origin == QuoteOrigin.ERP

    @property
    def can_accept(self) -> bool:
        return self.status == QuoteStatus.QUOTED


@dataclass(frozen=True, slots=True)
class QuoteList:
    quotes: tuple[QuoteView, ...]
    degraded: bool  # the ERP could not be asked: its quotations and answers are missing


def status_of(
    quote: QuoteRequest | None, quotation: Quotation | None, today: datetime.date
) -> QuoteStatus:
    if quote is not None and quote.state in (QuoteState.REFUSED, QuoteState.ORDERED):
        return QuoteStatus(quote.state)
    if quotation is not None:
        if quotation.state in (OrderState.CONFIRMED, OrderState.PROCESSING, OrderState.DONE):
            return QuoteStatus.ORDERED
        if quotation.state in (OrderState.CANCELLED, OrderState.DRAFT):
            return QuoteStatus.WITHDRAWN
    if quote is not None and quote.state == QuoteState.ACCEPTING:
        return QuoteStatus.ACCEPTING
    if quote is not None and quote.state == QuoteState.REQUESTED and quotation is None:
        return QuoteStatus.REQUESTED
    expires = quotation.expires if quotation is not None else (quote.expires if quote else None)
    if expires is not None and expires < today:
        return QuoteStatus.EXPIRED
    return QuoteStatus.QUOTED


def company_quotes(*, store: StoreRecord, company: Company) -> QuerySet[QuoteRequest]:
    return QuoteRequest.objects.filter(store_id=store.id, company=company).prefetch_related("lines")


def quote_list(*, store: StoreRecord, company: Company) -> QuoteList:
    """The company's quotes in this store, newest first: its requests, and the quotations its
    sales team entered in the ERP (in the store's currency), in one ERP request."""
    today = timezone.localdate()
    quotes = list(company_quotes(store=store, company=company))
    try:
        quotations = get_gateway().quotations(customer=company.code)
    except (ErpUnavailable, ErpNotFound):
        return QuoteList(
            tuple(QuoteView(q, None, status_of(q, None, today)) for q in quotes), degraded=True
        )
    by_key = {q.idempotency_key: q for q in quotations if q.idempotency_key}
    by_number = {q.number: q for q in quotations}
    views = []
    known = set()
    for quote in quotes:
        quotation = by_key.get(quote.key) or (
            by_number.get(quote.erp_number) if quote.erp_number else None
        )
        if quotation is not None:
            known.add(quotation.number)
        views.append(QuoteView(quote, quotation, status_of(quote, quotation, today)))
    # Entered by a salesperson; the company's other stores' requests (and orders on their way)
    # carry a platform key and are not this store's. Rows made on acceptance are in ``quotes``.
    accepted_elsewhere = set(
        QuoteRequest.objects.filter(company=company)
        .exclude(store_id=store.id)
        .exclude(erp_number="")
        .values_list("erp_number", flat=True)
    )
    entered = [
        QuoteView(None, q, status_of(None, q, today))
        for q in quotations
        if q.state == OrderState.QUOTATION
        and not q.idempotency_key
        and q.number not in known
        and q.number not in accepted_elsewhere
        and (not store.currency or q.total.currency == store.currency)
    ]
    return QuoteList(tuple(entered + views), degraded=False)


def quote_view(*, store: StoreRecord, company: Company, quote_id: int) -> QuoteView | None:
    """One of the company's quotes in this store by the platform's id; None for another's."""
    quote = company_quotes(store=store, company=company).filter(id=quote_id).first()
    if quote is None:
        return None
    return _with_quotation(quote, company)


def erp_quote_view(*, store: StoreRecord, company: Company, number: str) -> QuoteView | None:
    """One of the company's quotations by its ERP number (entered in the ERP, or one of the
    store's requests); None for another company's or store's. Raises ``ErpUnavailable``."""
    quote = QuoteRequest.objects.filter(company=company, erp_number=number).first()
    if quote is not None:
        return _with_quotation(quote, company) if quote.store_id == store.id else None
    try:
        quotation = get_gateway().quotation(customer=company.code, number=number)
    except ErpNotFound:
        return None
    if quotation.idempotency_key or quotation.state != OrderState.QUOTATION:
        return None
    return QuoteView(None, quotation, status_of(None, quotation, timezone.localdate()))


def _with_quotation(quote: QuoteRequest, company: Company) -> QuoteView:
    quotation = None
    if quote.erp_number:
        try:
            quotation = get_gateway().quotation(customer=company.code, number=quote.erp_number)
        except (ErpUnavailable, ErpNotFound):
            quotation = None
    return QuoteView(quote, quotation, status_of(quote, quotation, timezone.localdate()))
