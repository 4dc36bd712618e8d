"""Ordering's webhook events: the order's payload (the API's order detail shape, read from
what this database holds — no ERP call inside the transaction that emits it) handed to
``storefleet.webhooks.services.emit``. Called by ordering's services inside their transactions;
the webhooks app never imports ordering."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from storefleet.webhooks import selectors as webhook_selectors
from storefleet.webhooks import services as webhooks

from .models import Order, OrderProgress, ReturnRequest, SaleRecord

SHIPPED = {OrderProgress.PARTIALLY_SHIPPED, OrderProgress.SHIPPED, OrderProgress.COMPLETED}
# The ERP's complaint states in which a return has been decided.
DECIDED = {"approved", "rejected", "done"}
NOT_INVOICED = {None, "", "none"}


def order_payload(order: Order, **extra: Any) -> dict[str, Any]:
    return {
        "number": order.number,
        "kind": "order",
        "placed_at": order.created_at,
        "po_number": order.po_number,
        "status": order.status,
        "total": order.total,
        "currency": order.currency,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
            }
            for line in order.lines.all()
        ],
        "sales": [
            {"key": s.key, "number": s.erp_number, "state": s.erp_state} for s in order.sales.all()
        ],
        **extra,
    }


def order_event(event: str, order: Order, **extra: Any) -> None:
    """Emit ``event`` about ``order`` (inside the caller's transaction); the payload is read
    only when someone subscribed to it."""
    webhooks.emit(
        event=event,
        company=order.company,
        store_id=order.store_id,
        subject=f"order:{order.number}",
        payload=lambda: order_payload(Order.objects.get(id=order.id), **extra),
    )


def sale_events(*, before: Mapping[int, Mapping[str, Any]], records: Iterable[SaleRecord]) -> None:
    """Shipped, invoiced and paid events of web orders whose mirrored ERP sale moved on
    (``before``: the rows' progress and invoice state by ERP id before the sync). No query
    unless a sale moved on and someone subscribed at all; then one per event."""
    due: list[tuple[str, int, dict[str, Any]]] = []
    for record in records:
        if record.order_id is None:
            continue
        old = before.get(record.erp_id, {})
        sale = {
            "number": record.number,
            "state": record.state,
            "progress": record.progress,
            "shipments": record.detail.get("shipments", []),
            "invoices": record.detail.get("invoices", []),
        }
        if record.progress in SHIPPED and old.get("progress") not in SHIPPED:
            due.append(("order.shipped", record.order_id, sale))
        if record.invoice_state not in ("", "none") and old.get("invoice_state") in NOT_INVOICED:
            due.append(("order.invoiced", record.order_id, sale))
        if record.invoice_state == "paid" and old.get("invoice_state") != "paid":
            due.append(("order.paid", record.order_id, sale))
    if not due or not webhook_selectors.anyone_subscribed():
        return
    orders = Order.objects.select_related("company").in_bulk({order_id for _e, order_id, _s in due})
    for event, order_id, sale in due:
        order_event(event, orders[order_id], sale=sale)


def return_event(event: str, request: ReturnRequest) -> None:
    """Emit ``event`` about the return ``request`` (of a store's buyer; none for a return made
    outside any store)."""
    request = ReturnRequest.objects.select_related("company", "store").get(id=request.id)
    if request.store is None:
        return
    webhooks.emit(
        event=event,
        company=request.company,
        store_id=request.store.id,
        store_slug=request.store.slug,
        subject=f"return:{request.number}",
        payload={
            "number": request.number,
            "order_number": request.order_number,
            "reason": request.reason,
            "status": request.status,
            "erp_number": request.erp_number,
            "erp_state": request.erp_state,
            "refusal_message": request.refusal_message,
            "lines": [{"sku": line.sku, "quantity": line.quantity} for line in request.lines.all()],
        },
    )
