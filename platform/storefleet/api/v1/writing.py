"""The API's writes as the storefront's services make them: an order placed from a body's lines
(``ordering.checkout.order_lines_place``, the checkout's own path), an order cancelled
(``ordering.cancel.order_cancel``), a return filed (``ordering.returns.services.return_request``),
a quote requested or accepted (``quotes.services.quote_request`` and ``quote_accept``)
— each run once per ``Idempotency-Key`` (``api.idempotency``), with the key's ``Principal`` as
the storefront and the console call them with theirs. This module turns bodies into the
services' requests, their refusals into problems, and their results into answers."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.accounts.principal import Principal
from storefleet.accounts.selectors import company_ship_to_addresses
from storefleet.approvals.selectors import company_cost_centres, quote_approval
from storefleet.catalog.selectors import product_list, store_assortment
from storefleet.errors import ApplicationError
from storefleet.ordering import checkout as ordering
from storefleet.ordering.cancel import CancelOutcome
from storefleet.ordering.cancel import order_cancel as ordering_cancel
from storefleet.ordering.models import Order, ReturnRequest
from storefleet.ordering.returns.services import (
    ReturnInvalid,
    ReturnReasonGiven,
    ReturnWanted,
    return_request,
)
from storefleet.quotes import selectors as quote_selectors
from storefleet.quotes import services as quote_services
from storefleet.quotes.selectors import QuoteStatus

from ..auth import Caller
from ..idempotency import Answer, submit_token
from ..problems import ApiProblem
from ..schemas import PlaceIn, QuoteIn, ReturnIn


def order_answer(order: Order) -> dict[str, Any]:
    return dict(
        number=order.number,
        status=order.status,
        placed_at=order.created_at,
        placed_via=order.placed_via_key,
        po_number=order.po_number,
        requested_delivery_date=order.requested_delivery_date,
        ship_to_id=order.ship_to_id,
        total=order.total,
        currency=order.currency,
        backorder_accepted=order.backorder_accepted,
        lines=[
            dict(
                position=line.position,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                ship_to_id=line.ship_to_id,
            )
            for line in order.lines.all()
        ],
    )


def _cost_centre_problem(company: Company, sent: str) -> ApiProblem:
    """The cost centre sent is none of the company's (or none was sent, and it keeps some):
    the problem names the ones it has."""
    codes = [centre.code for centre in company_cost_centres(company=company)]
    if sent:
        detail = (
            f"{sent!r} is not one of your company's cost centres: send one of "
            f"{', '.join(codes)} as cost_centre. Nothing was placed."
            if codes
            else f"Your company keeps no cost centres: leave cost_centre out (you sent "
            f"{sent!r}). Nothing was placed."
        )
    else:
        detail = (
            "Your company charges every order to a cost centre: send one of "
            f"{', '.join(codes)} as cost_centre. Nothing was placed."
        )
    return ApiProblem(
        "invalid-cost-centre",
        detail,
        cost_centres=codes,
        errors=[{"loc": ["body", "cost_centre"], "msg": detail}],
    )


def _refused(error: ApplicationError) -> ApiProblem:
    """A refusal of the storefront's services as the problem it is."""
    if isinstance(error, ordering.PricesMoved):
        current = {line.wanted.line_id: line for line in error.check.lines}
        moved = []
        for line_id, seen in sorted(error.moved.items()):
            now = current[line_id]
            moved.append(
                dict(
                    position=line_id,
                    sku=now.product.sku,
                    expected_unit_price=seen,
                    unit_price=now.unit_price.amount if now.unit_price else None,
                )
            )
        return ApiProblem(
            "prices-moved",
            "The ERP's prices of these lines are not the ones you sent as expected_unit_price; "
            "nothing was placed. Send the order again with the new prices (or without "
            "expected_unit_price) and a new Idempotency-Key.",
            moved=moved,
        )
    if isinstance(error, ordering.CartNotOrderable):
        return ApiProblem(
            "not-orderable",
            "The ERP would not accept these lines as they are; nothing was placed. Fix the "
            "lines listed (see suggested_quantity) or the problems, then send them again.",
            lines=[
                dict(
                    position=line.wanted.line_id,
                    sku=line.product.sku,
                    quantity=line.quantity,
                    reasons=[str(reason) for reason in line.reasons],
                    messages=list(line.messages),
                    suggested_quantity=line.suggested_quantity,
                )
                for line in error.check.lines
                if not line.orderable
            ],
            problems=list(error.check.problems),
        )
    code = {
        "not_found": "not-found",
        "erp_unavailable": "erp-unavailable",
        "not_cancellable": "not-cancellable",
        "in_transit": "not-cancellable",
        "return_invalid": "return-invalid",
        "not_shipped": "return-invalid",
        "several_sales": "return-invalid",
    }.get(error.code, "invalid-request")
    extra: dict[str, Any] = {}
    if isinstance(error, ReturnInvalid):
        extra["errors"] = [{"loc": [k] if k else [], "msg": v} for k, v in error.errors.items()]
    elif error.field:
        extra["errors"] = [{"loc": ["body", error.field], "msg": error.message}]
    headers = {"Retry-After": "30"} if code in ("erp-unavailable", "not-cancellable") else {}
    return ApiProblem(code, error.message, headers=headers, **extra)


def order_place(caller: Caller, body: PlaceIn, key: str) -> Answer:
    """Place the body's lines for the caller's company as the checkout places a cart."""
    principal = Principal.for_key(caller)
    store, company = principal.require_store(), principal.company
    skus = {line.sku for line in body.lines}
    products = {
        p.sku: p
        for p in product_list(assortment=store_assortment(store=store)).filter(sku__in=skus)
    }
    unknown = sorted(skus - products.keys())
    if unknown:
        raise ApiProblem(
            "unknown-skus",
            "This store does not sell these SKUs: remove them, or check their spelling. "
            "Nothing was placed.",
            skus=unknown[:50],
        )
    ship_to_id = body.ship_to_id
    if ship_to_id is None:
        first = company_ship_to_addresses(company=company).order_by("id").first()
        if first is None:
            raise ApiProblem(
                "invalid-request",
                "Your company has no ship-to address in our system yet: contact the store.",
            )
        ship_to_id = first.id
    # Charged to one of the company's own cost centres, and required where it keeps them, as
    # at the store's checkout (whose budgets then apply: ``order_lines_place``).
    cost_centre = body.cost_centre.strip()
    centres = {centre.code for centre in company_cost_centres(company=company)}
    if cost_centre not in centres and (cost_centre or centres):
        raise _cost_centre_problem(company, cost_centre)
    lines = [
        ordering.PlaceLine(products[line.sku], line.quantity, position, line.ship_to_id)
        for position, line in enumerate(body.lines, start=1)
    ]
    try:
        order = ordering.order_lines_place(
            principal=principal,
            request=ordering.PlaceRequest(
                submit_token=submit_token(caller, key),
                ship_to_id=ship_to_id,
                lines=lines,
                requested_delivery_date=body.requested_delivery_date,
                po_number=body.po_number,
                notes=body.notes,
                cost_centre=cost_centre,
                accept_backorder=body.accept_backorder,
                seen_prices={
                    position: ordering.SeenPrice(line.sku, line.quantity, line.expected_unit_price)
                    for position, line in enumerate(body.lines, start=1)
                    if line.expected_unit_price is not None
                },
                unseen_at_current=True,
            ),
        )
    except ApplicationError as error:
        if error.field == "cost_centre":  # removed by the company's admin meanwhile
            raise _cost_centre_problem(company, cost_centre) from None
        raise _refused(error) from None
    return Answer(201, order_answer(order), order.id)


def cancel_answer(outcome: CancelOutcome) -> dict[str, Any]:
    return dict(
        number=outcome.number,
        already_cancelled=outcome.already_cancelled,
        cancelled_at=outcome.cancelled_at,
        before_erp=outcome.before_erp,
    )


def order_cancel(caller: Caller, number: str) -> Answer:
    try:
        outcome = ordering_cancel(principal=Principal.for_key(caller), number=number)
    except ApplicationError as error:
        raise _refused(error) from None
    return Answer(200, cancel_answer(outcome))


def return_answer(request: ReturnRequest) -> dict[str, Any]:
    return dict(
        number=request.number,
        order_number=request.order_number,
        status=request.status,
        reason=request.reason,
        reason_text=request.reason_text,
        created_at=request.created_at,
        erp_number=request.erp_number,
        lines=[
            dict(sku=line.sku, name=line.name, quantity=line.quantity, unit=line.unit)
            for line in request.lines.all()
        ],
    )


def return_file(caller: Caller, body: ReturnIn, key: str) -> Answer:
    try:
        filed = return_request(
            principal=Principal.for_key(caller),
            number=body.order_number,
            lines=[ReturnWanted(line.sku, line.quantity) for line in body.lines],
            reason=ReturnReasonGiven(body.reason, body.reason_text),
            submit_token=submit_token(caller, key),
        )
    except ApplicationError as error:
        raise _refused(error) from None
    return Answer(201, return_answer(filed), filed.order_id)


# ------------------------------------------------------------------ quotes
def _quote_money(amount: Any, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def quote_answer(view: quote_selectors.QuoteView, *, fresh: bool = True) -> dict[str, Any]:
    """One of the company's quotes as the API shows it: what was asked, the ERP's quotation,
    every version and the timeline (what the buyer's quote page shows)."""
    quote = view.quote
    assert quote is not None, "the API shows the platform's quotes"
    quotation = view.quotation
    events = list(view.events)
    return dict(
        id=quote.id,
        erp_number=view.erp_number,
        status=view.status.value,
        can_accept=view.can_accept,
        created_at=quote.created_at,
        updated_at=max([quote.created_at, *(event.at for event in events)]),
        requested_date=quote.requested_date,
        message=quote.message,
        ship_to_id=quote.ship_to_id,
        valid_until=view.expires,
        lines=[
            dict(
                position=line.position + 1,
                sku=line.sku,
                quantity=line.quantity,
                target_price=line.target_price,
                note=line.note,
            )
            for line in quote.lines.all()
        ],
        quotation=(
            dict(
                number=quotation.number,
                state=quotation.state.value,
                quoted_on=quotation.quoted_on,
                valid_until=quotation.expires,
                lines=[
                    dict(
                        sku=line.sku,
                        name=line.name,
                        quantity=line.quantity,
                        unit_price=_quote_money(line.unit_price.amount, line.unit_price.currency),
                        amount=_quote_money(line.amount.amount, line.amount.currency),
                    )
                    for line in quotation.lines
                ],
                total=_quote_money(quotation.total.amount, quotation.total.currency),
            )
            if quotation is not None
            else None
        ),
        versions=[
            dict(
                number=v.version.number,
                answered_by=v.version.source,
                answered_by_name=v.version.answered_by_name,
                message=v.version.message,
                valid_until=v.version.valid_until,
                currency=v.version.currency,
                created_at=v.version.created_at,
                total_before_tax=v.total,
                lines=[
                    dict(
                        sku=line.sku,
                        name=line.name,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        previous_quantity=line.old_quantity,
                        previous_unit_price=line.old_unit_price,
                        added=line.added,
                    )
                    for line in v.lines
                ],
                removed_skus=list(v.removed),
            )
            for v in view.versions
        ],
        events=[
            dict(
                kind=event.kind,
                at=event.at,
                actor_name=event.actor_name,
                comment=event.comment,
                version=event.version.number if event.version else None,
            )
            for event in events
        ],
        error=quote.error if view.status == QuoteStatus.REFUSED else "",
        fresh=fresh,
    )


def quote_token(caller: Caller, key: str) -> str:
    """The request form's one-time token for this API key and idempotency key: the quote
    service's own de-duplication then also makes one quote per key."""
    return hashlib.sha256(f"quote:{caller.key.pk}:{key}".encode()).hexdigest()[:32]


def quote_request(caller: Caller, body: QuoteIn, key: str) -> Answer:
    """Ask the store's sales team for a quote of the body's lines, as the request form does:
    the same service and its checks (SKUs the store sells, each once; the date; the
    ship-to address), then into the ERP through the outbox."""
    principal = Principal.for_key(caller)
    try:
        quote = quote_services.quote_request(
            principal=principal,
            request=quote_services.QuoteRequestInput(
                token=quote_token(caller, key),
                lines=tuple(
                    quote_services.WantedLine(
                        line.sku, line.quantity, line.target_price, line.note.strip()
                    )
                    for line in body.lines
                ),
                requested_date=body.requested_date,
                message=body.message.strip(),
                ship_to_id=body.ship_to_id,
            ),
        )
    except ApplicationError as error:
        loc = {"ship_to": "ship_to_id", "sku": "lines"}.get(error.field or "", error.field)
        raise ApiProblem(
            "quote-invalid",
            error.message,
            errors=[{"loc": ["body", loc] if loc else ["body"], "msg": error.message}],
        ) from None
    return Answer(201, quote_answer(quote_selectors.quote_view_of(quote, None)))


# The quote service's refusals of an acceptance, as the problems they are.
_ACCEPT_REFUSALS = {
    "not_found": "not-found",
    "expired": "quote-expired",
    "not_answered": "quote-not-answered",
    "updating": "quote-not-answered",
    "declined": "quote-closed",
    "refused": "quote-closed",
    "withdrawn": "quote-closed",
}


def quote_accept(caller: Caller, quote_id: int) -> Answer:
    """Accept one of the company's answered quotes as the quote page does: its confirmation
    is owed to the ERP through the outbox (or held for the company's approval). Accepting
    again answers the quote as it stands (``already_accepted``)."""
    principal = Principal.for_key(caller)
    today = timezone.localdate()
    before = quote_selectors.company_quotes(principal=principal).filter(id=quote_id).first()
    if before is None:
        raise ApiProblem("not-found", "This company has no such quote in this store.")
    accepted = {QuoteStatus.ACCEPTING, QuoteStatus.ORDERED}
    try:
        quote = quote_services.quote_accept(principal=principal, quote_id=quote_id)
    except ApplicationError as error:
        code = _ACCEPT_REFUSALS.get(error.code, "invalid-request")
        headers = {"Retry-After": "30"} if error.code == "updating" else {}
        raise ApiProblem(code, error.message, headers=headers) from None
    approval = quote_approval(quote_id=quote.id, company=quote.company)
    status = quote_selectors.status_of(quote, None, today)
    return Answer(
        200,
        dict(
            id=quote.id,
            erp_number=quote.erp_number,
            status=status.value,
            accepted_at=quote.accepted_at,
            already_accepted=quote_selectors.status_of(before, None, today) in accepted,
            awaiting_approval=approval is not None and approval.pending,
            order_number=quote.erp_number,
        ),
    )
