"""Writes of the sales mirror: the customers' ERP sales kept in ``SaleRecord`` for their
"My orders" pages — by the incremental sync (``sale_records_upsert``, run by
``storefleet.erp.sync`` as the ``sales`` kind on the beat schedule) and by a refresh when an
order's page is viewed (``sales_refresh``, through the gateway's short cache).

An upsert writes only what changed (a fingerprint of the sale as the ERP answered it), links a
sale that came from the platform to its order by the idempotency key the order was submitted
with, and attaches a sale to its customer's company — also later, once a customer new to the
platform has been mirrored."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.brand.buyer_cache import company_pages_changed
from storefleet.erp.errors import ErpError, ErpNotFound
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import (
    OrderState,
    SaleDetail,
    SaleInvoiceDetail,
    SaleInvoiceState,
    SaleLineDetail,
    ShipmentDetail,
    ShipmentLineDetail,
    ShipmentState,
)
from storefleet.money import Money, Quantity

from . import webhook_events
from .models import ErpSale, OrderProgress, SaleRecord

logger = logging.getLogger("storefleet.ordering")


# ------------------------------------------------------------------ what a sale is, for the buyer
def progress_of(sale: SaleDetail) -> OrderProgress:
    """The buyer-facing status of an ERP sale."""
    if sale.state is OrderState.DRAFT:
        return OrderProgress.DRAFT
    if sale.state is OrderState.QUOTATION:
        return OrderProgress.QUOTATION
    if sale.state is OrderState.CANCELLED:
        return OrderProgress.CANCELLED
    if sale.state is OrderState.DONE:
        return OrderProgress.COMPLETED
    if sale.shipment_state == ShipmentState.PARTIALLY_SHIPPED:
        return OrderProgress.PARTIALLY_SHIPPED
    if sale.shipment_state == ShipmentState.SENT:
        return (
            OrderProgress.COMPLETED
            if sale.invoice_state == SaleInvoiceState.PAID
            else OrderProgress.SHIPPED
        )
    return OrderProgress.CONFIRMED


# ------------------------------------------------------------------ the stored form of a sale
@dataclasses.dataclass(frozen=True, slots=True)
class SaleParts:
    lines: tuple[SaleLineDetail, ...]
    shipments: tuple[ShipmentDetail, ...]
    invoices: tuple[SaleInvoiceDetail, ...]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def parts_to_json(sale: SaleDetail) -> dict[str, Any]:
    return {
        "lines": [_plain(dataclasses.asdict(line)) for line in sale.lines],
        "shipments": [_plain(dataclasses.asdict(s)) for s in sale.shipments],
        "invoices": [_plain(dataclasses.asdict(i)) for i in sale.invoices],
    }


def _money(data: dict[str, Any]) -> Money:
    return Money(Decimal(data["amount"]), data["currency"])


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def parts_from_json(data: dict[str, Any]) -> SaleParts:
    return SaleParts(
        lines=tuple(
            SaleLineDetail(
                erp_id=ln["erp_id"],
                sku=ln["sku"],
                name=ln["name"],
                quantity=Quantity(Decimal(ln["quantity"]["value"]), ln["quantity"]["unit"]),
                unit_price=_money(ln["unit_price"]) if ln["unit_price"] else None,
                amount=_money(ln["amount"]),
                shipped=Decimal(ln["shipped"]),
            )
            for ln in data.get("lines", [])
        ),
        shipments=tuple(
            ShipmentDetail(
                erp_id=s["erp_id"],
                number=s["number"],
                state=s["state"],
                planned_date=_date(s["planned_date"]),
                effective_date=_date(s["effective_date"]),
                tracking_reference=s["tracking_reference"],
                carrier=s["carrier"],
                lines=tuple(
                    ShipmentLineDetail(
                        line_erp_id=c["line_erp_id"],
                        sku=c["sku"],
                        quantity=Quantity(Decimal(c["quantity"]["value"]), c["quantity"]["unit"]),
                    )
                    for c in s["lines"]
                ),
            )
            for s in data.get("shipments", [])
        ),
        invoices=tuple(
            SaleInvoiceDetail(
                erp_id=i["erp_id"],
                number=i["number"],
                state=i["state"],
                invoice_date=_date(i["invoice_date"]),
                total=_money(i["total"]),
                amount_to_pay=_money(i["amount_to_pay"]),
                due_date=_date(i["due_date"]),
                paid_date=_date(i["paid_date"]),
            )
            for i in data.get("invoices", [])
        ),
    )


def _fingerprint(sale: SaleDetail, parts: dict[str, Any]) -> str:
    head = _plain(
        [
            sale.number,
            sale.customer,
            sale.po_number,
            sale.sale_date,
            sale.state.value,
            sale.shipment_state,
            sale.invoice_state,
            dataclasses.asdict(sale.total),
            sale.warehouse,
            sale.idempotency_key,
        ]
    )
    body = json.dumps([head, parts], sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


# ------------------------------------------------------------------ writes
def sale_records_upsert(*, records: Sequence[SaleDetail], attach_orphans: bool = True) -> int:
    """Mirror a batch of ERP sales; returns how many rows were created or changed. A constant
    number of queries per batch, whatever its size. With ``attach_orphans`` (the sync), sales
    mirrored before their customer was are attached to its company too."""
    if not records:
        return _attach_orphans() if attach_orphans else 0
    existing = {
        row["erp_id"]: row
        for row in SaleRecord.objects.filter(erp_id__in=[r.erp_id for r in records]).values(
            "id", "erp_id", "fingerprint", "company_id", "progress", "invoice_state"
        )
    }
    companies = dict(
        Company.objects.filter(code__in={r.customer for r in records}).values_list("code", "id")
    )
    keys = {r.idempotency_key for r in records if r.idempotency_key}
    linked = {
        row["key"]: row
        for row in ErpSale.objects.filter(key__in=keys).values(
            "key", "order_id", "order__store_id", "order__created_at", "order__company_id"
        )
    }
    create, update = [], []
    for sale in records:
        parts = parts_to_json(sale)
        fingerprint = _fingerprint(sale, parts)
        company_id = companies.get(sale.customer)
        known = existing.get(sale.erp_id)
        if known and known["fingerprint"] == fingerprint and known["company_id"] == company_id:
            continue
        link = linked.get(sale.idempotency_key)
        if link and link["order__company_id"] != company_id:
            link = None  # a key the ERP moved to another customer links nothing
        record = SaleRecord(
            erp_id=sale.erp_id,
            number=sale.number,
            customer_code=sale.customer,
            company_id=company_id,
            order_id=link["order_id"] if link else None,
            store_id=link["order__store_id"] if link else None,
            idempotency_key=sale.idempotency_key,
            po_number=sale.po_number,
            placed_at=link["order__created_at"] if link else sale.erp_created,
            sale_date=sale.sale_date,
            state=sale.state.value,
            shipment_state=sale.shipment_state,
            invoice_state=sale.invoice_state,
            progress=progress_of(sale),
            total=sale.total.amount,
            currency=sale.total.currency,
            warehouse=sale.warehouse,
            line_count=len(sale.lines),
            detail=parts,
            fingerprint=fingerprint,
            erp_write_date=sale.erp_write_date,
            synced_at=timezone.now(),
        )
        if known:
            record.id = known["id"]
            update.append(record)
        else:
            create.append(record)
    fields = [
        f.name
        for f in SaleRecord._meta.concrete_fields
        if f.name not in ("id", "erp_id") and not f.primary_key
    ]
    with transaction.atomic():
        SaleRecord.objects.bulk_create(create, batch_size=500)
        SaleRecord.objects.bulk_update(update, fields, batch_size=200)
        for company_id in {r.company_id for r in (*create, *update) if r.company_id}:
            company_pages_changed(company_id=company_id)  # its cached My orders pages
        webhook_events.sale_events(before=existing, records=(*create, *update))
    return len(create) + len(update) + (_attach_orphans() if attach_orphans else 0)


def _attach_orphans() -> int:
    """Sales of a customer that was not a company yet when they were mirrored."""
    company = Company.objects.filter(code=OuterRef("customer_code"))
    orphans = SaleRecord.objects.filter(company__isnull=True).filter(Exists(company))
    codes = set(orphans.values_list("customer_code", flat=True))
    attached = orphans.update(company_id=Subquery(company.values("id")[:1]))
    for company_id in Company.objects.filter(code__in=codes).values_list("id", flat=True):
        company_pages_changed(company_id=company_id)
    return attached


def sales_refresh(*, numbers: Sequence[str], customer: str) -> bool:
    """Bring the mirror of these sales of ``customer`` (ERP code) up to date from the ERP
    (each read is cached ``ERP_SALE_TTL_SECONDS`` by the gateway). Returns False when the ERP
    could not answer: the page then shows what the mirror last knew, and says so."""
    gateway = get_gateway()
    fresh = []
    for number in dict.fromkeys(n for n in numbers if n):
        try:
            fresh.append(gateway.sale(number=number, customer=customer))
        except ErpNotFound:
            logger.warning("sale %s is no longer in the ERP", number)
        except ErpError as error:
            logger.info("sale %s not refreshed: %s", number, error.message)
            sale_records_upsert(records=fresh, attach_orphans=False)
            return False
    if fresh:
        sale_records_upsert(records=fresh, attach_orphans=False)
    return True
