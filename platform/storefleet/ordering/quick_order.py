"""Quick order: SKU and quantity lines typed or pasted, or a CSV file, parsed into rows with a
clear error for each row that can't be used. Parsing only: which SKUs exist and may be
bought is the service's question (``services.quick_order_add``)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_ROWS = 500
MAX_CSV_BYTES = 1_000_000
SKU_HEADERS = {"sku", "item", "item number", "article", "article number", "product", "code"}
QUANTITY_HEADERS = {"quantity", "qty", "amount", "menge", "count"}
_LINE = re.compile(r"^([^\s,;]*)([\s,;]+(.*))?$")


@dataclass(frozen=True, slots=True)
class QuickRow:
    row: int  # 1-based, as the buyer counts lines (CSV: including the header)
    sku: str
    quantity: Decimal | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def parse_quantity(text: str) -> tuple[Decimal | None, str]:
    """A positive quantity with at most 4 decimals; a decimal comma is accepted."""
    cleaned = text.strip()
    if not cleaned:
        return None, "Add a quantity after the SKU."
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        quantity = Decimal(cleaned)
    except InvalidOperation:
        return None, f"“{text.strip()}” is not a quantity: write a number such as 10 or 2.5."
    if not quantity.is_finite() or quantity <= 0:
        return None, "The quantity must be more than 0."
    if quantity.as_tuple().exponent < -4:  # type: ignore[operator]
        return None, "Use at most 4 decimals in a quantity."
    if quantity >= Decimal("1e9"):
        return None, "That quantity is too large; split it or ask us for a quote."
    return quantity.normalize() if quantity == quantity.to_integral() else quantity, ""


def _row(number: int, sku: str, quantity_text: str | None) -> QuickRow:
    sku = sku.strip()
    if not sku:
        return QuickRow(number, "", None, "The SKU is missing.")
    if len(sku) > 64:
        return QuickRow(number, sku[:64], None, "That is not a SKU (too long).")
    if quantity_text is None:
        return QuickRow(number, sku, None, "Add a quantity after the SKU.")
    quantity, error = parse_quantity(quantity_text)
    return QuickRow(number, sku, quantity, error)


def parse_lines(text: str) -> list[QuickRow]:
    """One ``SKU quantity`` per line (space, tab, comma or semicolon between; a decimal comma in
    the quantity is fine); blank lines are skipped. A line with only a SKU is an error: we
    don't guess quantities."""
    rows: list[QuickRow] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if len(rows) >= MAX_ROWS:
            rows.append(QuickRow(number, "", None, f"Only {MAX_ROWS} lines at a time."))
            break
        sku, _, quantity = _LINE.match(line).groups()  # type: ignore[union-attr]
        rows.append(_row(number, sku, quantity or None))
    return rows


class CsvError(ValueError):
    """The file as a whole can't be read; the message says what to do."""


def parse_csv(data: bytes) -> list[QuickRow]:
    """A CSV file with a SKU and a quantity column: a header row naming them (``sku``,
    ``quantity`` and common variants) or, without a header, the first two columns. Comma,
    semicolon or tab separated; UTF-8 (with or without BOM) or Latin-1."""
    if len(data) > MAX_CSV_BYTES:
        raise CsvError("The file is larger than 1 MB: split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\x00" in text:
        raise CsvError("That doesn't look like a CSV file: save it as CSV and upload it again.")
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records = list(csv.reader(io.StringIO(text), dialect))
    if not any(any(cell.strip() for cell in record) for record in records):
        raise CsvError("The file is empty: add one row per product with its SKU and quantity.")
    header = [cell.strip().lower() for cell in records[0]]
    sku_col = next((i for i, h in enumerate(header) if h in SKU_HEADERS), None)
    qty_col = next((i for i, h in enumerate(header) if h in QUANTITY_HEADERS), None)
    start = 1
    if sku_col is None or qty_col is None:
        if sku_col is not None or qty_col is not None:
            raise CsvError(
                "The header row must name both a SKU column (“sku”) and a quantity column "
                "(“quantity”)."
            )
        sku_col, qty_col, start = 0, 1, 0
    rows: list[QuickRow] = []
    for number, record in enumerate(records[start:], start=start + 1):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= MAX_ROWS:
            rows.append(QuickRow(number, "", None, f"Only {MAX_ROWS} rows at a time."))
            break
        sku = record[sku_col] if sku_col < len(record) else ""
        quantity = record[qty_col] if qty_col < len(record) else None
        rows.append(_row(number, sku, quantity))
    return rows
