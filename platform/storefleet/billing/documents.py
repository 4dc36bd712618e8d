"""Invoice documents the platform renders: a PDF of one ERP invoice in the store's brand.

Tryton's own invoice report is an OpenDocument file that needs an office suite to become a
PDF, and none is installed where the platform runs; so the platform draws the PDF itself with
fpdf2 (pure Python, no system libraries) from the gateway's typed read of the invoice."""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from django.utils.formats import date_format
from fpdf import FPDF
from fpdf.fonts import FontFace

from storefleet.brand.selectors import BrandLook
from storefleet.erp.types import InvoiceDocument, Money
from storefleet.money import format_money as money
from storefleet.money import format_unit_price

logger = logging.getLogger("storefleet.billing")

# A Unicode font where the system has one (€, ß, —); the PDF core font otherwise, with the
# characters it lacks replaced, so a document is always produced.
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        return (0, 0, 0)
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _date(value: datetime.date | None) -> str:
    """The storefront's one date format, in the store's language (the request's)."""
    return date_format(value, "j M Y") if value else "—"


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


class _Pdf(FPDF):
    def __init__(self, brand: BrandLook) -> None:
        super().__init__(format="A4")
        self.brand = brand
        regular, bold = UNICODE_FONTS
        if regular.exists() and bold.exists():
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.body_font = "Body"
            self.has_unicode = True
        else:
            self.body_font = "Helvetica"
            self.has_unicode = False
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(18, 18, 18)

    def text_of(self, value: str) -> str:
        if self.has_unicode:
            return value
        value = value.replace("€", "EUR").replace("—", "-").replace("×", "x")
        return value.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.body_font, "", 8)
        self.set_text_color(110, 110, 110)
        parts = [self.brand.legal_name, self.brand.vat_id and f"VAT {self.brand.vat_id}"]
        self.cell(0, 5, self.text_of(" · ".join(p for p in parts if p)), align="L")
        self.cell(0, 5, f"Page {self.page_no()}/{{nb}}", align="R")


def invoice_pdf(*, document: InvoiceDocument, brand: BrandLook) -> bytes:
    """The invoice as a PDF: the brand's header, seller and buyer, dates and terms, lines,
    taxes, totals, and what is left to pay by when (or that it is paid)."""
    pdf = _Pdf(brand)
    pdf.set_title(f"Invoice {document.number}")
    pdf.set_author(brand.legal_name)
    pdf.add_page()
    primary, dark = _rgb(brand.primary_colour), _rgb(brand.dark_colour)
    t = pdf.text_of

    # Header band in the brand's colour, the logo (if any) and the brand's name.
    pdf.set_fill_color(*primary)
    pdf.rect(0, 0, pdf.w, 8, style="F")
    top = 14
    if brand.logo:
        try:
            pdf.image(io.BytesIO(brand.logo), x=pdf.l_margin, y=top, h=14)
            top += 16
        except Exception:  # a logo fpdf2 can't read is left out; the document still renders
            logger.warning("brand logo of %s could not be drawn on a PDF", brand.name)
    pdf.set_xy(pdf.l_margin, top)
    pdf.set_text_color(*dark)
    pdf.set_font(pdf.body_font, "B", 18)
    pdf.cell(0, 9, t(brand.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.body_font, "", 9)
    pdf.set_text_color(80, 80, 80)
    seller = [brand.legal_name or document.seller_name, *brand.address.splitlines()]
    seller += [x for x in (brand.email, brand.phone) if x]
    pdf.multi_cell(90, 4.5, t("\n".join(s for s in seller if s)), new_x="LMARGIN", new_y="NEXT")

    # Title and the invoice's facts on the right; the buyer's address on the left.
    pdf.ln(4)
    y = pdf.get_y()
    pdf.set_text_color(*dark)
    pdf.set_font(pdf.body_font, "B", 10)
    pdf.cell(90, 5, t("Bill to"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.body_font, "", 10)
    buyer = [document.customer_name, *document.invoice_address, f"Customer {document.customer}"]
    pdf.multi_cell(90, 5, t("\n".join(buyer)), new_x="LMARGIN", new_y="NEXT")
    after_buyer = pdf.get_y()
    pdf.set_xy(pdf.w - pdf.r_margin - 75, y)
    pdf.set_font(pdf.body_font, "B", 16)
    pdf.set_text_color(*primary)
    pdf.cell(75, 8, t(f"Invoice {document.number}"), align="R")
    facts = [
        ("Invoice date", _date(document.invoice_date)),
        ("Due date", _date(document.due_date)),
        ("Payment terms", document.payment_term or "—"),
        ("Your reference", document.reference or "—"),
    ]
    pdf.set_text_color(*dark)
    pdf.set_font(pdf.body_font, "", 9)
    row_y = y + 10
    for label, value in facts:
        pdf.set_xy(pdf.w - pdf.r_margin - 75, row_y)
        pdf.cell(30, 5, t(label))
        pdf.cell(45, 5, t(value), align="R")
        row_y += 5
    pdf.set_y(max(after_buyer, row_y) + 6)

    # Lines.
    currency = document.total.currency
    heading = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=dark)
    pdf.set_font(pdf.body_font, "", 9)
    with pdf.table(
        col_widths=(24, 66, 22, 26, 28, 20),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        headings_style=heading,
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
        padding=(1, 1.5),
    ) as table:
        header = table.row()
        for title in ("SKU", "Description", "Quantity", "Unit price", "Amount", "Tax"):
            header.cell(title)
        for line in document.lines:
            row = table.row()
            row.cell(t(line.sku))
            row.cell(t(line.description))
            row.cell(t(f"{_quantity(line.quantity.value)} {line.quantity.unit}".strip()))
            row.cell(t(format_unit_price(line.unit_price.amount, currency, line.quantity.unit)))
            row.cell(t(money(line.amount.amount, currency)))
            row.cell(t(", ".join(line.taxes)))

    # Taxes and totals, right-aligned.
    pdf.ln(4)
    totals: list[tuple[str, Money, bool]] = [("Net total", document.untaxed, False)]
    totals += [
        (f"{tax.description} on {money(tax.base.amount, currency)}", tax.amount, False)
        for tax in document.taxes
    ]
    totals.append(("Total", document.total, True))
    paid = document.total.amount - document.amount_to_pay.amount
    if paid:
        totals.append(("Paid", Money(paid, currency), False))
    totals.append(("Amount to pay", document.amount_to_pay, True))
    _totals(pdf, totals)

    pdf.ln(6)
    pdf.set_font(pdf.body_font, "B", 10)
    if document.amount_to_pay.amount <= 0:
        pdf.set_text_color(20, 110, 50)
        pdf.cell(0, 6, t("Paid in full — thank you."), new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.set_text_color(*dark)
        due = _date(document.due_date) if document.due_date else "on receipt"
        pdf.cell(
            0,
            6,
            t(
                f"Please pay {money(document.amount_to_pay.amount, currency)} by {due}, "
                f"quoting invoice {document.number}."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())


def _totals(pdf: _Pdf, rows: Sequence[tuple[str, Money, bool]]) -> None:
    for label, amount, strong in rows:
        pdf.set_font(pdf.body_font, "B" if strong else "", 10 if strong else 9)
        pdf.set_x(pdf.w - pdf.r_margin - 100)
        pdf.cell(70, 6, pdf.text_of(label), align="R")
        pdf.cell(30, 6, pdf.text_of(money(amount.amount, amount.currency)), align="R")
        pdf.ln(6)
