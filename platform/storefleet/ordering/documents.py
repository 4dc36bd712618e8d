"""The order confirmation as a PDF, in the store's brand, for any of the company's orders: a
web order (its lines at the prices the buyer ordered at, and the ERP's sale numbers and total
once confirmed) or a sale entered straight into the ERP (as the sales mirror has it). Drawn
with billing's document layout (``billing.documents``), so every document looks alike."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext

from storefleet import dates
from storefleet.accounts.models import Membership
from storefleet.billing.documents import (
    amount_text,
    closing_line,
    document_start,
    line_headings,
    lines_table,
    totals_block,
)
from storefleet.brand.selectors import BrandLook, brand_look
from storefleet.money import Money, format_unit_price, unit_label
from storefleet.tenants.selectors import StoreRecord

from .checks import line_amount
from .models import OrderStatus
from .order_history import LABELS, company_sale
from .sales_mirror import parts_from_json
from .selectors import order_for_company

MAX_NUMBER = 64


@dataclass(frozen=True, slots=True)
class DocumentLine:
    sku: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    amount: Decimal | None


@dataclass(frozen=True)
class OrderDocument:
    """What an order confirmation shows."""

    number: str
    status: str
    placed_on: datetime.date
    customer: str
    customer_name: str
    ship_to: tuple[str, ...]
    po_number: str
    requested_delivery: datetime.date | None
    placed_by: str
    erp_numbers: tuple[str, ...]
    currency: str
    lines: tuple[DocumentLine, ...]
    net_total: Decimal | None
    erp_total: Decimal | None  # the ERP's total with tax, once it has the sale


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def order_document(
    *, store: StoreRecord, membership: Membership, number: str
) -> OrderDocument | None:
    """The confirmation of the company's order ``number`` as seen from this store (a web
    order's number or an ERP sale's); None for anything else, another company's included."""
    if not number or len(number) > MAX_NUMBER:
        return None
    company = membership.company
    order = order_for_company(company=company, store_id=store.id, number=number)
    if order is not None:
        sales = list(order.sales.all())
        confirmed = [s for s in sales if s.erp_total is not None]
        return OrderDocument(
            number=order.number,
            status=str(OrderStatus(order.status).label),
            placed_on=timezone.localdate(order.created_at),
            customer=company.code,
            customer_name=company.name,
            ship_to=tuple(p for p in str(order.ship_to).split(", ") if p),
            po_number=order.po_number,
            requested_delivery=order.requested_delivery_date,
            placed_by=order.placed_by.email
            if order.placed_by
            else (f"via API key {order.placed_via_key}" if order.placed_via_key else ""),
            erp_numbers=tuple(s.erp_number for s in sales if s.erp_number),
            currency=order.currency,
            lines=tuple(
                DocumentLine(
                    line.sku, line.name, line.quantity, line.unit, line.unit_price, line.amount
                )
                for line in order.lines.all()
            ),
            net_total=order.total,
            erp_total=(
                sum((s.erp_total for s in confirmed if s.erp_total is not None), Decimal(0))
                if confirmed and len(confirmed) == len(sales)
                else None
            ),
        )
    record = company_sale(company=company, store_id=store.id, number=number)
    if record is None:
        return None
    lines = tuple(
        DocumentLine(
            line.sku,
            line.name,
            line.quantity.value,
            line.quantity.unit,
            line.unit_price.amount if line.unit_price else None,
            line.amount.amount,
        )
        for line in parts_from_json(record.detail).lines
    )
    return OrderDocument(
        number=record.number,
        status=str(LABELS.get(record.progress, record.progress)),
        placed_on=record.sale_date or timezone.localdate(record.placed_at),
        customer=company.code,
        customer_name=company.name,
        ship_to=(),
        po_number=record.po_number,
        requested_delivery=None,
        placed_by="",
        erp_numbers=(record.number,),
        currency=record.currency,
        lines=lines,
        net_total=sum((line.amount or Decimal(0) for line in lines), Decimal(0)),
        erp_total=record.total,
    )


def order_pdf(*, document: OrderDocument, brand: BrandLook) -> bytes:
    """The order confirmation: who ordered what, where it ships, at what prices, and totals
    in the currency's digits."""
    facts = [
        (gettext("Order date"), dates.format_day(document.placed_on)),
        (gettext("Status"), document.status),
        (gettext("Your PO number"), document.po_number or "—"),
    ]
    if document.erp_numbers and document.erp_numbers != (document.number,):
        facts.append((gettext("Our reference"), ", ".join(document.erp_numbers)))
    if document.requested_delivery:
        facts.append((gettext("Delivery requested"), dates.format_day(document.requested_delivery)))
    if document.placed_by:
        facts.append((gettext("Placed by"), document.placed_by))
    party = [document.customer_name, gettext("Customer %(code)s") % {"code": document.customer}]
    if document.ship_to:
        party += ["", gettext("Ship to:"), *document.ship_to]
    pdf = document_start(
        brand=brand,
        title=gettext("Order %(number)s") % {"number": document.number},
        facts=facts,
        party_label=gettext("Ordered by"),
        party=party,
    )
    currency = document.currency
    lines_table(
        pdf,
        headings=line_headings(),
        widths=(26, 76, 26, 28, 30),
        align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        rows=[
            (
                line.sku,
                line.name,
                f"{_quantity(line.quantity)} {unit_label(line.unit)}".strip(),
                format_unit_price(line.unit_price, currency, line.unit)
                if line.unit_price is not None
                else "—",
                amount_text(line.amount, currency)
                if line.amount is not None
                else (
                    amount_text(line_amount(line.unit_price, line.quantity), currency)
                    if line.unit_price is not None
                    else "—"
                ),
            )
            for line in document.lines
        ],
    )
    pdf.ln(4)
    totals: list[tuple[str, Money, bool]] = []
    if document.net_total is not None:
        totals.append(
            (
                gettext("Net total"),
                Money(document.net_total, currency),
                document.erp_total is None,
            )
        )
    if document.erp_total is not None:
        totals.append((gettext("Total incl. tax"), Money(document.erp_total, currency), True))
    totals_block(pdf, totals)
    if document.erp_total is None:
        closing_line(
            pdf,
            gettext("Tax is added on the invoice. Prices not shown yet are confirmed by our ERP."),
        )
    else:
        closing_line(pdf, gettext("Thank you for your order."), good=True)
    return bytes(pdf.output())


def order_confirmation_pdf(
    *, store: StoreRecord, membership: Membership, number: str
) -> bytes | None:
    document = order_document(store=store, membership=membership, number=number)
    if document is None:
        return None
    return order_pdf(document=document, brand=brand_look(site=store.site, name=store.brand))
