"""Reads of a company's orders for its "My orders" pages: the ERP sales mirrored for it (web
orders and those entered straight into the ERP) and its web orders the ERP has not confirmed
yet, as one list; and one order with its lines, shipments, invoices and timeline.

Always scoped to the caller's company and store: a web order shows in the store it was placed
in, a sale entered in the ERP in every store of its company; another company's order, by either
kind of number, is never found. The list is one query for the page and one for the count,
however many orders there are."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from storefleet.accounts.models import Company
from storefleet.erp.types import (
    ISSUED_INVOICE_STATES,
    SHIPPED_STATES,
    InvoiceState,
    OrderState,
    SaleInvoiceDetail,
    SaleLineDetail,
    ShipmentDetail,
    ShipmentState,
)

from .actions import SaleStatus, Stage, stage_of
from .models import Order, OrderProgress, SaleRecord
from .sales_mirror import parts_from_json
from .scope import OrderScope

PER_PAGE = 25
LABELS = dict(OrderProgress.choices)
# The stage of an order (``actions.Stage``, the state machine its page uses) in a list's words.
STAGE_LABELS = {
    Stage.AWAITING_APPROVAL: _("Waiting for approval"),
    Stage.NOT_APPROVED: _("Not approved"),
    Stage.RECEIVED: _("Received — awaiting confirmation"),
    Stage.REFUSED: _("Refused"),
    Stage.CONFIRMED: _("Confirmed"),
    Stage.PROCESSING: _("Processing"),
    Stage.SHIPPED: _("Shipped"),
    Stage.COMPLETED: _("Completed"),
    Stage.CANCELLED: _("Cancelled"),
}
# The order page's stage sentences (``actions.STAGE_SUMMARY`` and ``STAGE_NEXT``), named here
# for the translation catalogue: the pages translate them when drawn (``{% translate %}``), and
# tests/ordering/test_order_list_stage.py fails when one of them has no German.
STAGE_SENTENCES = (
    gettext_noop("Waiting for approval in your company — not sent to our ERP yet."),
    gettext_noop("Not approved in your company: it was not sent to our ERP."),
    gettext_noop("An approver of your company approves or rejects it."),
    gettext_noop("Received — being passed to our ERP."),
    gettext_noop("Our ERP did not accept this order."),
    gettext_noop("Confirmed by our ERP, not processed yet."),
    gettext_noop("Being processed: prepared for shipping and invoicing."),
    gettext_noop("Shipped (in whole or in part)."),
    gettext_noop("Completed."),
    gettext_noop("Cancelled."),
    gettext_noop("You can cancel it until our ERP has taken it up."),
    gettext_noop("Nothing to cancel or return: put its lines in your cart again to adjust them."),
    gettext_noop(
        "It can no longer be cancelled online. Once something has shipped you can request a "
        "return of what you don't need."
    ),
    gettext_noop("You can request a return of what you don't need."),
    gettext_noop("Nothing more to do."),
    gettext_noop("You can still cancel it until our ERP starts processing it."),
)
# The ERP's states in the buyer's words.
SHIPMENT_STATES = {
    "draft": _("being prepared"),
    # Tryton's "waiting" is a shipment whose stock is not reserved yet, in stock or not: to
    # the buyer it is scheduled (for its planned date), not "waiting for stock".
    "waiting": _("scheduled"),
    "assigned": _("ready to pick"),
    "picked": _("picked"),
    "packed": _("packed"),
    "done": _("sent"),
    "cancelled": _("cancelled"),
}
INVOICE_STATES: dict[str, Any] = {
    InvoiceState.DRAFT: _("being prepared"),
    InvoiceState.VALIDATED: _("being prepared"),
    InvoiceState.POSTED: _("open"),
    InvoiceState.PAID: _("paid"),
    InvoiceState.CANCELLED: _("cancelled"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class OrderFilters:
    progress: str = ""
    placed_from: datetime.date | None = None
    placed_to: datetime.date | None = None
    po_number: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of the list: an ERP sale (``kind`` "sale") or a web order not in the ERP yet
    (``kind`` "order"). ``number`` is what the order's page is found by."""

    kind: str
    number: str
    web_number: str  # the web order a sale came from, else ""
    placed_at: datetime.datetime
    po_number: str
    progress: str
    total: Decimal | None
    currency: str
    line_count: int
    note: str  # why the ERP refused a web order
    state: str = ""  # an ERP sale's state and shipment state ("" for a web order)
    shipment_state: str = ""
    # Where the order stands, as its page says it (``order_rows`` sets it).
    stage: Stage | None = None

    @property
    def progress_label(self) -> str:
        """The stage when known (what the order's page says), else the mirrored progress."""
        if self.stage is None:
            return str(LABELS.get(self.progress, self.progress))
        if self.stage is Stage.SHIPPED and self.progress == OrderProgress.PARTIALLY_SHIPPED:
            return str(LABELS[OrderProgress.PARTIALLY_SHIPPED])
        return str(STAGE_LABELS[self.stage])


COLUMNS = (
    "r_kind",
    "r_number",
    "r_web_number",
    "r_placed_at",
    "r_po_number",
    "r_progress",
    "r_total",
    "r_currency",
    "r_line_count",
    "r_note",
    "r_state",
    "r_shipment_state",
)


def visible_sales(*, company: Company, store_id: int) -> QuerySet[SaleRecord]:
    """The company's mirrored sales a buyer may see in this store (never ERP drafts)."""
    return OrderScope.store(company=company, store_id=store_id).sales()


def company_orders(
    *, company: Company, store_id: int, filters: OrderFilters | None = None
) -> QuerySet[Any]:
    """Rows (dicts of ``COLUMNS``) of the company's orders in this store, newest first; turn
    each into an :class:`OrderRow` with :func:`order_row`. Paginate the queryset: the page and
    the count are one query each."""
    filters = filters or OrderFilters()
    text: CharField[str, str] = CharField()
    sales = visible_sales(company=company, store_id=store_id).annotate(
        r_kind=Value("sale", output_field=text),
        r_number=F("number"),
        r_web_number=Coalesce(F("order__number"), Value("", output_field=text)),
        r_placed_at=F("placed_at"),
        r_po_number=F("po_number"),
        r_progress=F("progress"),
        r_total=F("total"),
        r_currency=F("currency"),
        r_line_count=F("line_count"),
        r_note=Value("", output_field=text),
        r_state=F("state"),
        r_shipment_state=F("shipment_state"),
    )
    # A web order stays in the list as itself until its ERP sale is mirrored.
    orders = (
        OrderScope.store(company=company, store_id=store_id)
        .orders()
        .filter(~Exists(SaleRecord.objects.filter(order=OuterRef("pk"))))
        .annotate(
            r_kind=Value("order", output_field=text),
            r_number=F("number"),
            r_web_number=Value("", output_field=text),
            r_placed_at=F("created_at"),
            r_po_number=F("po_number"),
            r_progress=F("status"),
            r_total=F("total"),
            r_currency=F("currency"),
            r_line_count=Count("lines"),
            r_note=F("refusal_message"),
            r_state=Value("", output_field=text),
            r_shipment_state=Value("", output_field=text),
        )
    )
    if filters.progress:
        sales = sales.filter(progress=filters.progress)
        orders = orders.filter(status=filters.progress)
    if filters.placed_from:
        sales = sales.filter(placed_at__date__gte=filters.placed_from)
        orders = orders.filter(created_at__date__gte=filters.placed_from)
    if filters.placed_to:
        sales = sales.filter(placed_at__date__lte=filters.placed_to)
        orders = orders.filter(created_at__date__lte=filters.placed_to)
    if filters.po_number:
        sales = sales.filter(po_number__icontains=filters.po_number)
        orders = orders.filter(po_number__icontains=filters.po_number)
    return (
        sales.order_by()
        .values(*COLUMNS)
        .union(orders.order_by().values(*COLUMNS), all=True)
        .order_by("-r_placed_at", "-r_number")
    )


def order_row(row: dict[str, Any]) -> OrderRow:
    placed = row["r_placed_at"]
    if isinstance(placed, str):  # SQLite hands a UNION's datetimes back as text
        placed = datetime.datetime.fromisoformat(placed)
    if placed.tzinfo is None:
        placed = placed.replace(tzinfo=datetime.UTC)
    total = row["r_total"]
    return OrderRow(
        kind=row["r_kind"],
        number=row["r_number"],
        web_number=row["r_web_number"] or "",
        placed_at=placed,
        po_number=row["r_po_number"] or "",
        progress=row["r_progress"],
        total=Decimal(str(total)) if total is not None else None,
        currency=row["r_currency"],
        line_count=int(row["r_line_count"] or 0),
        note=row["r_note"] or "",
        state=row.get("r_state") or "",
        shipment_state=row.get("r_shipment_state") or "",
    )


def order_rows(rows: Any, *, company: Company, store_id: int) -> list[OrderRow]:
    """``rows`` (a page of :func:`company_orders`) as :class:`OrderRow` with their stage,
    decided as the order's page decides it (``actions.order_actions``): from the cancellation
    record, the web order's status and every one of its ERP sales, or the ERP sale's own
    states. A few queries for the page, whatever its length; the ERP is not asked."""
    found = [order_row(row) for row in rows]
    scope = OrderScope.store(company=company, store_id=store_id)
    web_numbers = {r.number for r in found if r.kind == "order"}
    web_numbers |= {r.web_number for r in found if r.web_number}
    erp_numbers = {r.number for r in found if r.kind == "sale"}
    # Found as ``cancel.cancellation_for`` finds them: by the number, an ERP sale's or the
    # web order's.
    cancelled: set[str] = set()
    for number, order_number, erp_number in (
        scope.cancellations()
        .filter(
            Q(number__in=web_numbers | erp_numbers)
            | Q(order__number__in=web_numbers)
            | Q(order__sales__erp_number__in=erp_numbers)
        )
        .values_list("number", "order__number", "order__sales__erp_number")
    ):
        cancelled |= {n for n in (number, order_number, erp_number) if n}
    orders = {
        o.number: o for o in scope.orders().filter(number__in=web_numbers).prefetch_related("sales")
    }
    mirrored = {
        (order_id, number): (state, shipped)
        for order_id, number, state, shipped in SaleRecord.objects.filter(
            order__in=list(orders.values())
        ).values_list("order_id", "number", "state", "shipment_state")
    }
    web_stages: dict[str, Stage] = {}
    for number, order in orders.items():
        if number in cancelled:
            web_stages[number] = Stage.CANCELLED
            continue
        sales = [
            mirrored.get((order.id, s.erp_number)) or (s.erp_state, "")
            for s in order.sales.all()
            if s.erp_number and ((order.id, s.erp_number) in mirrored or s.erp_state)
        ]
        web_stages[number] = stage_of(order_status=order.status, sales=sales)
    return [dataclasses.replace(row, stage=_row_stage(row, web_stages, cancelled)) for row in found]


def _row_stage(row: OrderRow, web_stages: dict[str, Stage], cancelled: set[str]) -> Stage:
    web = row.number if row.kind == "order" else row.web_number
    if web:
        return web_stages.get(web, Stage.CANCELLED if web in cancelled else Stage.RECEIVED)
    if row.number in cancelled:
        return Stage.CANCELLED
    try:  # a sale entered in the ERP: its own states, as ``actions.erp_status_of`` reads them
        status = SaleStatus(OrderState(row.state), ShipmentState(row.shipment_state))
    except ValueError:
        return Stage.PROCESSING  # a state this platform does not know: its page offers nothing
    return stage_of(order_status=None, sales=[(str(status.state), status.shipment_state.value)])


# ------------------------------------------------------------------ one order
def company_sale(*, company: Company, store_id: int, number: str) -> SaleRecord | None:
    if not number:
        return None
    return (
        visible_sales(company=company, store_id=store_id)
        .filter(number=number)
        .select_related("order")
        .first()
    )


def order_sales(*, company: Company, order: Order) -> list[SaleRecord]:
    return list(SaleRecord.objects.filter(company=company, order=order).order_by("erp_id"))


@dataclasses.dataclass(frozen=True, slots=True)
class TimelineEvent:
    date: datetime.date | None
    label: str
    done: bool


@dataclasses.dataclass(frozen=True, slots=True)
class ShipmentView:
    shipment: ShipmentDetail
    position: int
    of: int
    partial: bool  # carries less than the whole order (a split or partial delivery)

    @property
    def sent(self) -> bool:
        return self.shipment.state == "done"

    @property
    def state_label(self) -> str:
        return str(SHIPMENT_STATES.get(self.shipment.state, self.shipment.state))


@dataclasses.dataclass(frozen=True, slots=True)
class InvoiceView:
    invoice: SaleInvoiceDetail

    @property
    def issued(self) -> bool:
        """Posted or paid: it has its number, a document and an amount to pay."""
        return bool(self.invoice.number) and self.invoice.state in ISSUED_INVOICE_STATES

    @property
    def state_label(self) -> str:
        return str(INVOICE_STATES.get(self.invoice.state, self.invoice.state))


@dataclasses.dataclass(frozen=True, slots=True)
class SaleView:
    """One ERP sale as its page shows it."""

    record: SaleRecord
    lines: tuple[SaleLineDetail, ...]
    shipments: tuple[ShipmentView, ...]
    invoices: tuple[InvoiceView, ...]
    timeline: tuple[TimelineEvent, ...]

    @property
    def progress_label(self) -> str:
        return str(LABELS.get(self.record.progress, self.record.progress))

    @property
    def split(self) -> bool:
        return len(self.shipments) > 1

    @property
    def partially_shipped(self) -> bool:
        return self.record.shipment_state == ShipmentState.PARTIALLY_SHIPPED

    @property
    def has_shipped(self) -> bool:
        """Something of the sale has left the warehouse (a return can be asked for)."""
        return self.record.shipment_state in SHIPPED_STATES


def sale_view(
    record: SaleRecord,
    *,
    placed_at: datetime.datetime | None = None,
    confirmed_at: datetime.datetime | None = None,
) -> SaleView:
    """``placed_at`` and ``confirmed_at``: the web order's own moments, when it is one."""
    parts = parts_from_json(record.detail)
    ordered = {line.erp_id: line.quantity.value for line in parts.lines}
    count = len(parts.shipments)
    shipments = tuple(
        ShipmentView(
            shipment=s,
            position=n,
            of=count,
            partial=count > 1
            or any(
                carried.quantity.value < ordered.get(carried.line_erp_id, Decimal(0))
                for carried in s.lines
            )
            or {c.line_erp_id for c in s.lines} != set(ordered),
        )
        for n, s in enumerate(parts.shipments, start=1)
    )
    return SaleView(
        record=record,
        lines=parts.lines,
        shipments=shipments,
        invoices=tuple(InvoiceView(i) for i in parts.invoices),
        timeline=_timeline(record, parts.shipments, parts.invoices, placed_at, confirmed_at),
    )


def _timeline(
    record: SaleRecord,
    shipments: tuple[ShipmentDetail, ...],
    invoices: tuple[SaleInvoiceDetail, ...],
    placed_at: datetime.datetime | None,
    confirmed_at: datetime.datetime | None,
) -> tuple[TimelineEvent, ...]:
    placed = timezone.localdate(placed_at or record.placed_at)
    events = [TimelineEvent(placed, gettext("Placed"), True)]
    if record.state == "cancelled":
        return (*events, TimelineEvent(None, gettext("Cancelled"), True))
    confirmed = record.state in ("confirmed", "processing", "done")
    events.append(
        TimelineEvent(record.sale_date if confirmed else None, gettext("Confirmed"), confirmed)
    )
    for n, s in enumerate(shipments, start=1):
        name = gettext("Shipment %(number)s") % {"number": s.number}
        if len(shipments) > 1:
            name = gettext("Shipment %(number)s (%(n)d of %(of)d)") % {
                "number": s.number,
                "n": n,
                "of": len(shipments),
            }
        if s.state == "done":
            events.append(
                TimelineEvent(
                    s.effective_date, gettext("%(shipment)s sent") % {"shipment": name}, True
                )
            )
        elif s.state != "cancelled":
            events.append(
                TimelineEvent(
                    s.planned_date, gettext("%(shipment)s planned") % {"shipment": name}, False
                )
            )
    for i in invoices:
        if i.number and i.state in ISSUED_INVOICE_STATES:
            label = gettext("Invoice %(number)s issued") % {"number": i.number}
            events.append(TimelineEvent(i.invoice_date, label, True))
    paid = [i for i in invoices if i.state == InvoiceState.PAID]
    settled = (InvoiceState.PAID, InvoiceState.CANCELLED)
    if paid and all(i.state in settled for i in invoices):
        dates = [i.paid_date for i in paid if i.paid_date]
        events.append(TimelineEvent(max(dates) if dates else None, gettext("Paid"), True))
    return tuple(events)
