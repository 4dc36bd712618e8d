"""Documents in the buyer's language: an invoice in Japanese is set in a font that has its
characters (Debian's fonts-ipafont-gothic: CI installs it), dates and amounts unharmed beside
them; an order confirmation in German has no English left on it; without a CJK font the
document is still made and the machine's operator is told which package is missing.

Rendered from the documents' own data (no ERP: what the ERP answers is tested with the invoice
and order pages, tests/billing/test_documents.py and tests/ordering/test_reorder.py)."""

from __future__ import annotations

import dataclasses
import datetime
import io
import logging
import os
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from django.utils import translation

from storefleet.billing import documents
from storefleet.billing.documents import CJK_FONTS, invoice_pdf
from storefleet.brand.selectors import BrandLook
from storefleet.erp.types import InvoiceDocument, InvoiceDocumentLine, InvoiceDocumentTax
from storefleet.money import Money, Quantity
from storefleet.ordering.documents import DocumentLine, OrderDocument, order_pdf

BRAND = BrandLook(
    name="Hydra",
    legal_name="Hydra Fluid Power Inc.",
    address="500 Harbor Way\nOakland, CA 94607",
    email="sales@hydra.example",
    phone="+1 510 555 0100",
    vat_id="US-12-3456789",
    primary_colour="#0b5394",
    dark_colour="#1b2a3a",
    logo=None,
)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


INVOICE = InvoiceDocument(
    erp_id=1,
    number="INV-0042",
    state="posted",
    customer="C-3001",
    customer_name="株式会社ナカムラ油圧",
    invoice_address=("東京都港区芝浦1-2-3",),
    seller_name="Hydra Fluid Power Inc.",
    invoice_date=datetime.date(2026, 12, 1),
    due_date=datetime.date(2026, 12, 31),
    payment_term="30日",
    reference="PO-77",
    lines=(
        InvoiceDocumentLine(
            sku="HYD-1003",
            description="油圧ホース 1/2インチ",
            quantity=Quantity(Decimal(2), "u"),
            unit_price=usd("10.00"),
            amount=usd("20.00"),
            taxes=("VAT",),
        ),
    ),
    taxes=(InvoiceDocumentTax(description="VAT", base=usd("20.00"), amount=usd("2.00")),),
    untaxed=usd("20.00"),
    tax=usd("2.00"),
    total=usd("22.00"),
    amount_to_pay=usd("22.00"),
)


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def cjk_font() -> Path | None:
    return next((path for path in CJK_FONTS if path.exists()), None)


def test_a_japanese_invoice_shows_its_labels_names_dates_and_amounts():
    if cjk_font() is None and not os.environ.get("CI"):
        pytest.skip("no CJK font on this machine: apt-get install fonts-ipafont-gothic")
    with translation.override("ja"):
        text = text_of(invoice_pdf(document=INVOICE, brand=BRAND))
    assert "請求書 INV-0042" in text  # the title
    assert "請求先" in text  # "Bill to"
    assert "株式会社ナカムラ油圧" in text and "東京都港区芝浦1-2-3" in text
    assert "油圧ホース 1/2インチ" in text
    # Digits beside Japanese characters, after a bold line: fpdf2's fallback fonts drew
    # "2026年" as "INIV年" here.
    assert "請求日 2026年12月1日" in text and "支払期日 2026年12月31日" in text
    assert "ご請求金額 $22.00" in text
    assert "2026年12月31日 までに $22.00 をお支払いください" in text


def test_an_english_invoice_keeps_its_latin_font():
    with translation.override("en"):
        data = invoice_pdf(document=INVOICE, brand=BRAND)
    fonts = {
        str(font["/BaseFont"])
        for page in pypdf.PdfReader(io.BytesIO(data)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and not any("IPA" in font for font in fonts), fonts
    assert "Bill to" in text_of(data)


def test_without_a_cjk_font_the_document_is_made_and_the_package_named(monkeypatch, caplog):
    monkeypatch.setattr(documents, "CJK_FONTS", (Path("/nonexistent/font.ttf"),))
    monkeypatch.setattr(documents, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="storefleet.billing"), translation.override("ja"):
        data = invoice_pdf(document=INVOICE, brand=BRAND)
    assert data.startswith(b"%PDF") and "INV-0042" in text_of(data)
    assert "install Debian's fonts-ipafont-gothic" in caplog.text


def test_a_german_order_confirmation_has_no_english_left():
    document = OrderDocument(
        number="FER-1042",
        status="Bestätigt",
        placed_on=datetime.date(2026, 12, 3),
        customer="C-1001",
        customer_name="Nordwerk Maschinenbau GmbH",
        ship_to=("Werk 2", "Industriestraße 4", "70565 Stuttgart"),
        po_number="PO-4711",
        requested_delivery=datetime.date(2026, 12, 10),
        placed_by="Anna Becker",
        erp_numbers=("SO-00042",),
        currency="EUR",
        lines=(
            DocumentLine(
                sku="FAS-1003",
                name="Sechskantmutter DIN 934 M8",
                quantity=Decimal(10),
                unit="Unit",
                unit_price=Decimal("0.25"),
                amount=Decimal("2.50"),
            ),
        ),
        net_total=Decimal("2.50"),
        erp_total=Decimal("2.98"),
    )
    with translation.override("de"):
        text = text_of(order_pdf(document=document, brand=BRAND))
    for german in (
        "Bestellung FER-1042",
        "Besteller",
        "Lieferadresse:",
        "Bestelldatum 3 Dez 2026",  # the storefront's one date format (storefleet.dates)
        "Unsere Referenz SO-00042",
        "Gewünschte Lieferung 10 Dez 2026",
        "Gesamt inkl. Steuer",
        "Vielen Dank",
        "10 Stück",  # the ERP's unit "Unit", as the unit price's is
    ):
        assert german in text, (german, text)
    for english in ("Order ", "Ordered by", "Ship to", "Our reference", "Total incl. tax"):
        assert english not in text, (english, text)


def filled_rectangles(data: bytes) -> list[tuple[tuple[float, ...], tuple[float, ...]]]:
    """(fill colour, rectangle) of every rectangle the document's first page fills."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    content = pypdf.generic.ContentStream(page.get_contents(), page.pdf)
    colour: tuple[float, ...] = (0.0,)
    pending: list[tuple[float, ...]] = []
    saved: list[tuple[float, ...]] = []  # the graphics state's stack (q ... Q)
    filled = []
    for operands, operator in content.operations:
        if operator == b"rg":
            colour = tuple(round(float(v), 3) for v in operands)
        elif operator == b"g":  # a grey: white is written so
            colour = (round(float(operands[0]), 3),) * 3
        elif operator == b"q":
            saved.append(colour)
        elif operator == b"Q":
            colour = saved.pop()
        elif operator == b"re":
            pending.append(tuple(float(v) for v in operands))
        elif operator in (b"f", b"F", b"f*", b"B", b"B*"):
            filled += [(colour, rectangle) for rectangle in pending]
            pending = []
        elif operator in (b"S", b"n"):
            pending = []
    return filled


def test_the_lines_are_dark_on_light_not_on_the_brands_colour():
    """The lines table filled its rows with the colour set last, the header band's: dark text
    on the brand's primary colour. Now only the band is in it; rows are white or light grey."""
    three_lines = dataclasses.replace(INVOICE, lines=INVOICE.lines * 3)  # odd and even rows
    with translation.override("en"):
        data = invoice_pdf(document=three_lines, brand=BRAND)
    filled = filled_rectangles(data)

    def near(colour: tuple[float, ...], hex_colour: str) -> bool:
        wanted = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        return len(colour) == 3 and all(
            abs(a - b) < 0.01 for a, b in zip(colour, wanted, strict=True)
        )

    in_primary = [rect for colour, rect in filled if near(colour, BRAND.primary_colour)]
    assert len(in_primary) == 1 and in_primary[0][2] == 595.28, filled  # the band, page-wide
    rows = [
        colour
        for colour, _ in filled
        if not near(colour, BRAND.primary_colour) and not near(colour, BRAND.dark_colour)
    ]  # not the band, not the heading row
    assert len(rows) >= 3 * 6 and all(min(colour) > 0.9 for colour in rows), filled
