"""Cancelling an order while the ERP allows it, for whoever acts for the company (a buyer, an
agent, an API key): the service ``order_cancel`` and the read of what it recorded.

Cancelling a platform order that has not reached the ERP yet takes its submission out of the
outbox with the same conditional UPDATE a worker uses to take it up: of the two, exactly one
wins, so the ERP never hears of an order the buyer cancelled. An order whose submission a worker
has already tried may be in the ERP already; it is cancelled there once it has arrived."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from storefleet.accounts.models import Company
from storefleet.brand.buyer_cache import company_pages_changed
from storefleet.erp.errors import ErpRejected, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import OrderState
from storefleet.errors import ApplicationError
from storefleet.outbox import services as outbox
from storefleet.outbox.selectors import message_pending

from . import webhook_events
from .models import ErpSale, Order, OrderCancellation, OrderStatus
from .order_ref import OrderRef, erp_away, order_ref_or_404
from .outbox_kinds import SUBMIT_ORDER
from .scope import OrderScope

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from storefleet.accounts.principal import Principal

logger = logging.getLogger("storefleet.ordering")

# The ERP states in which a sale can still be cancelled (the stage "confirmed" of its page).
CANCELLABLE_ERP_STATES = {OrderState.DRAFT, OrderState.QUOTATION, OrderState.CONFIRMED}


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    number: str
    already_cancelled: bool
    cancelled_at: datetime.datetime
    cancelled_by: str  # e-mail of who cancelled, or "" when unknown (done in the ERP, by a key)
    before_erp: bool


def _outcome(record: OrderCancellation, *, already: bool) -> CancelOutcome:
    return CancelOutcome(
        number=record.number,
        already_cancelled=already,
        cancelled_at=record.cancelled_at,
        cancelled_by=getattr(record.cancelled_by, "email", "") or "",
        before_erp=record.before_erp,
    )


def cancellation_for(*, principal: Principal, number: str) -> OrderCancellation | None:
    """The record of the cancelled order ``number`` (platform or ERP number) the principal
    reaches."""
    return _cancellation_within(principal.scope, number)


def _cancellation_within(scope: OrderScope, number: str) -> OrderCancellation | None:
    records = scope.cancellations().select_related("cancelled_by")
    return (
        records.filter(number=number).first()
        or records.filter(order__sales__erp_number=number).first()
        or records.filter(order__number=number).first()
    )


def _record_cancellation(
    *,
    company: Company,
    ref: OrderRef,
    user: User | None,
    before_erp: bool,
) -> CancelOutcome:
    """Write who cancelled what and when (once: a racing second cancel finds the first)."""
    order_number = ref.order.number if ref.order else ref.number
    try:
        with transaction.atomic():
            record = OrderCancellation.objects.create(
                company=company,
                number=order_number,
                order=ref.order,
                erp_numbers=",".join(ref.erp_numbers)[:255],
                cancelled_by_id=user.pk if user is not None else None,
                cancelled_at=timezone.now(),
                before_erp=before_erp,
            )
            company_pages_changed(company_id=company.id)  # its cached My orders pages
            if ref.order is not None:
                Order.objects.filter(id=ref.order.id).update(status=OrderStatus.CANCELLED)
                ErpSale.objects.filter(order=ref.order).exclude(erp_number="").update(
                    erp_state=OrderState.CANCELLED.value
                )
                webhook_events.order_event("order.cancelled", ref.order)
    except IntegrityError:
        # The first cancel of the racing two, wherever it was made.
        everywhere = OrderScope.stores(company=company, store_ids=None)
        existing = _cancellation_within(everywhere, order_number)
        if existing is None:
            raise
        return _outcome(existing, already=True)
    logger.info("order %s cancelled (before the ERP: %s)", order_number, before_erp)
    return _outcome(record, already=False)


def order_cancel(*, principal: Principal, number: str) -> CancelOutcome:
    """Cancel the order ``number`` the principal reaches while the ERP allows it, recording
    who (``Principal.recorded_user``: nobody for an API key) and when.

    Idempotent: an order already cancelled answers ``already_cancelled``. A platform order
    still in the outbox is taken out of it (the ERP never hears of it). Raises
    ``ApplicationError`` with a message saying what to do instead: ``not_found`` (also for
    another company's or another store's order), ``not_cancellable`` (shipping or invoiced:
    ask for a return),
    ``in_transit`` (being passed to the ERP right now), ``erp_unavailable`` (nothing changed)."""
    company = principal.company
    user = principal.recorded_user
    ref = order_ref_or_404(principal=principal, number=number)
    existing = cancellation_for(principal=principal, number=ref.number)
    if existing is not None:
        return _outcome(existing, already=True)
    order = ref.order
    if order is not None and order.status == OrderStatus.REFUSED:
        raise ApplicationError(
            gettext("Order %(number)s was not accepted by our ERP, so there is nothing to cancel.")
            % {"number": order.number},
            code="not_cancellable",
        )
    if order is not None and order.status in (OrderStatus.HELD, OrderStatus.REJECTED):
        # Held for approval in the company (``storefleet.approvals``): an approver decides it.
        raise ApplicationError(awaiting_approval_text(order.number), code="not_cancellable")
    if order is not None and order.status == OrderStatus.RECEIVED:
        outcome = _cancel_before_erp(company=company, ref=ref, user=user)
        if outcome is not None:
            return outcome
    return _cancel_in_erp(company=company, ref=ref, user=user)


def _cancel_before_erp(
    *, company: Company, ref: OrderRef, user: User | None
) -> CancelOutcome | None:
    """Take a not-yet-sent order out of the outbox. None when its submission is done (the
    sales are in the ERP: cancel them there); ``in_transit`` when a worker has tried it."""
    assert ref.order is not None
    with transaction.atomic():
        # A run takes the message up only while it is pending, and the first run only while
        # no run has taken it up yet (storefleet.outbox): this UPDATE and the run's are
        # serialised by the database, and only one of them matches.
        taken = outbox.message_withdraw(
            kind=SUBMIT_ORDER,
            subject=ref.order.id,
            note="cancelled by the buyer before it was sent",
        )
        if taken:
            return _record_cancellation(company=company, ref=ref, user=user, before_erp=True)
    pending = message_pending(kind=SUBMIT_ORDER, subject=ref.order.id)
    if pending:
        raise ApplicationError(
            gettext(
                "Order %(number)s is being passed to our ERP right now, so it can't be "
                "cancelled this moment. Nothing was changed: please try again in a few minutes."
            )
            % {"number": ref.order.number},
            code="in_transit",
        )
    return None


def _cancel_in_erp(*, company: Company, ref: OrderRef, user: User | None) -> CancelOutcome:
    gateway = get_gateway()
    if not ref.erp_numbers:
        raise ApplicationError(
            gettext(
                "Order %(number)s is being passed to our ERP right now. Nothing was changed: "
                "please try again in a few minutes."
            )
            % {"number": ref.number},
            code="in_transit",
        )
    try:
        # Every sale first, so that an order of several sales is cancelled whole or not at all.
        states = [gateway.order_status(number=n) for n in ref.erp_numbers]
        blocked = [
            s for s in states if s.state not in CANCELLABLE_ERP_STATES | {OrderState.CANCELLED}
        ]
        if blocked:
            raise _not_cancellable(ref.number)
        for status in states:
            if status.state is not OrderState.CANCELLED:
                gateway.cancel_order(number=status.number)
        gateway.invalidate_sales(customer=company.code)  # its page shows the cancel at once
    except ErpUnavailable as error:
        raise erp_away() from error
    except ErpRejected as error:
        raise _not_cancellable(ref.number) from error
    return _record_cancellation(company=company, ref=ref, user=user, before_erp=False)


def awaiting_approval_text(number: str) -> str:
    """Why an order held for approval in the company (or not approved) can't be cancelled."""
    return gettext(
        "Order %(number)s waits for approval in your company or was not approved: it "
        "has not reached our ERP. Ask an approver to reject it."
    ) % {"number": number}


def not_cancellable_text(number: str) -> str:
    """Why the order ``number`` can no longer be cancelled online (its page says it too)."""
    return gettext(
        "Order %(number)s is already being processed by our ERP (prepared for shipping and "
        "invoicing), so it can no longer be cancelled online. Once it has shipped you can "
        "request a return of what you don't need; for anything urgent, please contact our "
        "customer service."
    ) % {"number": number}


def _not_cancellable(number: str) -> ApplicationError:
    return ApplicationError(not_cancellable_text(number), code="not_cancellable")
