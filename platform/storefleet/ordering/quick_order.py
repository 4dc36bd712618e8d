"""Quick order: SKU and quantity lines typed or pasted, or a CSV file, parsed into rows with a
clear error for each row that can't be used. Parsing only: which SKUs exist and may be
bought is the service's question (``services.quick_order_add``)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MAX_ROWS = 500
MAX_CSV_BYTES = 1_000_000
# What one cart line may hold. The column holds 12 digits before the point; a line is capped
# far below that, at what a B2B web order plausibly asks for: more is a typo or a quote.
MAX_QUANTITY = Decimal(1_000_000)
QUANTITY_DECIMALS = 4
MAX_SKU_LENGTH = 64
SKU_HEADERS = {"sku", "item", "item number", "article", "article number", "product", "code"}
QUANTITY_HEADERS = {"quantity", "qty", "amount", "menge", "count"}
_LINE = re.compile(r"^([^\s,;]*)([\s,;]+(.*))?$")
# Longer than any quantity a person writes; parsing it would only echo junk back.
_MAX_QUANTITY_TEXT = 40


@dataclass(frozen=True, slots=True)
class QuickRow:
    row: int  # 1-based, as the buyer counts lines (CSV: including the header)
    sku: str
    quantity: Decimal | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def quantity_problem(quantity: Decimal) -> str:
    """Why ``quantity`` can't be a cart line's quantity, in the buyer's words ("" if it can).

    The one rule of what a line may hold: the add-to-cart form, quick order, the cart's own
    quantity field and the services all ask it, and the database's check constraint on
    ``CartLine.quantity`` holds the same bounds."""
    if not quantity.is_finite():
        return "Enter the quantity as a number, such as 10 or 2.5."
    if quantity <= 0:
        return "The quantity must be more than 0."
    if quantity > MAX_QUANTITY:
        return (
            f"You can order at most {MAX_QUANTITY:,f} in one line: enter a smaller quantity, "
            "or ask us for a quote."
        )
    if quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_DECIMALS)):
        return "Use at most 4 decimals in a quantity (the smallest is 0.0001)."
    return ""


def parse_quantity(text: str) -> tuple[Decimal | None, str]:
    """A positive quantity of at most ``MAX_QUANTITY`` with at most 4 decimals; a decimal
    comma is accepted. Returns the quantity, or None and what to enter instead."""
    cleaned = text.strip()
    if not cleaned:
        return None, "Add a quantity after the SKU."
    shown = cleaned if len(cleaned) <= 20 else cleaned[:20] + "…"
    not_a_number = f"“{shown}” is not a quantity: write a number such as 10 or 2.5."
    if len(cleaned) > _MAX_QUANTITY_TEXT:
        return None, not_a_number
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        quantity = Decimal(cleaned)
    except InvalidOperation:
        return None, not_a_number
    problem = quantity_problem(quantity)
    if problem:
        return None, problem
    return quantity.normalize() if quantity == quantity.to_integral() else quantity, ""


def _shown(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def sku_problem(sku: str) -> str:
    if len(sku) > MAX_SKU_LENGTH:
        return (
            f"“{_shown(sku)}” is too long for a SKU (at most {MAX_SKU_LENGTH} characters): "
            "check the number, e.g. FAS-1001."
        )
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in sku):
        return "That SKU has invisible characters in it: type it again, e.g. FAS-1001."
    return ""


def _row(number: int, sku: str, quantity_text: str | None) -> QuickRow:
    sku = sku.strip()
    if not sku:
        return QuickRow(number, "", None, "The SKU is missing.")
    problem = sku_problem(sku)
    if problem:
        return QuickRow(number, sku[:MAX_SKU_LENGTH], None, problem)
    if quantity_text is None:
        return QuickRow(number, sku, None, "Add a quantity after the SKU.")
    quantity, error = parse_quantity(quantity_text)
    return QuickRow(number, sku, quantity, error)


class QuickOrderRefused(ValueError):
    """The input as a whole can't be used (nothing of it is added); the message says what to
    do. ``field`` is the form field it concerns."""

    field = "lines"


class CsvError(QuickOrderRefused):
    """The file as a whole can't be read."""

    field = "csv"


def parse_lines(text: str) -> list[QuickRow]:
    """One ``SKU quantity`` per line (space, tab, comma or semicolon between; a decimal comma in
    the quantity is fine); blank lines are skipped. A line with only a SKU is an error: we
    don't guess quantities. More than ``MAX_ROWS`` lines are refused as a whole."""
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    if len(lines) > MAX_ROWS:
        raise QuickOrderRefused(
            f"You entered {len(lines):,} lines; quick order takes at most {MAX_ROWS} at a time: "
            "enter the first 500, then the rest."
        )
    rows: list[QuickRow] = []
    for number, line in lines:
        sku, _, quantity = _LINE.match(line).groups()  # type: ignore[union-attr]
        rows.append(_row(number, sku, quantity or None))
    return rows


CSV_RULES = (
    "a CSV file of at most 1 MB and 500 rows, with a SKU and a quantity column, comma, "
    "semicolon or tab separated, in UTF-8, UTF-16 or Latin-1 (Windows-1252)"
)
_NOT_CSV = (
    "That doesn't look like a CSV file: in your spreadsheet choose “Save as” → “CSV (UTF-8)” "
    f"and upload that. We take {CSV_RULES}."
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SNIFF_LINES, _SNIFF_LINE_CHARS = 20, 1000


def _decode(data: bytes) -> str:
    # A byte-order mark says what the file is; without one, UTF-8 is tried first (it rarely
    # decodes text that isn't UTF-8), then what spreadsheets on Windows write.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise CsvError(_NOT_CSV) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_csv(data: bytes) -> list[QuickRow]:
    """A CSV file with a SKU and a quantity column: a header row naming them (``sku``,
    ``quantity`` and common variants) or, without a header, the first two columns. Comma,
    semicolon or tab separated; UTF-8 (with or without BOM), UTF-16 with its BOM, or
    Windows-1252/Latin-1; lines ending in CR, LF or CRLF. A file that can't be used as a whole
    raises ``CsvError`` (nothing of it is added); a bad row is reported in its ``QuickRow``."""
    if len(data) > MAX_CSV_BYTES:
        raise CsvError(
            "The file is larger than 1 MB: split it into smaller files of at most 500 rows."
        )
    text = _decode(data)
    if _CONTROL.search(text):
        raise CsvError(_NOT_CSV)
    sample = "\n".join(line[:_SNIFF_LINE_CHARS] for line in text.splitlines()[:_SNIFF_LINES])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": the reader sees CR, LF and CRLF line endings alike (and quoted line breaks).
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        # (row number as the buyer's spreadsheet counts it, cells); blank rows are skipped
        records = [(reader.line_num, rec) for rec in reader if any(c.strip() for c in rec)]
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise CsvError(
                f"Row {reader.line_num} has a cell far too long for a SKU or a quantity: "
                f"check the file. We take {CSV_RULES}."
            ) from error
        raise CsvError(
            f"Row {reader.line_num} can't be read as CSV ({error}): save the file from your "
            f"spreadsheet as CSV and upload it again. We take {CSV_RULES}."
        ) from error
    if not records:
        raise CsvError("The file is empty: add one row per product with its SKU and quantity.")
    header = [cell.strip().lower() for cell in records[0][1]]
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
    body = records[start:]
    if not body:
        raise CsvError(
            "The file has only its header row: add one row per product below it, with its "
            "SKU and quantity."
        )
    if len(body) > MAX_ROWS:
        raise CsvError(
            f"The file has {len(body):,} rows; quick order takes at most {MAX_ROWS} at a time: "
            "split it into files of at most 500 rows."
        )
    rows: list[QuickRow] = []
    for number, record in body:
        sku = record[sku_col] if sku_col < len(record) else ""
        quantity = record[qty_col] if qty_col < len(record) else None
        rows.append(_row(number, sku, quantity))
    return rows
