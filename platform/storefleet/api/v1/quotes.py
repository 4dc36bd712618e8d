"""Quotes: the company's requests for quote in this store with the ERP's answers (prices,
validity, versions, timeline), asking for one and accepting one, through the quote pages' own
selectors and services (``quotes.selectors``, ``quotes.negotiation.quote_open``,
``quotes.services``) with the key's ``Principal`` — writes once per ``Idempotency-Key``. An
answer is also pushed as the webhook event ``quote.answered`` (its ``data.id`` is the quote's
id here)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status

from storefleet.accounts.principal import Principal
from storefleet.quotes import negotiation
from storefleet.quotes import selectors as quotes

from ..auth import Caller, KeyAuth
from ..idempotency import HEADER, HEADER_DESCRIPTION, run_once
from ..models import Scope
from ..pagination import cursor_decode, cursor_encode
from ..problems import ApiProblem
from ..schemas import (
    ERRORS,
    MAX_ID,
    WRITE_ERRORS,
    Moment,
    QuoteAcceptOut,
    QuoteIn,
    QuoteOut,
    QuotePage,
)
from . import writing

# Documented (and read) as a header; its absence is the problem idempotency-key-required.
IDEMPOTENCY_KEY = Header(default=None, alias=HEADER, description=HEADER_DESCRIPTION)
QUOTE_ID = Path(..., ge=1, le=MAX_ID, description="The quote's id (``id`` in the list).")
router = Router(tags=["quotes"])
NOT_FOUND = "This company has no such quote in this store."


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value


def _row(view: quotes.QuoteView) -> dict[str, Any]:
    quote = view.quote
    assert quote is not None
    total = view.quotation.total if view.quotation is not None else None
    return dict(
        id=quote.id,
        erp_number=view.erp_number,
        status=view.status.value,
        created_at=quote.created_at,
        updated_at=quote.changed_at,  # type: ignore[attr-defined]
        requested_date=quote.requested_date,
        valid_until=view.expires,
        total=None if total is None else {"amount": total.amount, "currency": total.currency},
        line_count=len(quote.lines.all()),
    )


@router.get(
    "",
    response={200: QuotePage, **ERRORS},
    auth=KeyAuth(Scope.QUOTES_READ),
    summary="The company's quotes in this store, oldest change first",
)
def quote_list(
    request: HttpRequest,
    updated_since: Moment | None = None,
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=50, ge=1, le=200),
) -> dict[str, Any]:
    """The quotes requested in this store (on its pages or by API) and those entered in the
    ERP that the company has acted on, with the ERP's totals and validity (one ERP request a
    page), ordered by when their last step was recorded — requested, answered (also the
    webhook event ``quote.answered``), accepted, ordered — so a client that passes the last
    ``updated_at`` it saw as ``updated_since`` misses no answer."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    principal = Principal.for_key(caller)
    after = cursor_decode("quotes", cursor)
    position = None
    if after is not None:
        try:
            position = (_aware(datetime.datetime.fromisoformat(str(after[0]))), int(after[1]))
        except (TypeError, ValueError, IndexError, KeyError):
            raise ApiProblem(
                "invalid-request", "The cursor is not one this list gave: start again without it."
            ) from None
    rows = quotes.company_quotes_by_change(
        principal=principal,
        since=_aware(updated_since) if updated_since is not None else None,
        after=position,
    )
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    listing = quotes.quote_views(principal=principal, quotes=page)
    last = page[-1] if page else None
    return dict(
        items=[_row(view) for view in listing.quotes],
        next_cursor=(
            cursor_encode("quotes", [last.changed_at.isoformat(), last.id])  # type: ignore[attr-defined]
            if more and last is not None
            else None
        ),
        fresh=not listing.degraded,
    )


@router.get(
    "/{quote_id}",
    response={200: QuoteOut, **ERRORS},
    auth=KeyAuth(Scope.QUOTES_READ),
    summary="One quote: what was asked, the ERP's prices and validity, versions and timeline",
)
def quote_detail(request: HttpRequest, quote_id: int = QUOTE_ID) -> dict[str, Any]:
    """The quote as its page shows it to the buyer: the ERP quotation read afresh (an edit
    made there becomes a new version first). Another company's or store's is not found."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    view = negotiation.quote_open(principal=Principal.for_key(caller), quote_id=quote_id)
    if view is None:
        raise ApiProblem("not-found", NOT_FOUND)
    assert view.quote is not None
    fresh = not view.quote.erp_number or view.quotation is not None
    return writing.quote_answer(view, fresh=fresh)


@router.post(
    "",
    response={201: QuoteOut, 200: QuoteOut, **WRITE_ERRORS},
    auth=KeyAuth(Scope.QUOTES_WRITE),
    summary="Request a quote (once per Idempotency-Key)",
)
def quote_request(
    request: HttpRequest, body: QuoteIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> Status[dict[str, Any]]:
    """Ask the store's sales team for prices, as the request form does (the same checks: SKUs
    this store sells, each on one line, at most 50 lines; a requested date not in the past;
    one of the company's ship-to addresses — else ``quote-invalid``). The quote answers
    ``requested``, reaches the ERP through the outbox and is ``quoted`` once answered (the
    webhook event ``quote.answered``, or ``GET /quotes/{id}``). The same key and body again
    answer the same quote (200)."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return run_once(
        idempotency_key,
        caller=caller,
        operation="quote.request",
        payload=body.model_dump(mode="json"),
        run=lambda key: writing.quote_request(caller, body, key),
        replay_status={201: 200},
    )


@router.post(
    "/{quote_id}/accept",
    response={200: QuoteAcceptOut, **WRITE_ERRORS},
    auth=KeyAuth(Scope.QUOTES_WRITE),
    summary="Accept an answered quote: it becomes an order (once per Idempotency-Key)",
)
def quote_accept(
    request: HttpRequest,
    quote_id: int = QUOTE_ID,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> Status[dict[str, Any]]:
    """Accept the quote at the prices of its current version, as its page does: the ERP
    confirms its quotation as the order (through the outbox; ``status`` turns ``ordered``),
    unless the company's approval rules hold it (``awaiting_approval``). Refused with what to
    do: ``quote-expired`` (request a new quote), ``quote-not-answered`` (wait for the answer),
    ``quote-closed`` (declined, refused or withdrawn). Accepting again answers
    ``already_accepted``."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return run_once(
        idempotency_key,
        caller=caller,
        operation="quote.accept",
        payload={"quote_id": quote_id},
        run=lambda key: writing.quote_accept(caller, quote_id),
    )
