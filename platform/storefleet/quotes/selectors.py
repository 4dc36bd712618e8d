"""Reads of quotes, always scoped to the caller's company and store: the platform's quote
requests joined with the company's quotations in the ERP (which holds the quoted prices, the
validity and whether a quote became an order). A quotation a salesperson entered straight in
the ERP shows up too. When the ERP can't be asked, the platform's side is shown alone."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import Company
from storefleet.accounts.principal import Principal
from storefleet.erp.errors import ErpNotFound, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import OrderState, Quotation

from .models import (
    AnswerSource,
    ErpWrite,
    EventKind,
    QuoteAttachment,
    QuoteEvent,
    QuoteOrigin,
    QuoteRequest,
    QuoteState,
    QuoteVersion,
)


class QuoteStatus(enum.StrEnum):
    REQUESTED = "requested"  # saved, on its way to the ERP
    QUOTED = "quoted"  # a quotation in the ERP, can be accepted
    EXPIRED = "expired"
    ACCEPTING = "accepting"
    ORDERED = "ordered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # cancelled (or taken back to draft) in the ERP
    REVISION_REQUESTED = "revision_requested"  # the buyer asked for another answer
    UPDATING = "updating"  # an agent's answer is on its way into the ERP
    DECLINED = "declined"

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
    QuoteStatus.REVISION_REQUESTED: _("Revision requested: our sales team is on it"),
    QuoteStatus.UPDATING: _("Being updated by our sales team"),
    QuoteStatus.DECLINED: _("Declined"),
}
# Where the buyer may still accept, decline or ask for a revision.
ACCEPTABLE = {QuoteStatus.QUOTED, QuoteStatus.REVISION_REQUESTED}
NEGOTIABLE = ACCEPTABLE | {QuoteStatus.EXPIRED}


@dataclass(frozen=True, slots=True)
class QuoteView:
    """One quote as the buyer sees it: the platform's row (None for a quotation entered in
    the ERP and not accepted yet), the ERP's quotation (None while it is not there, or the ERP
    can't be asked) and where it stands."""

    quote: QuoteRequest | None
    quotation: Quotation | None
    status: QuoteStatus
    versions: tuple[VersionView, ...] = ()  # oldest first
    events: tuple[QuoteEvent, ...] = ()  # the timeline, oldest first

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
        return self.status in ACCEPTABLE

    @property
    def can_decline(self) -> bool:
        return self.status in NEGOTIABLE

    @property
    def can_revise(self) -> bool:
        return self.status in NEGOTIABLE


@dataclass(frozen=True, slots=True)
class QuoteList:
    quotes: tuple[QuoteView, ...]
    degraded: bool  # the ERP could not be asked: its quotations and answers are missing


def status_of(
    quote: QuoteRequest | None,
    quotation: Quotation | None,
    today: datetime.date,
    *,
    answer_pending: bool = False,
) -> QuoteStatus:
    if quote is not None and quote.state in (
        QuoteState.REFUSED,
        QuoteState.ORDERED,
        QuoteState.DECLINED,
    ):
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
    if answer_pending:
        return QuoteStatus.UPDATING
    if quote is not None and quote.state == QuoteState.REVISION:
        return QuoteStatus.REVISION_REQUESTED
    expires = quotation.expires if quotation is not None else (quote.expires if quote else None)
    if expires is not None and expires < today:
        return QuoteStatus.EXPIRED
    return QuoteStatus.QUOTED


def company_quotes(*, principal: Principal) -> QuerySet[QuoteRequest]:
    """The principal's company's quotes in the store it acts in."""
    return QuoteRequest.objects.filter(
        store_id=principal.require_store().id, company=principal.company
    ).prefetch_related("lines")


def company_quotes_by_change(
    *,
    principal: Principal,
    since: datetime.datetime | None = None,
    after: tuple[datetime.datetime, int] | None = None,
) -> QuerySet[QuoteRequest]:
    """``company_quotes`` with ``changed_at`` — when the last step went on the quote's
    timeline (every change the platform records is one: requested, quoted, answered,
    accepted, ordered…), else when it was made — oldest change first: what the partner API's
    list pages through. ``since``: changed then or later; ``after``: the rows after this
    (changed_at, id)."""
    quotes = company_quotes(principal=principal).annotate(
        changed_at=Coalesce(Max("events__at"), F("created_at"))
    )
    if since is not None:
        quotes = quotes.filter(Q(changed_at__gte=since))
    if after is not None:
        moment, ident = after
        quotes = quotes.filter(Q(changed_at__gt=moment) | Q(changed_at=moment, id__gt=ident))
    return quotes.order_by("changed_at", "id")


def quote_views(*, principal: Principal, quotes: Iterable[QuoteRequest]) -> QuoteList:
    """``quotes`` (rows of ``company_quotes`` of this principal: any other is left out) with
    their ERP quotations and where they stand, in one ERP request — a page of the API's list.
    When the ERP can't be asked, the platform's side alone (``degraded``)."""
    store, company = principal.require_store(), principal.company
    rows = [q for q in quotes if q.company_id == company.id and q.store_id == store.id]
    if not rows:
        return QuoteList((), degraded=False)
    views, _quotations = _with_quotations(rows, company)
    return QuoteList(tuple(views), degraded=_quotations is None)


def _with_quotations(
    quotes: list[QuoteRequest], company: Company
) -> tuple[list[QuoteView], list[Quotation] | None]:
    """Each quote with its ERP quotation (by key, else by number) and where it stands, and the
    customer's quotations as the ERP gave them in one request (None: the ERP could not be
    asked, and the views are the platform's side alone)."""
    today = timezone.localdate()
    pending = set(
        QuoteVersion.objects.filter(
            quote__in=[q.id for q in quotes], erp_write=ErpWrite.PENDING
        ).values_list("quote_id", flat=True)
    )
    try:
        quotations = get_gateway().quotations(customer=company.code)
    except (ErpUnavailable, ErpNotFound):
        return [
            QuoteView(q, None, status_of(q, None, today, answer_pending=q.id in pending))
            for q in quotes
        ], None
    by_key = {q.idempotency_key: q for q in quotations if q.idempotency_key}
    by_number = {q.number: q for q in quotations}
    views = []
    for quote in quotes:
        quotation = by_key.get(quote.key) or (
            by_number.get(quote.erp_number) if quote.erp_number else None
        )
        status = status_of(quote, quotation, today, answer_pending=quote.id in pending)
        views.append(QuoteView(quote, quotation, status))
    return views, quotations


def quote_list(*, principal: Principal) -> QuoteList:
    """The company's quotes in this store, newest first: its requests, and the quotations its
    sales team entered in the ERP (in the store's currency), in one ERP request."""
    today = timezone.localdate()
    store, company = principal.require_store(), principal.company
    views, quotations = _with_quotations(list(company_quotes(principal=principal)), company)
    if quotations is None:
        return QuoteList(tuple(views), degraded=True)
    known = {view.quotation.number for view in views if view.quotation is not None}
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


def quote_view(*, principal: Principal, quote_id: int) -> QuoteView | None:
    """One of the company's quotes in this store by the platform's id; None for another's."""
    quote = company_quotes(principal=principal).filter(id=quote_id).first()
    if quote is None:
        return None
    return _with_quotation(quote, principal.company)


def erp_quote_view(*, principal: Principal, number: str) -> QuoteView | None:
    """One of the company's quotations by its ERP number (entered in the ERP, or one of the
    store's requests); None for another company's or store's. Raises ``ErpUnavailable``."""
    store, company = principal.require_store(), principal.company
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
    return quote_view_of(quote, quotation)


def quote_view_of(
    quote: QuoteRequest, quotation: Quotation | None, *, visible_only: bool = True
) -> QuoteView:
    """The quote with its versions (those in the ERP, for the buyer; ``visible_only=False``
    also an agent's answer on its way or refused) and its timeline."""
    versions = version_views(quote=quote, visible_only=visible_only)
    events = quote.events.all()
    if visible_only:  # what went wrong between the store and its ERP is the store's to fix
        events = events.exclude(kind=EventKind.ANSWER_REFUSED)
    pending = QuoteVersion.objects.filter(quote=quote, erp_write=ErpWrite.PENDING).exists()
    return QuoteView(
        quote,
        quotation,
        status_of(quote, quotation, timezone.localdate(), answer_pending=pending),
        versions=versions,
        events=tuple(events.select_related("version").order_by("at", "id")),
    )


# ------------------------------------------------------------------ versions
@dataclass(frozen=True, slots=True)
class LineChange:
    """A line of a version next to the same ERP line in the version before (None: there was
    no version before, or the line is new)."""

    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    old_quantity: Decimal | None
    old_unit_price: Decimal | None
    added: bool

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def quantity_changed(self) -> bool:
        return self.old_quantity is not None and self.old_quantity != self.quantity

    @property
    def price_changed(self) -> bool:
        return self.old_unit_price is not None and self.old_unit_price != self.unit_price


@dataclass(frozen=True, slots=True)
class VersionView:
    """One version as both sides read it: its lines with what changed since the version
    before (the last one the ERP held), the validity before, the lines gone."""

    version: QuoteVersion
    lines: tuple[LineChange, ...]
    first: bool
    previous_valid_until: datetime.date | None
    removed: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def valid_until_changed(self) -> bool:
        return not self.first and self.previous_valid_until != self.version.valid_until

    @property
    def changed(self) -> bool:
        return (
            self.first
            or self.valid_until_changed
            or bool(self.removed)
            or any(ln.added or ln.quantity_changed or ln.price_changed for ln in self.lines)
        )

    @property
    def by_erp(self) -> bool:
        return self.version.source == AnswerSource.ERP


def version_views(*, quote: QuoteRequest, visible_only: bool = True) -> tuple[VersionView, ...]:
    """The quote's versions, oldest first, each compared with the last version before it that
    the ERP held. ``visible_only``: only those the ERP holds (what the buyer sees)."""
    versions = QuoteVersion.objects.filter(quote=quote).prefetch_related("lines").order_by("number")
    views = []
    previous: QuoteVersion | None = None
    for version in versions:
        settled = version.erp_write == ErpWrite.DONE
        if settled or not visible_only:
            views.append(_version_view(version, previous))
        if settled:
            previous = version
    return tuple(views)


def _version_view(version: QuoteVersion, previous: QuoteVersion | None) -> VersionView:
    before = {ln.erp_line_id: ln for ln in previous.lines.all()} if previous else {}
    lines = []
    for line in version.lines.all():
        old = before.get(line.erp_line_id)
        lines.append(
            LineChange(
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                old_quantity=old.quantity if old else None,
                old_unit_price=old.unit_price if old else None,
                added=previous is not None and old is None,
            )
        )
    kept = {line.erp_line_id for line in version.lines.all()}
    return VersionView(
        version=version,
        lines=tuple(lines),
        first=previous is None,
        previous_valid_until=previous.valid_until if previous else None,
        removed=tuple(ln.sku for key, ln in before.items() if key not in kept),
    )


# ------------------------------------------------------------------ the service console
OPEN_FOR_AGENTS = (QuoteState.REQUESTED, QuoteState.QUOTED, QuoteState.REVISION)


def agent_quotes(*, store_ids: Iterable[int], open_only: bool = True) -> QuerySet[QuoteRequest]:
    """The quotes of the stores an agent serves (the caller names them): revision requests
    first, then the newest. ``open_only``: those still to be answered or accepted."""
    quotes = QuoteRequest.objects.filter(store_id__in=list(store_ids)).select_related(
        "company", "store", "created_by"
    )
    if open_only:
        quotes = quotes.filter(state__in=OPEN_FOR_AGENTS)
    return quotes.order_by(
        models.Case(
            models.When(state=QuoteState.REVISION, then=0),
            default=1,
            output_field=models.IntegerField(),
        ),
        "-created_at",
        "-id",
    )


def agent_quote(*, store_ids: Iterable[int], quote_id: int) -> QuoteRequest | None:
    """One quote of the stores an agent serves; None for another store's (as for none)."""
    return (
        QuoteRequest.objects.filter(store_id__in=list(store_ids), id=quote_id)
        .select_related("company", "store", "created_by")
        .first()
    )


def quotation_of(quote: QuoteRequest) -> Quotation | None:
    """The quote's quotation in the ERP now; None when it has none yet or the ERP can't be
    asked (``ErpUnavailable`` is not raised: the platform's side is shown alone)."""
    if not quote.erp_number:
        return None
    try:
        return get_gateway().quotation(customer=quote.company.code, number=quote.erp_number)
    except (ErpUnavailable, ErpNotFound):
        return None


def quote_attachment(*, principal: Principal, quote_id: int) -> QuoteAttachment | None:
    """The file attached to one of the company's quotes in this store; None for another
    company's or store's quote, as for none."""
    return QuoteAttachment.objects.filter(
        quote_id=quote_id,
        quote__company=principal.company,
        quote__store_id=principal.require_store().id,
    ).first()


def agent_quote_attachment(*, store_ids: Iterable[int], quote_id: int) -> QuoteAttachment | None:
    """The file attached to a quote of the stores an agent serves; None for another store's."""
    return QuoteAttachment.objects.filter(
        quote_id=quote_id, quote__store_id__in=list(store_ids)
    ).first()


def attachment_of(quote: QuoteRequest) -> QuoteAttachment | None:
    """The quote's attachment, for its name and size (the file's bytes stay unread)."""
    return QuoteAttachment.objects.filter(quote=quote).defer("data").first()
