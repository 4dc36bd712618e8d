"""Writes of a quote's negotiation: each answer is a version the buyer sees with what changed,
given by a store's service agent in the console (written into the ERP quotation through the
outbox, ``quote.answer``, and shown once the ERP holds it) or by a salesperson editing the
quotation in the ERP (found when the quote is read again). The buyer declines or asks for a
revision with a comment; every step is on the quote's timeline and e-mailed to the other side.

The ERP stays the one place the quote's prices live: an agent's answer is only shown, and the
quote only accepted, once the ERP quotation reads as that answer."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefleet.accounts.principal import Principal
from storefleet.erp.errors import ErpNotFound, ErpRejected
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import OrderState, Quotation, QuotationAnswer, QuotationLineAnswer
from storefleet.errors import ApplicationError
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome
from storefleet.outbox.services import message_add

from . import notifications, selectors, webhook_events
from .kinds import ANSWER_QUOTE, DECLINE_QUOTE
from .models import (
    MAX_QUANTITY,
    AnswerSource,
    ErpWrite,
    EventKind,
    QuoteEvent,
    QuoteRequest,
    QuoteState,
    QuoteVersion,
    QuoteVersionLine,
)

logger = logging.getLogger("storefleet.quotes")

MAX_COMMENT = 2000
MAX_PRICE = Decimal(10**9)
# How far ahead an agent may set a quote's validity.
MAX_VALIDITY = datetime.timedelta(days=366)
ERP_NAME = "the ERP"  # who answered when a salesperson changed the quotation in the ERP
# Where an answer (an agent's or the ERP's) still makes sense.
ANSWERABLE = (QuoteState.QUOTED, QuoteState.REVISION)


# ------------------------------------------------------------------ the timeline
def event_record(
    *,
    quote: QuoteRequest,
    kind: EventKind,
    actor: User | None = None,
    actor_name: str = "",
    comment: str = "",
    version: QuoteVersion | None = None,
) -> QuoteEvent:
    """Put a step on the quote's timeline (who did it: a user, or a name like the ERP's)."""
    if actor is not None and not actor_name:
        actor_name = actor.get_full_name() or actor.email or actor.get_username()
    return QuoteEvent.objects.create(
        quote=quote,
        kind=kind,
        actor=actor,
        actor_name=actor_name,
        comment=comment,
        version=version,
    )


def _tell(event: QuoteEvent, *, buyer: bool) -> None:
    """E-mail the other side once the step is committed (a rolled-back step tells nobody)."""
    send = notifications.buyer_notify if buyer else notifications.agents_notify
    transaction.on_commit(lambda: send(event=event), robust=True)


def buyer_tell(event: QuoteEvent) -> None:
    _tell(event, buyer=True)


def agents_tell(event: QuoteEvent) -> None:
    _tell(event, buyer=False)


# ------------------------------------------------------------------ ERP versions
def _same(version: QuoteVersion, quotation: Quotation) -> bool:
    mine = [(ln.erp_line_id, ln.sku, ln.quantity, ln.unit_price) for ln in version.lines.all()]
    theirs = [(ln.erp_id, ln.sku, ln.quantity, ln.unit_price.amount) for ln in quotation.lines]
    return mine == theirs and version.valid_until == quotation.expires


def _version_create(
    quote: QuoteRequest,
    quotation: Quotation,
    *,
    number: int,
    source: AnswerSource,
    erp_write: ErpWrite = ErpWrite.DONE,
    answered_by: User | None = None,
    message: str = "",
    lines: list[tuple[int, str, str, Decimal, Decimal]] | None = None,
    valid_until: datetime.date | None = None,
) -> QuoteVersion:
    version = QuoteVersion.objects.create(
        quote=quote,
        number=number,
        source=source,
        answered_by=answered_by,
        answered_by_name=(
            (answered_by.get_full_name() or answered_by.email or answered_by.get_username())
            if answered_by is not None
            else ERP_NAME
        ),
        message=message,
        valid_until=valid_until if lines is not None else quotation.expires,
        currency=quotation.total.currency,
        erp_write=erp_write,
    )
    rows = lines or [
        (ln.erp_id, ln.sku, ln.name, ln.quantity, ln.unit_price.amount) for ln in quotation.lines
    ]
    QuoteVersionLine.objects.bulk_create(
        QuoteVersionLine(
            version=version,
            position=index,
            erp_line_id=line_id,
            sku=sku,
            name=name[:255],
            quantity=quantity,
            unit_price=unit_price,
        )
        for index, (line_id, sku, name, quantity, unit_price) in enumerate(rows)
    )
    return version


def quote_sync(
    *, quote: QuoteRequest, quotation: Quotation | None, tell: bool = True
) -> QuoteVersion | None:
    """Record the ERP's quotation as the quote's next version when it reads differently from
    the last version the ERP held (a salesperson edited it there), or as version 1 when the
    quote has none; the buyer is told of a change. Nothing while an agent's answer is on its
    way into the ERP (the ERP still shows the version before it), nor once the quote is
    accepted, declined or no longer a quotation. ``tell=False``: the buyer is not e-mailed
    (they are looking at it). Returns the version made, if one was."""
    if quotation is None or quotation.state != OrderState.QUOTATION:
        return None
    if quote.state not in ANSWERABLE:
        return None
    try:
        with transaction.atomic():
            locked = QuoteRequest.objects.select_for_update().get(id=quote.id)
            if locked.state not in ANSWERABLE:
                return None
            versions = QuoteVersion.objects.filter(quote=locked).order_by("-number")
            if versions.filter(erp_write=ErpWrite.PENDING).exists():
                return None
            last = versions.filter(erp_write=ErpWrite.DONE).prefetch_related("lines").first()
            if last is not None and _same(last, quotation):
                return None
            top = versions.first()
            version = _version_create(
                locked,
                quotation,
                number=(top.number if top else 0) + 1,
                source=AnswerSource.ERP,
            )
            updates: dict[str, object] = {"expires": quotation.expires}
            if last is not None and locked.state == QuoteState.REVISION:
                updates["state"] = QuoteState.QUOTED  # the salesperson revised it
            QuoteRequest.objects.filter(id=locked.id).update(**updates)
            kind = EventKind.QUOTED if last is None else EventKind.ERP_CHANGED
            event = event_record(quote=locked, kind=kind, actor_name=ERP_NAME, version=version)
            webhook_events.quote_answered(version)
            if tell:
                buyer_tell(event)
    except IntegrityError:
        return None  # another read of the same change recorded it at the same moment
    for field, value in updates.items():
        setattr(quote, field, value)
    logger.info("quote %s: version %s from the ERP", quote.key, version.number)
    return version


def quote_open(*, principal: Principal, quote_id: int) -> selectors.QuoteView | None:
    """One of the company's quotes in this store, as the buyer opens it: the ERP's quotation
    read, a change made there recorded as a new version first. None for another's."""
    view = selectors.quote_view(principal=principal, quote_id=quote_id)
    if view is None or view.quote is None:
        return view
    quote_sync(quote=view.quote, quotation=view.quotation)
    return selectors.quote_view_of(view.quote, view.quotation)


def agent_quote_open(*, store_ids: list[int], quote_id: int) -> selectors.QuoteView | None:
    """One quote of the stores an agent serves, as the console shows it (with the agent's
    answers on their way or refused); None for another store's."""
    quote = selectors.agent_quote(store_ids=store_ids, quote_id=quote_id)
    if quote is None:
        return None
    quotation = selectors.quotation_of(quote)
    quote_sync(quote=quote, quotation=quotation)
    return selectors.quote_view_of(quote, quotation, visible_only=False)


# ------------------------------------------------------------------ an agent's answer
@dataclass(frozen=True, slots=True)
class LineAnswer:
    line_id: int  # the ERP line, as the version answered names it
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class QuoteAnswerInput:
    """An agent's answer to the quote's version ``base_version`` (a form opened before a
    newer version is refused): every line's quantity and price, a message and a validity."""

    base_version: int
    lines: tuple[LineAnswer, ...]
    valid_until: datetime.date
    message: str = ""


def quote_answer(*, agent: User, quote: QuoteRequest, answer: QuoteAnswerInput) -> QuoteVersion:
    """Answer the quote (one of the agent's stores', as the caller found it): the answer is
    the next version, owed to the ERP quotation (``quote.answer``) in the same transaction.
    The buyer sees it, and is told, once the ERP holds it."""
    quotation = selectors.quotation_of(quote)
    quote_sync(quote=quote, quotation=quotation)  # a salesperson's edit meanwhile is a version
    _check_answer(answer)
    with transaction.atomic():
        locked = QuoteRequest.objects.select_for_update().get(id=quote.id)
        if locked.state not in ANSWERABLE:
            raise ApplicationError(
                "This quote can't be answered any more: it is "
                f"{locked.get_state_display().lower()}."
            )
        versions = QuoteVersion.objects.filter(quote=locked).order_by("-number")
        if versions.filter(erp_write=ErpWrite.PENDING).exists():
            raise ApplicationError(
                "Your previous answer is still on its way to the ERP: wait a moment and reload."
            )
        top = versions.first()
        base = versions.filter(erp_write=ErpWrite.DONE).prefetch_related("lines").first()
        if base is None or top is None or base.number != answer.base_version:
            raise ApplicationError(
                "This quote changed since you opened it (a new version): reload the page and "
                "answer the new version."
            )
        lines = {line.erp_line_id: line for line in base.lines.all()}
        given = [a.line_id for a in answer.lines]
        if sorted(given) != sorted(lines) or len(set(given)) != len(given):
            raise ApplicationError(
                "Answer every line of the quote, once: reload the page and try again."
            )
        version = QuoteVersion.objects.create(
            quote=locked,
            number=top.number + 1,
            source=AnswerSource.AGENT,
            answered_by=agent,
            answered_by_name=agent.get_full_name() or agent.email or agent.get_username(),
            message=answer.message,
            valid_until=answer.valid_until,
            currency=base.currency,
            erp_write=ErpWrite.PENDING,
        )
        QuoteVersionLine.objects.bulk_create(
            QuoteVersionLine(
                version=version,
                position=index,
                erp_line_id=a.line_id,
                sku=lines[a.line_id].sku,
                name=lines[a.line_id].name,
                quantity=a.quantity,
                unit_price=a.unit_price,
            )
            for index, a in enumerate(sorted(answer.lines, key=lambda a: lines[a.line_id].position))
        )
        message_add(
            kind=ANSWER_QUOTE, subject=version.id, key=f"answer:{locked.key}:{version.number}"
        )
    return version


def _check_answer(answer: QuoteAnswerInput) -> None:
    today = timezone.localdate()
    if not answer.lines:
        raise ApplicationError("Answer at least one line.")
    for line in answer.lines:
        if not (0 < line.quantity <= MAX_QUANTITY):
            raise ApplicationError("Enter a quantity of more than 0 on every line.")
        if not (0 <= line.unit_price < MAX_PRICE):
            raise ApplicationError("Enter a unit price of 0 or more on every line.")
    if answer.valid_until < today:
        raise ApplicationError("The validity is in the past: choose today or a later date.")
    if answer.valid_until > today + MAX_VALIDITY:
        raise ApplicationError("A quote can be valid for a year at most: choose an earlier date.")
    if len(answer.message) > MAX_COMMENT:
        raise ApplicationError(f"Keep the message under {MAX_COMMENT} characters.")


def quote_answer_send(message: Message) -> Outcome:
    """The outbox handler of ``quote.answer``: write the agent's version into the ERP
    quotation (lines and validity; the same again changes nothing there). Once the ERP holds
    it, the version is the buyer's to see and the buyer is told; a refusal marks the version
    refused (the buyer never sees it) and tells the agents; an outage goes back to the outbox."""
    version = QuoteVersion.objects.select_related("quote__company", "quote__store").get(
        id=int(message.subject)
    )
    if version.erp_write != ErpWrite.PENDING:
        return Outcome()
    quote = version.quote
    answer = QuotationAnswer(
        customer=quote.company.code,
        number=quote.erp_number,
        lines=tuple(
            QuotationLineAnswer(ln.erp_line_id, ln.sku, ln.quantity, ln.unit_price)
            for ln in version.lines.all()
        ),
        expires=version.valid_until,
    )
    try:
        quotation = get_gateway().answer_quotation(answer=answer)
    except (ErpRejected, ErpNotFound) as refusal:
        with transaction.atomic():
            QuoteVersion.objects.filter(id=version.id).update(
                erp_write=ErpWrite.FAILED, error=refusal.message
            )
            event = event_record(
                quote=quote,
                kind=EventKind.ANSWER_REFUSED,
                actor_name=ERP_NAME,
                comment=refusal.message,
                version=version,
            )
            agents_tell(event)
        return Outcome(state=State.FAILED, note=refusal.message)
    with transaction.atomic():
        # What the ERP holds now is the version (its rounding included): the two agree.
        by_line = {ln.erp_id: ln for ln in quotation.lines}
        for line in version.lines.all():
            held = by_line.get(line.erp_line_id)
            if held is not None and (
                held.quantity != line.quantity or held.unit_price.amount != line.unit_price
            ):
                line.quantity, line.unit_price = held.quantity, held.unit_price.amount
                line.save(update_fields=["quantity", "unit_price"])
        QuoteVersion.objects.filter(id=version.id).update(
            erp_write=ErpWrite.DONE, valid_until=quotation.expires, error=""
        )
        QuoteRequest.objects.filter(id=quote.id).update(expires=quotation.expires)
        QuoteRequest.objects.filter(id=quote.id, state=QuoteState.REVISION).update(
            state=QuoteState.QUOTED
        )
        event = event_record(
            quote=quote,
            kind=EventKind.ANSWERED,
            actor=version.answered_by,
            actor_name=version.answered_by_name,
            comment=version.message,
            version=version,
        )
        webhook_events.quote_answered(version)
        buyer_tell(event)
    logger.info("quote %s: version %s is in the ERP", quote.key, version.number)
    return Outcome(value=quotation)


def quote_decline_send(message: Message) -> Outcome:
    """The outbox handler of ``quote.decline``: cancel the declined quote's ERP quotation (one
    cancelled already is left so). When the ERP refuses (a salesperson confirmed it meanwhile)
    the refusal is noted on the quote and the agents are told: theirs to sort out with the
    buyer. An outage goes back to the outbox."""
    quote = QuoteRequest.objects.select_related("company").get(id=int(message.subject))
    try:
        quotation = get_gateway().cancel_quotation(
            customer=quote.company.code, number=quote.erp_number
        )
    except (ErpRejected, ErpNotFound) as refusal:
        with transaction.atomic():
            QuoteRequest.objects.filter(id=quote.id).update(error=refusal.message)
            agents_tell(
                event_record(
                    quote=quote,
                    kind=EventKind.REFUSED,
                    actor_name=ERP_NAME,
                    comment=f"The declined quote could not be cancelled: {refusal.message}",
                )
            )
        return Outcome(state=State.FAILED, note=refusal.message)
    logger.info("quote %s declined: ERP quotation %s cancelled", quote.key, quotation.number)
    return Outcome(value=quotation)


# ------------------------------------------------------------------ the buyer's side
def _buyer_quote(
    *, principal: Principal, quote_id: int | None, erp_number: str | None
) -> QuoteRequest:
    from .services import erp_quote_row

    if quote_id is not None:
        quote = QuoteRequest.objects.filter(
            id=quote_id, company=principal.company, store_id=principal.require_store().id
        ).first()
        if quote is None:
            raise ApplicationError(_("There is no such quote."), code="not_found")
        return quote
    return erp_quote_row(principal=principal, number=erp_number or "")


def _clean_comment(comment: str, *, required: bool) -> str:
    comment = comment.strip()
    if required and not comment:
        raise ApplicationError(
            _("Tell our sales team what to change: write a comment."), field="comment"
        )
    if len(comment) > MAX_COMMENT or "\x00" in comment:
        raise ApplicationError(
            _("Keep the comment under %(count)s characters.") % {"count": MAX_COMMENT},
            field="comment",
        )
    return comment


def quote_revision_request(
    *,
    principal: Principal,
    comment: str,
    quote_id: int | None = None,
    erp_number: str | None = None,
) -> QuoteRequest:
    """The buyer asks for another answer, saying what to change; the store's agents are told
    and see it first on their console. The same comment again (a double click) is one step."""
    comment = _clean_comment(comment, required=True)
    quote = _buyer_quote(principal=principal, quote_id=quote_id, erp_number=erp_number)
    with transaction.atomic():
        locked = QuoteRequest.objects.select_for_update().get(id=quote.id)
        _check_negotiable(locked)
        if locked.state == QuoteState.REVISION:
            last = locked.events.order_by("-at", "-id").first()
            if (
                last is not None
                and last.kind == EventKind.REVISION_REQUESTED
                and last.comment == comment
            ):
                return locked
        locked.state = QuoteState.REVISION
        locked.save(update_fields=["state"])
        event = event_record(
            quote=locked,
            kind=EventKind.REVISION_REQUESTED,
            actor=principal.recorded_user,
            comment=comment,
        )
        agents_tell(event)
    return locked


def quote_decline(
    *,
    principal: Principal,
    comment: str = "",
    quote_id: int | None = None,
    erp_number: str | None = None,
) -> QuoteRequest:
    """The buyer declines the quote (it can't be accepted after); the agents are told, and
    its ERP quotation is owed a cancel (``quote.decline``) in the same transaction, so no one
    confirms it there by mistake. Declining again returns the quote as it stands."""
    comment = _clean_comment(comment, required=False)
    quote = _buyer_quote(principal=principal, quote_id=quote_id, erp_number=erp_number)
    with transaction.atomic():
        locked = QuoteRequest.objects.select_for_update().get(id=quote.id)
        if locked.state == QuoteState.DECLINED:
            return locked
        _check_negotiable(locked)
        locked.state = QuoteState.DECLINED
        locked.save(update_fields=["state"])
        if locked.erp_number:
            message_add(kind=DECLINE_QUOTE, subject=locked.id, key=f"decline:{locked.key}")
        event = event_record(
            quote=locked, kind=EventKind.DECLINED, actor=principal.recorded_user, comment=comment
        )
        agents_tell(event)
    return locked


def _check_negotiable(quote: QuoteRequest) -> None:
    if quote.state == QuoteState.DECLINED:
        raise ApplicationError(
            _("You declined this quote. Request a new quote for its lines."), code="declined"
        )
    if quote.state in (QuoteState.ACCEPTING, QuoteState.ORDERED):
        raise ApplicationError(_("You accepted this quote: it is an order now."))
    if quote.state == QuoteState.REQUESTED:
        raise ApplicationError(
            _("This quote has not reached our ERP yet: wait for its prices first.")
        )
    if quote.state == QuoteState.REFUSED:
        raise ApplicationError(_("This quote was refused. Request a new quote for its lines."))
