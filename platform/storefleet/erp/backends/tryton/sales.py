"""Sales as the customer follows them: lines, shipments (what each carries), invoices.

Everything about a batch of sales comes back in one ``search_read`` on ``sale.sale``: Tryton
reads related records through dotted field names (``lines.moves.shipment``,
``invoices.lines_to_pay.maturity_date``), so a batch costs one request however many sales,
lines, shipments and invoices it holds (plus, once per backend, the shipment fields the ERP
has for tracking)."""

from __future__ import annotations

import datetime
import threading
from collections import defaultdict
from decimal import Decimal
from typing import Any

from storefleet.erp.errors import ErpNotFound
from storefleet.erp.types import (
    OrderState,
    SaleBatch,
    SaleDetail,
    SaleInvoiceDetail,
    SaleLineDetail,
    ShipmentDetail,
    ShipmentLineDetail,
    SyncCursor,
)
from storefleet.money import Money, Quantity

from .accounts import KEY_PREFIX
from .client import TrytonClient
from .reads import EPOCH, _next_cursor, _to_erp, _written

SHIPMENT = "stock.shipment.out"
SALE_FIELDS = [
    "number",
    "state",
    "shipment_state",
    "invoice_state",
    "sale_date",
    "reference",
    "description",
    "total_amount",
    "currency.code",
    "party.code",
    "warehouse.code",
    "write_date",
    "create_date",
    "lines.type",
    "lines.write_date",
    "lines.sequence",
    "lines.product.code",
    "lines.product.name",
    "lines.description",
    "lines.quantity",
    "lines.unit.name",
    "lines.unit_price",
    "lines.amount",
    "lines.moves.quantity",
    "lines.moves.state",
    "lines.moves.shipment",
    "shipments.number",
    "shipments.state",
    "shipments.planned_date",
    "shipments.effective_date",
    "shipments.write_date",
    "invoices.number",
    "invoices.state",
    "invoices.invoice_date",
    "invoices.total_amount",
    "invoices.amount_to_pay",
    "invoices.reconciled",
    "invoices.write_date",
    "invoices.currency.code",
    "invoices.lines_to_pay.maturity_date",
    "invoices.lines_to_pay.reconciliation",
]
# Where an ERP keeps a parcel's tracking number, best first: ``shipping_reference`` comes with
# the package-shipping modules (UPS, DPD, …); ``reference`` is the shipment's own external
# reference, which warehouses without those modules fill in by hand.
TRACKING_FIELDS = ("shipping_reference", "reference")


class ShipmentFields:
    """Which tracking fields this ERP's shipments have: asked once, then remembered."""

    def __init__(self) -> None:
        self._known: tuple[str, ...] | None = None
        self._lock = threading.Lock()

    def read_fields(self, client: TrytonClient) -> list[str]:
        if self._known is None:
            with self._lock:
                if self._known is None:
                    present = client.model(SHIPMENT, "fields_get", [*TRACKING_FIELDS, "carrier"])
                    self._known = tuple(f for f in (*TRACKING_FIELDS, "carrier") if f in present)
        fields = [f"shipments.{name}" for name in self._known if name != "carrier"]
        if "carrier" in self._known:
            fields.append("shipments.carrier.rec_name")
        return fields


def _party_domain(customer_domain: list[Any]) -> list[Any]:
    """The customer domain (on ``party.party``) turned into one on the sale's ``party``."""
    out: list[Any] = []
    for item in customer_domain:
        if isinstance(item, str):
            out.append(item)  # "AND" / "OR"
        elif item and isinstance(item[0], str) and len(item) >= 3:
            out.append([f"party.{item[0]}", *item[1:]])
        else:
            out.append(_party_domain(list(item)))
    return out


def _changed_domain(cursor: SyncCursor) -> list[Any]:
    """Sales written after the cursor, or whose lines, shipments or invoices were: a line
    edited, a parcel packed or an invoice posted need not write the sale itself. Pages within a
    run go by id."""
    since = _to_erp(cursor.write_date or EPOCH)
    op = ">" if cursor.erp_id == 0 and cursor.write_date else ">="
    changed = [
        "OR",
        ["write_date", op, since],
        ["create_date", op, since],
        ["lines.write_date", op, since],
        ["shipments.write_date", op, since],
        ["invoices.write_date", op, since],
    ]
    return [changed, ["id", ">", cursor.erp_id]]


def sales_changed_since(
    client: TrytonClient,
    shipment_fields: ShipmentFields,
    cursor: SyncCursor,
    limit: int,
    customer_domain: list[Any],
) -> SaleBatch:
    rows = client.search_read(
        "sale.sale",
        [*_party_domain(customer_domain), *_changed_domain(cursor)],
        [*SALE_FIELDS, *shipment_fields.read_fields(client)],
        order=[["id", "ASC"]],
        limit=limit,
    )
    records = tuple(_sale(row) for row in rows)
    next_cursor, complete = _next_cursor(
        cursor, [r.erp_id for r in records], [r.erp_write_date for r in records], limit
    )
    return SaleBatch(records=records, next_cursor=next_cursor, complete=complete)


def sale(client: TrytonClient, shipment_fields: ShipmentFields, number: str) -> SaleDetail:
    rows = client.search_read(
        "sale.sale",
        [["number", "=", number]],
        [*SALE_FIELDS, *shipment_fields.read_fields(client)],
        limit=1,
    )
    if not rows:
        raise ErpNotFound("Order", number)
    return _sale(rows[0])


def _dec(value: object) -> Decimal:
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _shipment_id(reference: object) -> int | None:
    model, _, erp_id = str(reference or "").partition(",")
    return int(erp_id) if model == SHIPMENT and erp_id.isdigit() else None


def _sale(row: dict[str, Any]) -> SaleDetail:
    currency = (row.get("currency.") or {}).get("code", "")
    shipments_rows = sorted(row.get("shipments.") or [], key=lambda s: s["id"])
    shipment_ids = {s["id"] for s in shipments_rows}
    carried: dict[int, list[ShipmentLineDetail]] = defaultdict(list)
    lines = []
    for line in sorted(
        (ln for ln in row.get("lines.") or [] if ln.get("type", "line") == "line"),
        key=lambda ln: (ln.get("sequence") or 0, ln["id"]),
    ):
        unit = (line.get("unit.") or {}).get("name", "")
        sku = (line.get("product.") or {}).get("code") or ""
        per_shipment: dict[int, Decimal] = defaultdict(Decimal)
        shipped = Decimal(0)
        for move in line.get("moves.") or []:
            shipment = _shipment_id(move.get("shipment"))
            if shipment not in shipment_ids or move.get("state") == "cancelled":
                continue  # a return's move, or one cancelled and made again elsewhere
            assert shipment is not None
            per_shipment[shipment] += _dec(move.get("quantity"))
            if move.get("state") == "done":
                shipped += _dec(move.get("quantity"))
        for shipment, quantity in per_shipment.items():
            carried[shipment].append(
                ShipmentLineDetail(
                    line_erp_id=line["id"], sku=sku, quantity=Quantity(quantity, unit)
                )
            )
        unit_price = line.get("unit_price")
        lines.append(
            SaleLineDetail(
                erp_id=line["id"],
                sku=sku,
                name=line.get("description") or (line.get("product.") or {}).get("name") or "",
                quantity=Quantity(_dec(line.get("quantity")), unit),
                unit_price=Money(unit_price, currency) if unit_price is not None else None,
                amount=Money(_dec(line.get("amount")), currency),
                shipped=shipped,
            )
        )
    shipments = tuple(
        ShipmentDetail(
            erp_id=s["id"],
            number=s.get("number") or "",
            state=s.get("state") or "",
            planned_date=s.get("planned_date"),
            effective_date=s.get("effective_date"),
            tracking_reference=next(
                (str(s[f]) for f in TRACKING_FIELDS if s.get(f)),
                "",
            ),
            carrier=(s.get("carrier.") or {}).get("rec_name") or "",
            lines=tuple(carried.get(s["id"], ())),
        )
        for s in shipments_rows
    )
    invoices = tuple(_invoice(i) for i in sorted(row.get("invoices.") or [], key=lambda i: i["id"]))
    description = row.get("description") or ""
    written = max(
        [
            _written(row, "write_date", "create_date"),
            *(_written(line, "write_date") for line in row.get("lines.") or []),
            *(_written(s, "write_date") for s in shipments_rows),
            *(_written(i, "write_date") for i in row.get("invoices.") or []),
        ]
    )
    return SaleDetail(
        erp_id=row["id"],
        number=row.get("number") or "",
        customer=(row.get("party.") or {}).get("code") or "",
        po_number=row.get("reference") or "",
        sale_date=row.get("sale_date"),
        state=OrderState(row["state"]),
        shipment_state=row.get("shipment_state") or "none",
        invoice_state=row.get("invoice_state") or "none",
        total=Money(_dec(row.get("total_amount")), currency),
        warehouse=(row.get("warehouse.") or {}).get("code") or "",
        idempotency_key=(
            description[len(KEY_PREFIX) :] if description.startswith(KEY_PREFIX) else ""
        ),
        lines=tuple(lines),
        shipments=shipments,
        invoices=invoices,
        erp_created=_written(row, "create_date"),
        erp_write_date=written,
    )


def _invoice(row: dict[str, Any]) -> SaleInvoiceDetail:
    currency = (row.get("currency.") or {}).get("code", "")
    due_dates = [
        line["maturity_date"]
        for line in row.get("lines_to_pay.") or []
        if line.get("maturity_date") and not line.get("reconciliation")
    ]
    paid = row.get("reconciled")
    return SaleInvoiceDetail(
        erp_id=row["id"],
        number=row.get("number") or "",
        state=row.get("state") or "",
        invoice_date=row.get("invoice_date"),
        total=Money(_dec(row.get("total_amount")), currency),
        amount_to_pay=Money(_dec(row.get("amount_to_pay")), currency),
        due_date=min(due_dates) if due_dates else None,
        paid_date=paid if isinstance(paid, datetime.date) else None,
    )
