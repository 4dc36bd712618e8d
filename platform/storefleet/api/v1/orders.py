"""Order validation (the cart's ERP check, nothing written), order placement and cancellation
(the checkout's and "My orders"' services, once per ``Idempotency-Key``), and the company's
orders with shipments and tracking, through ``ordering.checks``, ``OrderScope`` and
``order_history`` — what the cart, checkout and "My orders" pages read."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Status

from storefleet.accounts.principal import Principal
from storefleet.catalog.selectors import product_list, store_assortment
from storefleet.erp.errors import ErpUnavailable
from storefleet.money import Money
from storefleet.ordering import order_history
from storefleet.ordering.checks import Wanted, check_lines
from storefleet.ordering.models import SaleRecord
from storefleet.ordering.order_history import sale_view
from storefleet.ordering.order_page import order_page, order_page_refresh

from ..auth import Caller, KeyAuth
from ..idempotency import HEADER, HEADER_DESCRIPTION, run_once
from ..models import Scope
from ..pagination import cursor_decode, cursor_encode
from ..problems import ApiProblem
from ..schemas import (
    ERRORS,
    WRITE_ERRORS,
    CancelOut,
    Moment,
    OrderOut,
    OrderPage,
    PlacedOrderOut,
    PlaceIn,
    ValidateIn,
    ValidationOut,
)
from . import writing

# Documented (and read) as a header; its absence is the problem idempotency-key-required.
IDEMPOTENCY_KEY = Header(default=None, alias=HEADER, description=HEADER_DESCRIPTION)
router = Router(tags=["orders"])
MAX_NUMBER = 64


def _money(value: Money | None) -> dict[str, Any] | None:
    return None if value is None else {"amount": value.amount, "currency": value.currency}


@router.post(
    "/validate",
    response={200: ValidationOut, **ERRORS},
    auth=KeyAuth(Scope.CATALOG_READ),
    summary="The ERP's verdict on order lines (no order is made)",
)
def validate(request: HttpRequest, body: ValidateIn) -> dict[str, Any]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    store = caller.store
    skus = {line.sku for line in body.lines}
    products = {
        p.sku: p
        for p in product_list(assortment=store_assortment(store=store)).filter(sku__in=skus)
    }
    unknown = sorted(skus - products.keys())
    if unknown:
        raise ApiProblem(
            "unknown-skus",
            "This store does not sell these SKUs: remove them, or check their spelling.",
            skus=unknown[:50],
        )
    check = check_lines(
        store=store,
        company=caller.company,
        wanted=[Wanted(products[line.sku], line.quantity) for line in body.lines],
        accept_backorder=body.accept_backorder,
    )
    if check.degraded:
        # The storefront falls back to the mirrored rules; a system needs the ERP's word.
        raise ErpUnavailable("order validation")
    credit = check.credit
    return dict(
        ok=check.ok,
        lines=[
            dict(
                sku=line.product.sku,
                quantity=line.quantity,
                ok=line.ok,
                orderable=line.orderable,
                reasons=[str(reason) for reason in line.reasons],
                messages=list(line.messages),
                unit_price=_money(line.unit_price),
                amount=line.amount,
                suggested_quantity=line.suggested_quantity,
                available_quantity=line.available_quantity,
                available_from=line.available_from,
            )
            for line in check.lines
        ],
        total=check.total,
        currency=store.currency,
        credit=(
            dict(
                ok=credit.ok,
                limit=_money(credit.limit),
                used=_money(credit.used),
                order_total=_money(credit.order_total),
                message=check.credit_message,
            )
            if credit is not None
            else None
        ),
        problems=list(check.problems),
        backorder_possible=check.backorder_possible,
    )


@router.post(
    "",
    response={201: PlacedOrderOut, 200: PlacedOrderOut, **WRITE_ERRORS},
    auth=KeyAuth(Scope.ORDERS_WRITE),
    summary="Place an order (once per Idempotency-Key)",
)
def order_place(
    request: HttpRequest, body: PlaceIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> Status[dict[str, Any]]:
    """Place the lines as the store's checkout places a cart: the ERP's verdict first (a line
    it would refuse: ``not-orderable``, nothing placed), at the ERP's prices of now (a line
    whose ``expected_unit_price`` is not the ERP's: ``prices-moved``), then into the ERP
    through the outbox — the order answers ``received`` and becomes ``confirmed`` (or
    ``refused``) once the ERP has it (see ``GET /orders/{number}``). Send an
    ``Idempotency-Key``: the same key and body again answer the same order (200), the key
    with another body ``idempotency-key-reused``."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return run_once(
        idempotency_key,
        caller=caller,
        operation="order.place",
        payload=body.model_dump(mode="json"),
        run=lambda key: writing.order_place(caller, body, key),
        replay_status={201: 200},
    )


@router.post(
    "/{number}/cancel",
    response={200: CancelOut, **WRITE_ERRORS},
    auth=KeyAuth(Scope.ORDERS_WRITE),
    summary="Cancel an order while the ERP allows it (once per Idempotency-Key)",
)
def order_cancel(
    request: HttpRequest, number: str, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> Status[dict[str, Any]]:
    """Cancel a web order or ERP sale of the company as "My orders" does: taken out of the
    outbox before the ERP has it, else cancelled in the ERP; an order shipping or invoiced is
    ``not-cancellable`` (file a return instead). Cancelling twice answers
    ``already_cancelled``."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    number = number[:MAX_NUMBER]
    if not number.isprintable():
        raise ApiProblem("not-found", "This company has no such order in this store.")
    return run_once(
        idempotency_key,
        caller=caller,
        operation="order.cancel",
        payload={"number": number},
        run=lambda key: writing.order_cancel(caller, number),
    )


def _after(field: str, this_kind: str, moment: datetime.datetime, kind: str, ident: int) -> Q:
    """Rows of ``this_kind`` that come after the cursor's (moment, kind, id)."""
    later = Q(**{f"{field}__gt": moment})
    if this_kind > kind:
        return later | Q(**{field: moment})
    if this_kind == kind:
        return later | Q(**{field: moment, "id__gt": ident})
    return later


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value


@router.get(
    "",
    response={200: OrderPage, **ERRORS},
    auth=KeyAuth(Scope.ORDERS_READ),
    summary="The company's orders in this store, oldest change first",
)
def order_list(
    request: HttpRequest,
    updated_since: Moment | None = None,
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=50, ge=1, le=200),
) -> dict[str, Any]:
    """ERP sales (web orders and those entered in the ERP) and web orders the ERP has not taken
    yet — the rows of "My orders" — ordered by when they last changed, so a client that passes
    the last ``updated_at`` it saw as ``updated_since`` misses nothing."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    scope = caller.scope
    after = cursor_decode("orders", cursor)
    sales = scope.sales().select_related("order")
    orders = (
        scope.orders()
        .filter(~Exists(SaleRecord.objects.filter(order=OuterRef("pk"))))
        .annotate(line_total=Count("lines"))
    )
    if updated_since is not None:
        since = _aware(updated_since)
        sales = sales.filter(erp_write_date__gte=since)
        orders = orders.filter(updated_at__gte=since)
    if after is not None:
        try:
            moment = _aware(datetime.datetime.fromisoformat(str(after[0])))
            kind, ident = str(after[1]), int(after[2])
        except (TypeError, ValueError, IndexError, KeyError):
            raise ApiProblem(
                "invalid-request", "The cursor is not one this list gave: start again without it."
            ) from None
        # Rows after (moment, kind, id) in (changed, kind, id) order; "order" < "sale".
        sales = sales.filter(_after("erp_write_date", "sale", moment, kind, ident))
        orders = orders.filter(_after("updated_at", "order", moment, kind, ident))
    rows: list[tuple[tuple[datetime.datetime, str, int], dict[str, Any]]] = []
    for record in sales.order_by("erp_write_date", "id")[: limit + 1]:
        rows.append(
            (
                (record.erp_write_date, "sale", record.id),
                dict(
                    number=record.number,
                    kind="sale",
                    web_number=record.order.number if record.order else "",
                    placed_at=record.placed_at,
                    updated_at=record.erp_write_date,
                    po_number=record.po_number,
                    progress=record.progress,
                    total=record.total,
                    currency=record.currency,
                    line_count=record.line_count,
                ),
            )
        )
    for order in orders.order_by("updated_at", "id")[: limit + 1]:
        rows.append(
            (
                (order.updated_at, "order", order.id),
                dict(
                    number=order.number,
                    kind="order",
                    web_number="",
                    placed_at=order.created_at,
                    updated_at=order.updated_at,
                    po_number=order.po_number,
                    progress=order.status,
                    total=order.total,
                    currency=order.currency,
                    line_count=order.line_total,
                ),
            )
        )
    rows.sort(key=lambda row: row[0])
    more = len(rows) > limit
    rows = rows[:limit]
    return dict(
        items=[row for _, row in rows],
        next_cursor=(
            cursor_encode("orders", [rows[-1][0][0].isoformat(), *rows[-1][0][1:]])
            if more
            else None
        ),
    )


def _sale(view: order_history.SaleView) -> dict[str, Any]:
    record = view.record
    return dict(
        number=record.number,
        state=record.state,
        progress=record.progress,
        total=record.total,
        currency=record.currency,
        lines=[
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity.value,
                "unit": line.quantity.unit,
                "unit_price": _money(line.unit_price),
                "amount": _money(line.amount),
                "shipped": line.shipped,
            }
            for line in view.lines
        ],
        shipments=[
            {
                "number": s.shipment.number,
                "state": s.shipment.state,
                "state_label": s.state_label,
                "planned_date": s.shipment.planned_date,
                "effective_date": s.shipment.effective_date,
                "carrier": s.shipment.carrier,
                "tracking_reference": s.shipment.tracking_reference,
                "lines": [
                    {"sku": c.sku, "quantity": c.quantity.value, "unit": c.quantity.unit}
                    for c in s.shipment.lines
                ],
            }
            for s in view.shipments
        ],
        invoices=[
            {
                "number": i.invoice.number,
                "state": i.invoice.state,
                "invoice_date": i.invoice.invoice_date,
                "total": _money(i.invoice.total),
                "amount_to_pay": _money(i.invoice.amount_to_pay),
                "due_date": i.invoice.due_date,
            }
            for i in view.invoices
        ],
    )


@router.get(
    "/{number}",
    response={200: OrderOut, **ERRORS},
    auth=KeyAuth(Scope.ORDERS_READ),
    summary="One order with its ERP sales, shipments, tracking and invoices",
)
def order_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    """A web order by its number, or an ERP sale by the ERP's number; refreshed from the ERP as
    its page is (the gateway's short cache), with the page's rules (``order_page``: stage, can
    cancel, can return, and why not). Another company's or store's is not found."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    principal = Principal.for_key(caller)
    number = number[:MAX_NUMBER]
    fresh = order_page_refresh(principal=principal, number=number)
    page = order_page(principal=principal, number=number, fresh=fresh)
    if page is None:
        raise ApiProblem("not-found", "This company has no such order in this store.")
    rules = dict(
        stage=str(page.stage or ""),
        can_cancel=page.can_cancel,
        can_return=page.can_return,
        why_not_cancel=page.why_not_cancel,
        why_not_return=page.why_not_return,
    )
    order = page.order
    if order is not None and not page.moved:
        sales = page.sales
        return dict(
            number=order.number,
            kind="order",
            placed_at=order.created_at,
            po_number=order.po_number,
            progress=sales[0].record.progress if len(sales) == 1 else order.status,
            total=order.total,
            currency=order.currency,
            lines=[
                {
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "unit_price": line.unit_price,
                }
                for line in order.lines.all()
            ],
            sales=[_sale(view) for view in sales],
            fresh=page.fresh,
            **rules,
        )
    # A sale (entered in the ERP, or one of a web order's sales asked by its ERP number).
    record = page.sale
    assert record is not None
    view = next((v for v in page.sales if v.record.pk == record.pk), None) or sale_view(record)
    return dict(
        number=record.number,
        kind="sale",
        placed_at=record.placed_at,
        po_number=record.po_number,
        progress=record.progress,
        total=record.total,
        currency=record.currency,
        lines=[
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity.value,
                "unit": line.quantity.unit,
                "unit_price": line.unit_price.amount if line.unit_price else None,
            }
            for line in view.lines
        ],
        sales=[_sale(view)],
        fresh=page.fresh,
        **rules,
    )
