"""Writes of quotes: a buyer's request for quote (saved, then carried into the ERP as a sale
in quotation state through the outbox) and the acceptance of a quote (carried through the
outbox as the confirmation of that very sale, once). The ERP stays the judge of prices,
validity and credit; these services only refuse what they can tell is wrong up front."""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from storefleet.accounts.principal import Principal
from storefleet.accounts.selectors import company_ship_to_address, company_ship_to_addresses
from storefleet.approvals import rules as approval_rules
from storefleet.catalog.selectors import store_sells
from storefleet.erp.errors import ErpNotFound, ErpRejected, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import (
    LineQuery,
    OrderState,
    QuotationLineRequest,
    QuotationRequest,
)
from storefleet.errors import ApplicationError
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome
from storefleet.outbox.services import message_add
from storefleet.tenants.selectors import StoreRecord, store_record

from .attachments import Upload
from .kinds import ACCEPT_QUOTE, REQUEST_QUOTE
from .models import (
    MAX_LINES,
    ErpWrite,
    EventKind,
    QuoteAttachment,
    QuoteLine,
    QuoteOrigin,
    QuoteRequest,
    QuoteState,
    QuoteVersion,
)
from .negotiation import agents_tell, buyer_tell, event_record, quote_sync

logger = logging.getLogger("storefleet.quotes")

TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_MESSAGE = 4000


@dataclass(frozen=True, slots=True)
class WantedLine:
    sku: str
    quantity: Decimal
    target_price: Decimal | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class QuoteRequestInput:
    """What the buyer asks for. ``token`` is the form's one-time token: submitting the same
    form twice makes one quote."""

    token: str
    lines: tuple[WantedLine, ...]
    requested_date: datetime.date | None = None
    message: str = ""
    ship_to_id: int | None = None
    attachment: Upload | None = None  # judged already (``attachments.upload_read``)


def quote_request(*, principal: Principal, request: QuoteRequestInput) -> QuoteRequest:
    """Save the buyer's request for quote and owe it to the ERP (``quote.request``) in the
    same transaction. The same form token again returns the quote it made."""
    store = principal.require_store()
    company = principal.company
    if not TOKEN.match(request.token):
        raise ApplicationError(_("This form is out of date. Reload the page and try again."))
    key = f"q-{company.id}-{request.token}"
    existing = QuoteRequest.objects.filter(key=key, company=company, store_id=store.id).first()
    if existing is not None:
        return existing
    _check_lines(store, request.lines)
    if request.requested_date is not None and request.requested_date < timezone.localdate():
        raise ApplicationError(
            _("The requested date is in the past: choose today or a later date."),
            field="requested_date",
        )
    if len(request.message) > MAX_MESSAGE:
        raise ApplicationError(
            _("The message is too long: keep it under %(count)s characters.")
            % {"count": MAX_MESSAGE},
            field="message",
        )
    if request.ship_to_id is not None:
        ship_to = company_ship_to_address(company=company, address_id=request.ship_to_id)
        if ship_to is None:
            raise ApplicationError(
                _("Choose one of your company's ship-to addresses."), field="ship_to"
            )
    else:
        ship_to = company_ship_to_addresses(company=company).order_by("id").first()
        if ship_to is None:
            raise ApplicationError(
                _("Your company has no ship-to address yet. Please contact customer service.")
            )
    try:
        with transaction.atomic():
            quote = QuoteRequest.objects.create(
                store_id=store.id,
                company=company,
                created_by=principal.user,
                key=key,
                state=QuoteState.REQUESTED,
                ship_to=ship_to,
                requested_date=request.requested_date,
                message=request.message,
            )
            QuoteLine.objects.bulk_create(
                QuoteLine(
                    quote=quote,
                    position=index,
                    sku=line.sku,
                    quantity=line.quantity,
                    target_price=line.target_price,
                    note=line.note,
                )
                for index, line in enumerate(request.lines)
            )
            if request.attachment is not None:
                upload = request.attachment
                QuoteAttachment.objects.create(
                    quote=quote,
                    name=upload.name,
                    content_type=upload.kind.content_type,
                    size=len(upload.data),
                    sha256=upload.sha256,
                    data=upload.data,
                )
            message_add(kind=REQUEST_QUOTE, subject=quote.id, key=key)
            event = event_record(
                quote=quote,
                kind=EventKind.REQUESTED,
                actor=principal.recorded_user,
                comment=request.message,
            )
            agents_tell(event)
    except IntegrityError:
        # The same form, submitted twice at the same moment: the other submit made it.
        found = QuoteRequest.objects.filter(key=key, company=company, store_id=store.id).first()
        if found is None:
            raise
        return found
    return quote


def _check_lines(store: StoreRecord, lines: tuple[WantedLine, ...]) -> None:
    if not lines:
        raise ApplicationError(_("Add at least one line (SKU and quantity) to ask for a quote."))
    if len(lines) > MAX_LINES:
        raise ApplicationError(
            _("A quote request takes at most %(count)s lines: split it in two.")
            % {"count": MAX_LINES}
        )
    skus = [line.sku for line in lines]
    twice = sorted({sku for sku in skus if skus.count(sku) > 1})
    if twice:
        raise ApplicationError(
            _("%(skus)s appears on more than one line: put its quantities on one line.")
            % {"skus": ", ".join(twice)}
        )
    sold = store_sells(store=store, skus=skus)
    unknown = [sku for sku in skus if sku not in sold]
    if unknown:
        raise ApplicationError(
            _("We don't sell %(skus)s in this store: check the SKU or remove the line.")
            % {"skus": ", ".join(unknown)},
            field="sku",
        )


def quote_request_send(message: Message) -> Outcome:
    """The outbox handler of ``quote.request``: make the quote's sale in quotation state in
    the ERP (under its key, so a retry finds the sale an earlier run made). A refusal is noted
    on the quote; an outage goes back to the outbox, which tries again."""
    quote = QuoteRequest.objects.select_related("company", "store", "ship_to").get(
        id=int(message.subject)
    )
    store = store_record(quote.store)
    lines = list(quote.lines.all())
    gateway = get_gateway()
    # The buyer's prices the platform holds (the catalog showed them): the ERP's sale is made
    # at them while its prices of now are asked beside it; none held, it asks first.
    held = gateway.prices_held(
        store=store.slug,
        customer=quote.company.code,
        lines=[LineQuery(line.sku, line.quantity) for line in lines],
        currency=store.currency,
    )
    held_prices = (
        [price.unit_price.amount if price.unit_price else None for price in held]
        if held
        else [None] * len(lines)
    )
    request = QuotationRequest(
        customer=quote.company.code,
        warehouse=store.erp_warehouse,
        ship_to_address_id=quote.ship_to.erp_id if quote.ship_to else 0,
        lines=tuple(
            QuotationLineRequest(line.sku, line.quantity, _line_note(line), held_unit_price=price)
            for line, price in zip(lines, held_prices, strict=True)
        ),
        idempotency_key=quote.key,
        currency=store.currency,
        requested_date=quote.requested_date,
        message=_erp_message(quote),
        reference=f"RFQ {quote.id}",
        # The first take-up ever: no earlier run can have made the key's sale.
        first_request=message.attempts == 1,
    )
    try:
        quotation = gateway.request_quotation(request=request)
    except (ErpRejected, ErpNotFound) as refusal:
        with transaction.atomic():
            if QuoteRequest.objects.filter(id=quote.id, state=QuoteState.REQUESTED).update(
                state=QuoteState.REFUSED, error=refusal.message
            ):
                event = event_record(
                    quote=quote,
                    kind=EventKind.REFUSED,
                    actor_name="the ERP",
                    comment=refusal.message,
                )
                buyer_tell(event)
                agents_tell(event)
        return Outcome(state=State.FAILED, note=refusal.message)
    QuoteRequest.objects.filter(id=quote.id).update(
        erp_number=quotation.number, expires=quotation.expires, error=""
    )
    QuoteRequest.objects.filter(id=quote.id, state=QuoteState.REQUESTED).update(
        state=QuoteState.QUOTED
    )
    quote.refresh_from_db()
    quote_sync(quote=quote, quotation=quotation)  # version 1: the ERP's first prices
    logger.info("quote %s is ERP quotation %s", quote.key, quotation.number)
    return Outcome(value=quotation)


def _erp_message(quote: QuoteRequest) -> str:
    """The buyer's message, and the attachment's name for the salesperson (who finds the file
    on the quote in the service console; in English, as the ERP's users read it)."""
    names = list(QuoteAttachment.objects.filter(quote=quote).values_list("name", flat=True))
    if not names:
        return quote.message
    note = f"Attachment: {names[0]} (on RFQ {quote.id} in the service console)"
    return f"{quote.message}\n\n{note}" if quote.message else note


def _line_note(line: QuoteLine) -> str:
    """What the salesperson reads on the ERP line (in English: the ERP's users read that)."""
    parts = []
    if line.target_price is not None:
        parts.append(f"Target price: {line.target_price.normalize():f}")
    if line.note:
        parts.append(line.note)
    return "\n".join(parts)


def quote_accept(
    *,
    principal: Principal,
    quote_id: int | None = None,
    erp_number: str | None = None,
) -> QuoteRequest:
    """Accept one of the company's quotes (by the platform's id, or by the ERP number of one
    entered in the ERP): owe its confirmation to the ERP (``quote.accept``), once. Accepting
    again returns the quote as it stands. An expired quote is refused and says how to renew."""
    store = principal.require_store()
    company = principal.company
    if quote_id is not None:
        quote = QuoteRequest.objects.filter(id=quote_id, company=company, store_id=store.id).first()
        if quote is None:
            raise ApplicationError(_("There is no such quote."), code="not_found")
    else:
        quote = erp_quote_row(principal=principal, number=erp_number or "")
    if quote.state in (QuoteState.ACCEPTING, QuoteState.ORDERED):
        return quote
    if quote.state == QuoteState.DECLINED:
        raise ApplicationError(
            _(
                "You declined this quote: it can't be accepted any more. Request a new quote for "
                "its lines."
            ),
            code="declined",
        )
    if quote.state == QuoteState.REQUESTED:
        raise ApplicationError(
            _("This quote has not reached our ERP yet: wait for its prices, then accept it."),
            code="not_answered",
        )
    if quote.state == QuoteState.REFUSED:
        raise ApplicationError(
            _("This quote was refused. Request a new quote for its lines."), code="refused"
        )
    _refresh_validity(quote)
    if quote.expires is not None and quote.expires < timezone.localdate():
        raise ApplicationError(expired_message(quote.expires), code="expired")
    with transaction.atomic():
        locked = QuoteRequest.objects.select_for_update().get(id=quote.id)
        if locked.state not in (QuoteState.QUOTED, QuoteState.REVISION):
            return locked
        if QuoteVersion.objects.filter(quote=locked, erp_write=ErpWrite.PENDING).exists():
            # The ERP still holds the version before the agent's answer: accepting now would
            # order prices the buyer is no longer shown.
            raise ApplicationError(
                _(
                    "Our sales team is updating this quote right now: wait for its new version, "
                    "then accept it."
                ),
                code="updating",
            )
        locked.state = QuoteState.ACCEPTING
        locked.accepted_at = timezone.now()
        locked.created_by = locked.created_by or principal.user
        locked.save(update_fields=["state", "accepted_at", "created_by"])
        # The company's approval rules may hold the acceptance: then an approver's approval
        # of the last step owes the ERP the confirmation (``storefleet.approvals``).
        if not approval_rules.quote_hold(quote=locked, principal=principal):
            message_add(kind=ACCEPT_QUOTE, subject=locked.id, key=f"accept:{locked.key}")
        agents_tell(
            event_record(quote=locked, kind=EventKind.ACCEPTED, actor=principal.recorded_user)
        )
    return locked


def expired_message(expires: datetime.date) -> str:
    return _(
        "This quote expired on %(date)s and can no longer be accepted. To renew it, request "
        "a new quote for the same lines: we answer with today's prices."
    ) % {"date": date_format(expires)}


def erp_quote_row(*, principal: Principal, number: str) -> QuoteRequest:
    """The platform's row for a quotation entered in the ERP, made when the buyer first acts
    on it (its version 1 then is the quotation as it stands); the ERP says whether it is the
    company's (another's answers as missing)."""
    store = principal.require_store()
    company = principal.company
    existing = QuoteRequest.objects.filter(company=company, erp_number=number).first()
    if existing is not None:
        if existing.store_id != store.id:
            raise ApplicationError(_("There is no such quote."), code="not_found")
        return existing
    try:
        quotation = get_gateway().quotation(customer=company.code, number=number)
    except ErpNotFound:
        raise ApplicationError(_("There is no such quote."), code="not_found") from None
    except ErpUnavailable:
        raise ApplicationError(
            _("Our ERP is not answering right now. Try again in a few minutes.")
        ) from None
    if quotation.state != OrderState.QUOTATION or quotation.idempotency_key:
        raise ApplicationError(_("There is no such quote."), code="not_found")
    try:
        with transaction.atomic():
            quote = QuoteRequest.objects.create(
                store_id=store.id,
                company=company,
                created_by=principal.user,
                origin=QuoteOrigin.ERP,
                key=f"erp-{company.id}-{quotation.erp_id}",
                state=QuoteState.QUOTED,
                erp_number=quotation.number,
                expires=quotation.expires,
            )
    except IntegrityError:
        return QuoteRequest.objects.get(company=company, erp_number=number)
    # Version 1 is the quotation the buyer has just acted on: nothing to tell them.
    quote_sync(quote=quote, quotation=quotation, tell=False)
    return quote


def _refresh_validity(quote: QuoteRequest) -> None:
    """Read the quote's validity afresh (a salesperson may have extended it); when the ERP
    can't be asked, the last one read stands (the ERP judges again at confirmation)."""
    try:
        quotation = get_gateway().quotation(customer=quote.company.code, number=quote.erp_number)
    except ErpUnavailable:
        return
    except ErpNotFound:
        raise ApplicationError(_("There is no such quote."), code="not_found") from None
    if quotation.state in (OrderState.CANCELLED, OrderState.DRAFT):
        raise ApplicationError(
            _("Our sales team withdrew this quote. Request a new quote for its lines."),
            code="withdrawn",
        )
    if quotation.expires != quote.expires:
        quote.expires = quotation.expires
        QuoteRequest.objects.filter(id=quote.id).update(expires=quotation.expires)


def quote_accept_send(message: Message) -> Outcome:
    """The outbox handler of ``quote.accept``: confirm the quote's ERP sale as quoted. A
    refusal (expired, credit) is noted on the quote; an outage goes back to the outbox."""
    quote = QuoteRequest.objects.select_related("company").get(id=int(message.subject))
    try:
        order = get_gateway().accept_quotation(customer=quote.company.code, number=quote.erp_number)
    except (ErpRejected, ErpNotFound) as refusal:
        with transaction.atomic():
            if QuoteRequest.objects.filter(id=quote.id, state=QuoteState.ACCEPTING).update(
                state=QuoteState.REFUSED, error=refusal.message
            ):
                event = event_record(
                    quote=quote,
                    kind=EventKind.REFUSED,
                    actor_name="the ERP",
                    comment=refusal.message,
                )
                buyer_tell(event)
                agents_tell(event)
        return Outcome(state=State.FAILED, note=refusal.message)
    with transaction.atomic():
        if (
            QuoteRequest.objects.filter(id=quote.id)
            .exclude(state=QuoteState.ORDERED)
            .update(state=QuoteState.ORDERED, error="")
        ):
            buyer_tell(
                event_record(
                    quote=quote, kind=EventKind.ORDERED, actor_name="the ERP", comment=order.number
                )
            )
    logger.info("quote %s accepted: ERP order %s", quote.key, order.number)
    return Outcome(value=order)
