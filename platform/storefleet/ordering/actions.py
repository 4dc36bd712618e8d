"""Where an order stands and what its page offers: one state machine (``Stage``) for the
buyer's, the agent's and the API's view of an order, and the rules of its actions
(``order_actions``: cancel, request a return), decided here so that no face decides them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from storefleet import dates
from storefleet.erp.errors import ErpError
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import SHIPPED_STATES, OrderState, ShipmentState

from .cancel import CANCELLABLE_ERP_STATES, cancellation_for
from .models import OrderStatus, SaleRecord

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal


class Stage(StrEnum):
    """Where an order stands, as one state machine for the buyer's and the agent's pages:
    (awaiting approval in the buyer's company →) received → confirmed (cancellable until the
    ERP processes it) → processing → shipped → completed; or not approved, refused, or
    cancelled. Every stage says what can be done next."""

    AWAITING_APPROVAL = "awaiting_approval"  # held in the company until an approver decides
    NOT_APPROVED = "not_approved"  # rejected by an approver: never sent to the ERP
    RECEIVED = "received"  # in the outbox, not in the ERP yet
    REFUSED = "refused"  # the ERP did not accept it
    CONFIRMED = "confirmed"  # in the ERP, not processed yet: cancellable
    PROCESSING = "processing"  # shipments and invoices made, nothing left the warehouse yet
    SHIPPED = "shipped"  # something has left the warehouse: returns from here on
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OrderActions:
    """Which actions the order's page offers (the ERP decides in the end), the stage and its
    sentences, and who cancelled the order and when, if someone did. ``cancel_until``: the
    moment the ERP processes the order (its grace period "Process Sale after" from the
    confirmation), when known."""

    cancel: bool
    request_return: bool
    cancelled_at: datetime.datetime | None = None
    cancelled_by: str = ""
    stage: Stage | None = None
    cancel_until: datetime.datetime | None = None

    @property
    def summary(self) -> str:
        return STAGE_SUMMARY.get(self.stage, "") if self.stage else ""

    @property
    def next_step(self) -> str:
        """What the buyer can do now, in one sentence (never offering what is not possible)."""
        if self.stage is Stage.CONFIRMED and self.cancel:
            if self.cancel_until is not None:
                # In the zone and language active for the request (the store's); translated
                # here, as the date is in it ({% translate %} in the template keeps it as it is).
                until = dates.format_day_time(self.cancel_until, zone=True)
                return gettext(
                    "You can still cancel it until our ERP starts processing it (%(until)s)."
                ) % {"until": until}
            return "You can still cancel it until our ERP starts processing it."
        return STAGE_NEXT.get(self.stage, "") if self.stage else ""


STAGE_SUMMARY = {
    Stage.AWAITING_APPROVAL: "Waiting for approval in your company — not sent to our ERP yet.",
    Stage.NOT_APPROVED: "Not approved in your company: it was not sent to our ERP.",
    Stage.RECEIVED: "Received — being passed to our ERP.",
    Stage.REFUSED: "Our ERP did not accept this order.",
    Stage.CONFIRMED: "Confirmed by our ERP, not processed yet.",
    Stage.PROCESSING: "Being processed: prepared for shipping and invoicing.",
    Stage.SHIPPED: "Shipped (in whole or in part).",
    Stage.COMPLETED: "Completed.",
    Stage.CANCELLED: "Cancelled.",
}
STAGE_NEXT = {
    Stage.AWAITING_APPROVAL: "An approver of your company approves or rejects it.",
    Stage.NOT_APPROVED: (
        "Nothing to cancel or return: put its lines in your cart again to adjust them."
    ),
    Stage.RECEIVED: "You can cancel it until our ERP has taken it up.",
    Stage.REFUSED: "Nothing to cancel or return: put its lines in your cart again to adjust them.",
    Stage.PROCESSING: (
        "It can no longer be cancelled online. Once something has shipped you can request a "
        "return of what you don't need."
    ),
    Stage.SHIPPED: "You can request a return of what you don't need.",
    Stage.COMPLETED: "You can request a return of what you don't need.",
    Stage.CANCELLED: "Nothing more to do.",
}


def stage_of(
    *, order_status: str | None, sales: Sequence[tuple[str, str]], cancelled: bool = False
) -> Stage:
    """The stage of an order from the platform's status of it (None for a sale entered in
    the ERP) and the ERP's (state, shipment state) of each of its sales."""
    if cancelled or order_status == OrderStatus.CANCELLED:
        return Stage.CANCELLED
    if order_status == OrderStatus.REFUSED:
        return Stage.REFUSED
    if order_status == OrderStatus.HELD:
        return Stage.AWAITING_APPROVAL
    if order_status == OrderStatus.REJECTED:
        return Stage.NOT_APPROVED
    live = [(state, shipped) for state, shipped in sales if state != OrderState.CANCELLED]
    if not sales:
        return Stage.RECEIVED
    if not live:
        return Stage.CANCELLED
    if any(shipped in SHIPPED_STATES for _state, shipped in live):
        if all(state == OrderState.DONE for state, _shipped in live):
            return Stage.COMPLETED
        return Stage.SHIPPED
    if all(state in CANCELLABLE_ERP_STATES for state, _shipped in live):
        return Stage.CONFIRMED
    return Stage.PROCESSING


@dataclass(frozen=True, slots=True)
class SaleStatus:
    """What ``order_actions`` reads of a mirrored sale entered in the ERP."""

    state: OrderState
    shipment_state: ShipmentState


def erp_status_of(record: SaleRecord) -> SaleStatus | None:
    """The ERP state and shipment state of a mirrored sale (None for states this platform
    does not know: its page then offers nothing)."""
    try:
        return SaleStatus(OrderState(record.state), ShipmentState(record.shipment_state))
    except ValueError:
        return None


def order_actions(
    *, principal: Principal, number: str, status: object | None = None, ask_erp: bool = False
) -> OrderActions:
    """The stage of the order ``number`` the principal reaches and the actions it allows, from
    what the platform knows (its mirror of the ERP's sales, refreshed by the page that asks):
    ``status`` may be an ``OrderStatus`` of the ERP sale when the caller has one fresh. Asks
    the ERP at most for its grace period (cached), and with ``ask_erp`` for the state of a
    sale entered in the ERP that is not mirrored yet."""
    scope = principal.scope
    cancelled = cancellation_for(principal=principal, number=number)
    if cancelled is not None:
        return OrderActions(
            cancel=False,
            request_return=False,
            cancelled_at=cancelled.cancelled_at,
            cancelled_by=getattr(cancelled.cancelled_by, "email", "") or "",
            stage=Stage.CANCELLED,
        )
    order = scope.orders().filter(number=number).first()
    confirmed_at: datetime.datetime | None = None
    if order is not None:
        records = SaleRecord.objects.filter(order=order)
        mirrored = {
            r.number: (r.state, r.shipment_state)
            for r in records.only("number", "state", "shipment_state")
        }
        sales = [
            mirrored.get(s.erp_number) or (s.erp_state, "")
            for s in order.sales.all()
            if s.erp_number and (s.erp_number in mirrored or s.erp_state)
        ]
        stage = stage_of(order_status=order.status, sales=sales)
        confirmed_at = order.confirmed_at
    else:
        if status is None:  # a sale entered in the ERP: its mirror says where it stands
            record = scope.sales().filter(number=number).first()
            status = erp_status_of(record) if record is not None else None
            if record is None and ask_erp and not scope.foreign_order(number):
                try:
                    found = get_gateway().order_status(number=number)
                except ErpError:
                    found = None
                if found is not None and found.customer == scope.company.code:
                    status = found
        state = getattr(status, "state", None)
        shipment = getattr(getattr(status, "shipment_state", None), "value", "")
        stage = stage_of(order_status=None, sales=[(str(state or ""), shipment)])
        if state is None:
            stage = Stage.PROCESSING  # a state this platform does not know: offer nothing
    cancel_until = None
    if stage is Stage.CONFIRMED and confirmed_at is not None:
        grace = get_gateway().cancel_grace_period()
        if grace is not None:
            cancel_until = confirmed_at + grace
    return OrderActions(
        cancel=stage in (Stage.RECEIVED, Stage.CONFIRMED),
        request_return=stage in (Stage.SHIPPED, Stage.COMPLETED),
        stage=stage,
        cancel_until=cancel_until,
    )
