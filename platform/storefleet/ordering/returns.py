"""Cancelling orders and returning shipped lines, for a buyer of a company (and later an agent
acting for one): the services ``order_cancel`` and ``return_request``, the outbox step that
files a return in the ERP, and the reads the pages need.

An order is named by its platform number or by the number of its ERP sale, and is looked up
within an ``OrderScope`` (``storefleet.ordering.scope``): the caller's company in the store(s)
they may see. A web order of another store is "not found", like another company's or one that
does not exist; a sale entered straight into the ERP (by phone) is the company's, in every
store, when the ERP says its customer is the company.

Cancelling a platform order that has not reached the ERP yet takes its submission out of the
outbox with the same conditional UPDATE a worker uses to take it up: of the two, exactly one
wins, so the ERP never hears of an order the buyer cancelled. An order whose submission a worker
has already tried may be in the ERP already; it is cancelled there once it has arrived."""

from __future__ import annotations

import datetime
import logging
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import dateformat, timezone
from django.utils.translation import gettext, gettext_noop

from storefleet.accounts.models import Company
from storefleet.brand.buyer_cache import company_pages_changed
from storefleet.erp.errors import ErpError, ErpNotFound, ErpRejected, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import SHIPPED_STATES, OrderReturnables, OrderState, ShipmentState
from storefleet.erp.types import ReturnLine as ErpReturnLine
from storefleet.erp.types import ReturnRequest as ErpReturnRequest
from storefleet.errors import ApplicationError
from storefleet.outbox import services as outbox
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome
from storefleet.outbox.selectors import message_pending
from storefleet.tenants.selectors import StoreRecord

from . import webhook_events
from .models import (
    ErpSale,
    Order,
    OrderCancellation,
    OrderStatus,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    SaleRecord,
)
from .outbox_kinds import FILE_RETURN, SUBMIT_ORDER
from .quick_order import QUANTITY_DECIMALS
from .scope import OrderScope

logger = logging.getLogger("storefleet.ordering")

NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_NUMBER = 64
CANCELLABLE_ERP_STATES = {OrderState.DRAFT, OrderState.QUOTATION, OrderState.CONFIRMED}
RETURNABLE_ERP_STATES = {OrderState.CONFIRMED, OrderState.PROCESSING, OrderState.DONE}

ERP_AWAY_NOTHING_CHANGED = gettext_noop(
    "We can't reach our ERP right now, so nothing was changed: please try again in a few minutes."
)


class NotFound(ApplicationError):
    def __init__(self) -> None:
        super().__init__(gettext("We can't find that order."), code="not_found")


# ------------------------------------------------------------------ which order
@dataclass(frozen=True, slots=True)
class OrderRef:
    """An order of the company as the buyer named it: the platform order (if it is one) and
    the ERP sales it is (none yet while it waits in the outbox)."""

    number: str
    order: Order | None
    erp_numbers: tuple[str, ...]


def order_ref(*, scope: OrderScope, number: str) -> OrderRef | None:
    """The order ``number`` (platform or ERP sale) within ``scope``, or None. Asks the ERP
    only for a number the platform does not know (a web order of a store outside the scope is
    known, and not found); ``ErpUnavailable`` when it must ask and can't."""
    number = number.strip()
    if not number or len(number) > MAX_NUMBER:
        return None
    company = scope.company
    orders = scope.orders()
    order = orders.filter(number=number).first()
    if order is None:
        sale = (
            ErpSale.objects.filter(order__in=orders, erp_number=number)
            .select_related("order")
            .first()
        )
        if sale is not None:
            return OrderRef(number=number, order=sale.order, erp_numbers=(number,))
    if order is not None:
        numbers = ErpSale.objects.filter(order=order).exclude(erp_number="")
        return OrderRef(
            number=number,
            order=order,
            erp_numbers=tuple(numbers.order_by("key").values_list("erp_number", flat=True)),
        )
    if scope.foreign_order(number):
        return None
    try:
        status = get_gateway().order_status(number=number)
    except ErpNotFound:
        return None
    if status.customer != company.code:
        return None
    return OrderRef(number=number, order=None, erp_numbers=(status.number,))


def _ref_or_404(scope: OrderScope, number: str) -> OrderRef:
    try:
        ref = order_ref(scope=scope, number=number)
    except ErpUnavailable as error:
        raise ApplicationError(gettext(ERP_AWAY_NOTHING_CHANGED), code="erp_unavailable") from error
    if ref is None:
        raise NotFound
    return ref


def _new_number(prefix: str) -> str:
    return f"{prefix}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


# ------------------------------------------------------------------ cancel
@dataclass(frozen=True, slots=True)
class CancelOutcome:
    number: str
    already_cancelled: bool
    cancelled_at: datetime.datetime
    cancelled_by: str  # e-mail of who cancelled, or "" when unknown (done in the ERP)
    before_erp: bool


def _outcome(record: OrderCancellation, *, already: bool) -> CancelOutcome:
    return CancelOutcome(
        number=record.number,
        already_cancelled=already,
        cancelled_at=record.cancelled_at,
        cancelled_by=getattr(record.cancelled_by, "email", "") or "",
        before_erp=record.before_erp,
    )


def cancellation_for(*, scope: OrderScope, number: str) -> OrderCancellation | None:
    """The record of the cancelled order ``number`` (platform or ERP number) within
    ``scope``."""
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
    user: AbstractBaseUser | None,
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
        existing = cancellation_for(
            scope=OrderScope.stores(company=company, store_ids=None), number=order_number
        )
        if existing is None:
            raise
        return _outcome(existing, already=True)
    logger.info("order %s cancelled (before the ERP: %s)", order_number, before_erp)
    return _outcome(record, already=False)


def order_cancel(*, scope: OrderScope, number: str, user: AbstractBaseUser | None) -> CancelOutcome:
    """Cancel the order ``number`` within ``scope`` while the ERP allows it, recording who and
    when.

    Idempotent: an order already cancelled answers ``already_cancelled``. A platform order
    still in the outbox is taken out of it (the ERP never hears of it). Raises
    ``ApplicationError`` with a message saying what to do instead: ``not_found`` (also for
    another company's or another store's order), ``not_cancellable`` (shipping or invoiced:
    ask for a return),
    ``in_transit`` (being passed to the ERP right now), ``erp_unavailable`` (nothing changed)."""
    company = scope.company
    ref = _ref_or_404(scope, number)
    existing = cancellation_for(scope=scope, number=ref.number)
    if existing is not None:
        return _outcome(existing, already=True)
    order = ref.order
    if order is not None and order.status == OrderStatus.REFUSED:
        raise ApplicationError(
            gettext("Order %(number)s was not accepted by our ERP, so there is nothing to cancel.")
            % {"number": order.number},
            code="not_cancellable",
        )
    if order is not None and order.status == OrderStatus.RECEIVED:
        outcome = _cancel_before_erp(company=company, ref=ref, user=user)
        if outcome is not None:
            return outcome
    return _cancel_in_erp(company=company, ref=ref, user=user)


def _cancel_before_erp(
    *, company: Company, ref: OrderRef, user: AbstractBaseUser | None
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


def _cancel_in_erp(
    *, company: Company, ref: OrderRef, user: AbstractBaseUser | None
) -> CancelOutcome:
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
        raise ApplicationError(gettext(ERP_AWAY_NOTHING_CHANGED), code="erp_unavailable") from error
    except ErpRejected as error:
        raise _not_cancellable(ref.number) from error
    return _record_cancellation(company=company, ref=ref, user=user, before_erp=False)


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


def _not_shipped(scope: OrderScope, number: str, erp_state: OrderState | None = None) -> str:
    """Nothing to return yet: say what the buyer can do instead — cancel only while the order
    can still be cancelled, else wait for the shipment. ``erp_state``: the sale's, as the ERP
    just answered (for a sale entered in the ERP, which the platform has no order of)."""
    if erp_state is not None and not scope.orders().filter(number=number).exists():
        cancellable = erp_state in CANCELLABLE_ERP_STATES
    else:
        cancellable = order_actions(scope=scope, number=number).cancel
    return not_shipped_text(number=number, cancellable=cancellable)


def not_shipped_text(*, number: str, cancellable: bool) -> str:
    """Why nothing of the order ``number`` can be returned yet, and what to do instead."""
    said = gettext(
        "Nothing of order %(number)s has been shipped yet, so nothing can be returned."
    ) % {"number": number}
    if cancellable:
        return said + " " + gettext("If you no longer need it, you can cancel it instead.")
    return (
        said
        + " "
        + gettext("Once something has shipped, you can request a return of what you don't need.")
    )


# ------------------------------------------------------------------ returns
@dataclass(frozen=True, slots=True)
class ReturnWanted:
    """A line the buyer wants to return: an SKU of the sale and a quantity in its unit."""

    sku: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class ReturnReasonGiven:
    code: str  # a ReturnReason value
    text: str = ""


@dataclass(frozen=True, slots=True)
class ReturnableRow:
    sku: str
    name: str
    unit: str
    ordered: Decimal
    shipped: Decimal
    requested: Decimal  # by returns in the ERP and by returns still on their way to it

    @property
    def returnable(self) -> Decimal:
        return max(self.shipped - self.requested, Decimal(0))


@dataclass(frozen=True, slots=True)
class ReturnForm:
    """What the return page shows for one ERP sale of the company."""

    ref: OrderRef
    sale_number: str
    state: OrderState
    rows: tuple[ReturnableRow, ...]

    @property
    def anything_shipped(self) -> bool:
        return any(row.shipped > 0 for row in self.rows)

    @property
    def anything_returnable(self) -> bool:
        return any(row.returnable > 0 for row in self.rows)


def _pending_quantities(company: Company, sale_number: str) -> dict[str, Decimal]:
    """What returns not yet filed in the ERP ask back, per SKU."""
    rows = (
        ReturnLine.objects.filter(
            return_request__company=company,
            return_request__order_number=sale_number,
            return_request__status=ReturnStatus.RECEIVED,
        )
        .values("sku")
        .annotate(total=Sum("quantity"))
    )
    return {row["sku"]: row["total"] for row in rows}


def _rows(
    returnables: OrderReturnables, pending: Mapping[str, Decimal]
) -> tuple[ReturnableRow, ...]:
    by_sku: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    names: dict[str, tuple[str, str]] = {}
    for line in returnables.lines:
        totals = by_sku[line.sku]
        totals[0] += line.ordered
        totals[1] += line.shipped
        totals[2] += line.requested
        names.setdefault(line.sku, (line.name, line.unit))
    return tuple(
        ReturnableRow(
            sku=sku,
            name=names[sku][0],
            unit=names[sku][1],
            ordered=ordered.normalize(),
            shipped=shipped.normalize(),
            requested=(requested + pending.get(sku, Decimal(0))).normalize(),
        )
        for sku, (ordered, shipped, requested) in by_sku.items()
    )


def return_form(*, scope: OrderScope, number: str) -> ReturnForm:
    """The sale ``number`` within ``scope`` line by line with what can still be returned (read
    from the ERP now). A platform order of several ERP sales answers ``several_sales``: its
    page lets the buyer pick one."""
    company = scope.company
    ref = _ref_or_404(scope, number)
    if ref.order is not None and ref.order.status == OrderStatus.CANCELLED:
        raise ApplicationError(
            gettext("Order %(number)s was cancelled, so there is nothing to return.")
            % {"number": ref.number},
            code="not_shipped",
        )
    if not ref.erp_numbers:
        raise ApplicationError(_not_shipped(scope, ref.number), code="not_shipped")
    if len(ref.erp_numbers) > 1:
        raise SeveralSales(ref)
    sale_number = ref.erp_numbers[0]
    try:
        returnables = get_gateway().order_returnables(customer=company.code, number=sale_number)
    except ErpNotFound as error:
        raise NotFound from error
    except ErpUnavailable as error:
        raise ApplicationError(gettext(ERP_AWAY_NOTHING_CHANGED), code="erp_unavailable") from error
    rows = _rows(returnables, _pending_quantities(company, sale_number))
    return ReturnForm(ref=ref, sale_number=sale_number, state=returnables.state, rows=rows)


class SeveralSales(ApplicationError):
    """The order went to the ERP as several sales (one per ship-to address): pick one."""

    def __init__(self, ref: OrderRef) -> None:
        super().__init__(
            f"Order {ref.number} was shipped as {len(ref.erp_numbers)} deliveries: choose the "
            "one you want to return lines of.",
            code="several_sales",
        )
        self.ref = ref


class ReturnInvalid(ApplicationError):
    """The request can't be taken as it is; ``errors`` maps an SKU (or "" for the whole
    request, "reason" for the reason) to what to fix."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(
            " ".join(errors.values()) or "Check the return and send it again.",
            code="return_invalid",
        )
        self.errors = dict(errors)


def _validate(
    scope: OrderScope, form: ReturnForm, lines: Sequence[ReturnWanted], reason: ReturnReasonGiven
) -> list[tuple[ReturnableRow, Decimal]]:
    errors: dict[str, str] = {}
    if reason.code not in ReturnReason.values:
        errors["reason"] = "Choose a reason for the return."
    elif reason.code == ReturnReason.OTHER and not reason.text.strip():
        errors["reason"] = "Tell us why you return these lines."
    if len(reason.text) > 1000:
        errors["reason"] = "Keep the description under 1,000 characters."
    elif "\x00" in reason.text:  # PostgreSQL can't store it; nobody types it
        errors["reason"] = "The description has invisible characters in it: type it again."
    if form.state not in RETURNABLE_ERP_STATES or not form.anything_shipped:
        errors[""] = _not_shipped(scope, form.ref.number, form.state)
        raise ReturnInvalid(errors)
    rows = {row.sku: row for row in form.rows}
    picked: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        row = rows.get(line.sku)
        if row is None:
            errors[line.sku] = f"{line.sku} is not on order {form.ref.number}."
        elif not line.quantity.is_finite() or line.quantity < 0:
            errors[line.sku] = f"{line.sku}: enter a quantity of 0 or more."
        elif line.quantity.normalize().as_tuple().exponent < -QUANTITY_DECIMALS:  # type: ignore[operator]
            # The column keeps 4 decimals: 1e-20 would be stored as 0 and refused by the ERP.
            errors[line.sku] = (
                f"{line.sku}: use at most 4 decimals in a quantity (the smallest is 0.0001)."
            )
        else:
            picked[line.sku] += line.quantity
    for sku, quantity in picked.items():
        row = rows[sku]
        if quantity > row.returnable:
            errors[sku] = (
                f"{sku}: you can return at most {row.returnable:f} {row.unit} "
                f"({row.shipped:f} shipped, {row.requested:f} already in returns)."
            )
    chosen = [(rows[sku], q) for sku, q in picked.items() if q > 0 and sku not in errors]
    if not chosen and not any(k not in ("reason", "") for k in errors):
        errors[""] = "Pick at least one line and the quantity to return."
    if errors:
        raise ReturnInvalid(errors)
    return chosen


def return_request(
    *,
    scope: OrderScope,
    number: str,
    lines: Sequence[ReturnWanted],
    reason: ReturnReasonGiven,
    user: AbstractBaseUser | None,
    store: StoreRecord | None = None,
    submit_token: str = "",
) -> ReturnRequest:
    """Request the return of shipped lines of the order ``number`` within ``scope``, once per
    ``submit_token`` (the same token again returns the return it made).

    Quantities are checked against what the ERP says was shipped, less what returns already
    ask back; the return, its lines and its outbox message are written in one transaction and
    a worker files it in the ERP (key: the return's number). Raises ``ReturnInvalid`` with a
    message per line, or ``ApplicationError`` (``not_found``, ``not_shipped``,
    ``several_sales``, ``erp_unavailable``); nothing is written then."""
    company = scope.company
    token = submit_token or secrets.token_urlsafe(24)
    if len(token) > 64:
        raise ApplicationError(
            gettext("This return form has expired: reload the page and send it.")
        )
    existing = scope.returns().filter(submit_token=token).first()
    if existing is not None:
        return existing
    form = return_form(scope=scope, number=number)
    chosen = _validate(scope, form, lines, reason)
    try:
        with transaction.atomic():
            request = ReturnRequest.objects.create(
                number=_new_number("RET"),
                store_id=store.id
                if store
                else (form.ref.order.store_id if form.ref.order else None),
                company=company,
                requested_by_id=user.pk if user is not None else None,
                submit_token=token,
                order=form.ref.order,
                order_number=form.sale_number,
                reason=reason.code,
                reason_text=reason.text.strip(),
            )
            ReturnLine.objects.bulk_create(
                ReturnLine(
                    return_request=request,
                    position=position,
                    sku=row.sku,
                    name=row.name,
                    unit=row.unit,
                    quantity=quantity,
                )
                for position, (row, quantity) in enumerate(chosen, start=1)
            )
            outbox.message_add(kind=FILE_RETURN, subject=request.id, key=request.number)
    except IntegrityError:
        existing = ReturnRequest.objects.filter(company=company, submit_token=token).first()
        if existing is None:
            raise
        return existing
    logger.info("return %s requested on %s", request.number, form.sale_number)
    return request


def return_file(message: Message) -> Outcome:
    """The outbox handler of ``return.file``: file the return in the ERP under its number. A
    refusal is recorded on the return; an ``ErpError`` other than a refusal goes back to the
    outbox, which tries again."""
    request = ReturnRequest.objects.select_related("company").get(id=int(message.subject))
    reason = ReturnReason(request.reason).label
    erp_request = ErpReturnRequest(
        customer=request.company.code,
        order_number=request.order_number,
        reason=f"{reason}: {request.reason_text}" if request.reason_text else str(reason),
        idempotency_key=request.number,
        lines=tuple(ErpReturnLine(line.sku, line.quantity) for line in request.lines.all()),
    )
    try:
        result = get_gateway().request_return(request=erp_request)
    except (ErpRejected, ErpNotFound) as refusal:
        with transaction.atomic():
            if ReturnRequest.objects.filter(id=request.id, status=ReturnStatus.RECEIVED).update(
                status=ReturnStatus.REFUSED, refusal_message=refusal.message
            ):
                webhook_events.return_event("return.decided", request)
        logger.warning("return %s refused by the ERP: %s", request.number, refusal.message)
        return Outcome(state=State.FAILED, note=refusal.message, value=request)
    get_gateway().invalidate_sales(customer=request.company.code)
    now = timezone.now()
    with transaction.atomic():
        ReturnRequest.objects.filter(id=request.id).update(
            status=ReturnStatus.FILED,
            erp_number=result.number,
            erp_state=result.state,
            erp_state_at=now,
            filed_at=now,
        )
        webhook_events.return_event("return.filed", request)
    logger.info("return %s filed in the ERP as complaint %s", request.number, result.number)
    return Outcome(value=request)


# ------------------------------------------------------------------ reads
def return_list(*, scope: OrderScope) -> QuerySet[ReturnRequest]:
    return scope.returns().prefetch_related("lines")


def return_for_company(*, scope: OrderScope, number: str) -> ReturnRequest | None:
    if not number or len(number) > MAX_NUMBER:
        return None
    return return_list(scope=scope).filter(number=number).first()


def return_for_token(*, scope: OrderScope, token: str) -> ReturnRequest | None:
    """The return a form with this submit token already made (a double click, a retry)."""
    if not token or len(token) > 64:
        return None
    return scope.returns().filter(submit_token=token).first()


def returns_refresh(*, returns: Sequence[ReturnRequest]) -> bool:
    """Bring the ERP state of filed returns up to date (one ERP request for all of them).
    False when the ERP can't be reached: the states shown are the last ones seen."""
    filed = [r for r in returns if r.status == ReturnStatus.FILED]
    if not filed:
        return True
    try:
        statuses = get_gateway().return_statuses(keys=[r.number for r in filed])
    except ErpError:
        return False
    now = timezone.now()
    by_key = {s.idempotency_key: s for s in statuses}
    for item in filed:
        status = by_key.get(item.number)
        if status is None:
            continue
        decided = status.state in webhook_events.DECIDED and item.erp_state != status.state
        with transaction.atomic():
            ReturnRequest.objects.filter(id=item.id).update(
                erp_state=status.state, erp_number=status.number, erp_state_at=now
            )
            if decided:
                webhook_events.return_event("return.decided", item)
        item.erp_state, item.erp_number, item.erp_state_at = status.state, status.number, now
    return True


class Stage(StrEnum):
    """Where an order stands, as one state machine for the buyer's and the agent's pages:
    received → confirmed (cancellable until the ERP processes it) → processing → shipped →
    completed; or refused, or cancelled. Every stage says what can be done next."""

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
                # In the zone active for the request: the store's.
                until = dateformat.format(timezone.localtime(self.cancel_until), "j M Y, H:i T")
                return f"You can still cancel it until our ERP starts processing it ({until})."
            return "You can still cancel it until our ERP starts processing it."
        return STAGE_NEXT.get(self.stage, "") if self.stage else ""


STAGE_SUMMARY = {
    Stage.RECEIVED: "Received — being passed to our ERP.",
    Stage.REFUSED: "Our ERP did not accept this order.",
    Stage.CONFIRMED: "Confirmed by our ERP, not processed yet.",
    Stage.PROCESSING: "Being processed: prepared for shipping and invoicing.",
    Stage.SHIPPED: "Shipped (in whole or in part).",
    Stage.COMPLETED: "Completed.",
    Stage.CANCELLED: "Cancelled.",
}
STAGE_NEXT = {
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
    *, scope: OrderScope, number: str, status: object | None = None, ask_erp: bool = False
) -> OrderActions:
    """The stage of the order ``number`` within ``scope`` and the actions it allows, from what
    the platform knows (its mirror of the ERP's sales, refreshed by the page that asks):
    ``status`` may be an ``OrderStatus`` of the ERP sale when the caller has one fresh. Asks
    the ERP at most for its grace period (cached), and with ``ask_erp`` for the state of a
    sale entered in the ERP that is not mirrored yet."""
    cancelled = cancellation_for(scope=scope, number=number)
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
