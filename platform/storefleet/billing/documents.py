"""Documents the platform renders in the store's brand: a PDF of one ERP invoice, and the
layout every other document (order confirmation, statement of account) is drawn with.

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

from django.utils import translation
from django.utils.translation import gettext
from fpdf import FPDF
from fpdf.fonts import FontFace

from storefleet import dates
from storefleet.brand.selectors import BrandLook
from storefleet.erp.types import InvoiceDocument
from storefleet.money import Money, format_unit_price, round_to_currency, unit_label
from storefleet.money import format_money as money

logger = logging.getLogger("storefleet.billing")

# A Unicode font where the system has one (€, ß, —: Debian's fonts-dejavu-core); the PDF core
# font otherwise, with the characters it lacks replaced, so a document is always produced.
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
# A document in Japanese, Chinese or Korean (the request's language) is set in a CJK font, which
# DejaVu has no glyphs for (Debian's fonts-ipafont-gothic: IPA PGothic, proportional, which has
# Latin letters and digits too but no bold face); the first of these the system has. Not as a
# fallback beside DejaVu: fpdf2 2.8's fallback fonts draw the Latin part of a mixed line after a
# bold one with the bold font's glyphs ("2026年" came out as "INIV年"). Without one, such
# characters are left out of the document, and a warning is logged once.
CJK_FONTS = (
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf"),
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)
CJK_LANGUAGES = ("ja", "zh", "ko")
_warned: set[str] = set()


def _fonts() -> tuple[Path, Path] | None:
    """The regular and bold face of the document's body font, or None (the PDF core font)."""
    language = (translation.get_language() or "").split("-")[0]
    if language in CJK_LANGUAGES:
        cjk = next((path for path in CJK_FONTS if path.exists()), None)
        if cjk is not None:
            return cjk, cjk
        if "cjk" not in _warned:
            _warned.add("cjk")
            logger.warning(
                "no CJK font found (%s): Japanese, Chinese and Korean characters are left out "
                "of PDF documents; install Debian's fonts-ipafont-gothic",
                ", ".join(str(path) for path in CJK_FONTS),
            )
    regular, bold = UNICODE_FONTS
    return (regular, bold) if regular.exists() and bold.exists() else None


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        return (0, 0, 0)
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _date(value: datetime.date | None) -> str:
    """The storefront's one date format, in the store's language (the request's)."""
    return dates.format_day(value) or "—"


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


class _Pdf(FPDF):
    def __init__(self, brand: BrandLook) -> None:
        super().__init__(format="A4")
        self.brand = brand
        fonts = _fonts()
        if fonts is not None:
            regular, bold = fonts
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
        parts = [
            self.brand.legal_name,
            self.brand.vat_id and gettext("VAT %(id)s") % {"id": self.brand.vat_id},
        ]
        self.cell(0, 5, self.text_of(" · ".join(p for p in parts if p)), align="L")
        self.cell(
            0,
            5,
            gettext("Page %(page)s/%(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="R",
        )


# ------------------------------------------------------------------ the layout, shared
# Every document the platform draws (invoice, order confirmation, statement of account) has
# the same parts: the brand's header and seller block, the party it is for on the left with
# the title and its facts on the right, a table of lines, totals on the right, a closing line.


def amount_text(amount: Decimal, currency: str) -> str:
    """An amount in the currency's digits (2 for EUR and USD), half to even as the ERP rounds."""
    return money(round_to_currency(amount, currency), currency)


def document_start(
    *,
    brand: BrandLook,
    title: str,
    facts: Sequence[tuple[str, str]],
    party_label: str,
    party: Sequence[str],
    seller_name: str = "",
) -> _Pdf:
    """A new branded A4 document with its first page begun: header band, logo, the brand's
    name and contact, ``party`` under ``party_label`` on the left, ``title`` and ``facts``
    (label, value) on the right. The cursor is left below them."""
    pdf = _Pdf(brand)
    pdf.set_title(title)
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
    seller = [brand.legal_name or seller_name, *brand.address.splitlines()]
    seller += [x for x in (brand.email, brand.phone) if x]
    pdf.multi_cell(90, 4.5, t("\n".join(s for s in seller if s)), new_x="LMARGIN", new_y="NEXT")

    # Title and the document's facts on the right; the party's address on the left.
    pdf.ln(4)
    y = pdf.get_y()
    pdf.set_text_color(*dark)
    pdf.set_font(pdf.body_font, "B", 10)
    pdf.cell(90, 5, t(party_label), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.body_font, "", 10)
    pdf.multi_cell(90, 5, t("\n".join(party)), new_x="LMARGIN", new_y="NEXT")
    after_party = pdf.get_y()
    pdf.set_xy(pdf.w - pdf.r_margin - 75, y)
    pdf.set_font(pdf.body_font, "B", 16)
    pdf.set_text_color(*primary)
    pdf.cell(75, 8, t(title), align="R")
    pdf.set_text_color(*dark)
    pdf.set_font(pdf.body_font, "", 9)
    row_y = y + 10
    for label, value in facts:
        pdf.set_xy(pdf.w - pdf.r_margin - 75, row_y)
        pdf.cell(30, 5, t(label))
        pdf.cell(45, 5, t(value), align="R")
        row_y += 5
    pdf.set_y(max(after_party, row_y) + 6)
    return pdf


def line_headings(*more: str) -> tuple[str, ...]:
    """The headings of a document's lines (an invoice's, an order's), then ``more``."""
    return (
        gettext("SKU"),
        gettext("Description"),
        gettext("Quantity"),
        gettext("Unit price"),
        gettext("Amount"),
        *more,
    )


def lines_table(
    pdf: _Pdf,
    *,
    headings: Sequence[str],
    widths: Sequence[float],
    align: Sequence[str],
    rows: Sequence[Sequence[str]],
) -> None:
    """The document's lines, under a heading row in the brand's dark colour."""
    heading = FontFace(
        emphasis="BOLD", color=(255, 255, 255), fill_color=_rgb(pdf.brand.dark_colour)
    )
    pdf.set_font(pdf.body_font, "", 9)
    pdf.set_text_color(30, 30, 30)
    # Rows on white and a light grey by turns. fpdf2's table takes the colour last set (the
    # header band's) as every row's fill: dark text on the brand's colour, so white first.
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(align),
        headings_style=heading,
        line_height=5.5,
        borders_layout="HORIZONTAL_LINES",
        padding=(1, 1.5),
        cell_fill_color=(244, 245, 247),
        cell_fill_mode="ROWS",
    ) as table:
        header = table.row()
        for title in headings:
            header.cell(title)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(pdf.text_of(value))


def closing_line(pdf: _Pdf, text: str, *, good: bool = False) -> None:
    pdf.ln(6)
    pdf.set_font(pdf.body_font, "B", 10)
    if good:
        pdf.set_text_color(20, 110, 50)
    else:
        pdf.set_text_color(*_rgb(pdf.brand.dark_colour))
    pdf.multi_cell(0, 6, pdf.text_of(text), new_x="LMARGIN", new_y="NEXT")


def invoice_pdf(*, document: InvoiceDocument, brand: BrandLook) -> bytes:
    """The invoice as a PDF: the brand's header, seller and buyer, dates and terms, lines,
    taxes, totals, and what is left to pay by when (or that it is paid)."""
    pdf = document_start(
        brand=brand,
        title=gettext("Invoice %(number)s") % {"number": document.number},
        facts=[
            (gettext("Invoice date"), _date(document.invoice_date)),
            (gettext("Due date"), _date(document.due_date)),
            (gettext("Payment terms"), document.payment_term or "—"),
            (gettext("Your reference"), document.reference or "—"),
        ],
        party_label=gettext("Bill to"),
        party=[
            document.customer_name,
            *document.invoice_address,
            gettext("Customer %(code)s") % {"code": document.customer},
        ],
        seller_name=document.seller_name,
    )
    currency = document.total.currency
    lines_table(
        pdf,
        headings=line_headings(gettext("Tax")),
        widths=(24, 66, 22, 26, 28, 20),
        align=(
            "LEFT",
            "LEFT",
            "RIGHT",
            "RIGHT",
            "RIGHT",
            "LEFT",
        ),
        rows=[
            (
                line.sku,
                line.description,
                f"{_quantity(line.quantity.value)} {unit_label(line.quantity.unit)}".strip(),
                format_unit_price(line.unit_price.amount, currency, line.quantity.unit),
                amount_text(line.amount.amount, currency),
                ", ".join(line.taxes),
            )
            for line in document.lines
        ],
    )

    # Taxes and totals, right-aligned.
    pdf.ln(4)
    totals: list[tuple[str, Money, bool]] = [(gettext("Net total"), document.untaxed, False)]
    totals += [
        (
            gettext("%(tax)s on %(base)s")
            % {"tax": tax.description, "base": amount_text(tax.base.amount, currency)},
            tax.amount,
            False,
        )
        for tax in document.taxes
    ]
    totals.append((gettext("Total"), document.total, True))
    paid = document.total.amount - document.amount_to_pay.amount
    if paid:
        totals.append((gettext("Paid"), Money(paid, currency), False))
    totals.append((gettext("Amount to pay"), document.amount_to_pay, True))
    totals_block(pdf, totals)

    if document.amount_to_pay.amount <= 0:
        closing_line(pdf, gettext("Paid in full — thank you."), good=True)
    else:
        due = _date(document.due_date) if document.due_date else gettext("on receipt")
        closing_line(
            pdf,
            gettext("Please pay %(amount)s by %(due)s, quoting invoice %(number)s.")
            % {
                "amount": amount_text(document.amount_to_pay.amount, currency),
                "due": due,
                "number": document.number,
            },
        )
    return bytes(pdf.output())


def totals_block(pdf: _Pdf, rows: Sequence[tuple[str, Money, bool]]) -> None:
    """Labelled amounts on the right, in the currency's digits; ``True`` rows in bold."""
    for label, amount, strong in rows:
        pdf.set_font(pdf.body_font, "B" if strong else "", 10 if strong else 9)
        pdf.set_x(pdf.w - pdf.r_margin - 100)
        pdf.cell(70, 6, pdf.text_of(label), align="R")
        pdf.cell(30, 6, pdf.text_of(amount_text(amount.amount, amount.currency)), align="R")
        pdf.ln(6)
