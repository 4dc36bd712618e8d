"""Carrying a placed order into the ERP through the outbox (``storefleet.outbox``).

A worker (asked on commit of the placement) submits the order through
``order_submission_send``, the handler of the kind ``order.submit`` (registered in
``ordering.apps``); the ERP's idempotency key is the order's number, so a retried, redelivered
or swept submission never makes a second sale."""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from storefleet.brand.buyer_cache import company_pages_changed
from storefleet.erp.errors import ErpRejected
from storefleet.erp.gateway import get_gateway
from storefleet.outbox import services as outbox
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome

from . import notifications, webhook_events
from .checks import order_request
from .models import ErpSale, Order, OrderLine, OrderStatus

logger = logging.getLogger("storefleet.ordering")

BACKORDER_NOTE = "Ship what is in stock now and the rest when it arrives (back-order accepted)."


OutboxDeferred = outbox.Deferred  # what outbox_process raises while the ERP is away


def outbox_process(*, message_id: int, claim: int | None = None) -> Order | None:
    """Carry one outbox message of ordering's into the ERP (see ``order_submission_send``);
    the order it submitted, or None (a return's message, or one not this run's to take).
    Raises ``OutboxDeferred`` (an ``ErpUnavailable``) when the ERP can't be reached."""
    outcome = outbox.message_process(message_id=message_id, claim=claim)
    return outcome.value if outcome is not None and isinstance(outcome.value, Order) else None


def outbox_sweep(*, limit: int = 500) -> int:
    """Send again what is owed to the ERP and nobody is working on (every kind's)."""
    return outbox.messages_sweep(limit=limit)


def order_submission_send(message: Message) -> Outcome:
    """The outbox handler of ``order.submit``: submit the order's ERP sales. A refusal is
    recorded on the order and the buyer and the store's service team are told; an
    ``ErpError`` other than a refusal goes back to the outbox, which tries again."""
    order = Order.objects.select_related("company", "store", "store__site").get(
        id=int(message.subject)
    )
    if order.status == OrderStatus.CANCELLED:
        # Cancelled by the buyer before any run reached the ERP (cancel.order_cancel).
        return Outcome(value=order)
    state, note = State.DONE, ""
    try:
        # The first take-up ever: no earlier run can have reached the ERP with these keys.
        _submit_sales(order, first_run=message.attempts == 1)
    except ErpRejected as refusal:
        _order_refused(order, refusal)
        state, note = State.FAILED, refusal.message
    order.refresh_from_db()
    notifications.order_outcome(order=order)
    return Outcome(state=state, note=note, value=order)


def _submit_sales(order: Order, *, first_run: bool = False) -> None:
    """Submit each of the order's ERP sales not submitted yet. An order placed moments ago
    was checked with the ERP at placement, at the prices on its lines: the ERP is not asked
    to validate it again before it creates, quotes and confirms the sale (it enforces its
    rules, stock and credit there itself). An older one — placed while the ERP was away, or
    waiting since — is validated again, at the ERP's prices of now."""
    from storefleet.tenants.selectors import store_record

    store = store_record(order.store)
    lines = list(order.lines.select_related("ship_to"))
    now = timezone.now()
    fresh = now - order.created_at <= datetime.timedelta(
        seconds=settings.ORDERING_PRECHECK_FRESH_SECONDS
    )
    prices_current = order.prices_read_at is not None and now - order.prices_read_at <= (
        datetime.timedelta(seconds=settings.ORDERING_PRICES_CURRENT_SECONDS)
    )
    for sale in order.sales.select_related("ship_to").filter(submitted_at__isnull=True):
        request = order_request(
            store=store,
            company=order.company,
            ship_to_erp_id=sale.ship_to.erp_id,
            lines=[
                (line.sku, line.quantity, line.unit_price)
                for line in lines
                if line.ship_to_id == sale.ship_to_id
            ],
            key=sale.key,
            po_number=order.po_number,
            requested_delivery_date=order.requested_delivery_date,
            # The sale says the buyer's choice where the warehouse reads it.
            notes="\n".join(n for n in (order.notes, BACKORDER_NOTE) if n)
            if order.backorder_accepted
            else order.notes,
        )
        prechecked = fresh and all(line.expected_unit_price is not None for line in request.lines)
        request = dataclasses.replace(
            request,
            accept_backorder=order.backorder_accepted,
            prechecked=prechecked,
            prices_current=prechecked and prices_current,
            first_submission=first_run,
        )
        submitted = get_gateway().submit_order(order=request)
        ErpSale.objects.filter(id=sale.id).update(
            erp_number=submitted.number,
            erp_state=submitted.state.value,
            erp_total=submitted.total.amount,
            submitted_at=timezone.now(),
        )
        logger.info("order %s sale %s confirmed as %s", order.number, sale.key, submitted.number)
    with transaction.atomic():
        if Order.objects.filter(id=order.id, status=OrderStatus.RECEIVED).update(
            status=OrderStatus.CONFIRMED, confirmed_at=timezone.now()
        ):
            webhook_events.order_event("order.confirmed", order)
    company_pages_changed(company_id=order.company_id)  # its cached My orders pages


def _order_refused(order: Order, refusal: ErpRejected) -> None:
    by_position = {}
    lines = list(order.lines.all())
    for verdict in refusal.lines:
        # The verdict's index is within the refused sale's lines; map it back by SKU.
        for line in lines:
            if line.sku == verdict.sku and line.id not in by_position:
                by_position[line.id] = ",".join(r.value for r in verdict.reasons)
                break
    with transaction.atomic():
        Order.objects.filter(id=order.id, status=OrderStatus.RECEIVED).update(
            status=OrderStatus.REFUSED,
            refusal_reasons=",".join(r.value for r in refusal.reasons)[:255],
            refusal_message=refusal.message,
        )
        for line_id, reasons in by_position.items():
            OrderLine.objects.filter(id=line_id).update(refusal_reasons=reasons[:255])
        company_pages_changed(company_id=order.company_id)
        webhook_events.order_event("order.refused", order, refusal=refusal.message)
    logger.warning(
        "order %s refused by the ERP: %s", order.number, ",".join(r for r in refusal.reasons)
    )
