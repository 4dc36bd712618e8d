"""Quick order: SKU and quantity lines typed or pasted, or a CSV file, parsed into rows with a
clear error for each row that can't be used; which SKUs exist and may be bought is the
service's question (``cart.quick_order_add``). Besides the parsing, the two reads the page
offers around it: SKU suggestions as the buyer types (``sku_suggestions``) and the CSV template
to fill in (``csv_template``)."""

from __future__ import annotations

import csv
import io
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext

from storefleet import dates, money
from storefleet.catalog.localized import product_text, product_text_search
from storefleet.catalog.offers import Offer, product_offers, smallest_order_quantity
from storefleet.catalog.selectors import product_list, store_assortment

if TYPE_CHECKING:
    from storefleet.tenants.selectors import StoreRecord

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
    # The quantity as the buyer typed it, when it is not one (shown back for them to fix; not
    # part of what the row is).
    typed: str = field(default="", compare=False)

    @property
    def ok(self) -> bool:
        return not self.error


def quantity_problem(quantity: Decimal) -> str:
    """Why ``quantity`` can't be a cart line's quantity, in the buyer's words ("" if it can).

    The one rule of what a line may hold: the add-to-cart form, quick order, the cart's own
    quantity field and the services all ask it, and the database's check constraint on
    ``CartLine.quantity`` holds the same bounds."""
    if not quantity.is_finite():
        return gettext("Enter the quantity as a number, such as 10 or 2.5.")
    if quantity <= 0:
        return gettext("The quantity must be more than 0.")
    if quantity > MAX_QUANTITY:
        return gettext(
            "You can order at most %(most)s in one line: enter a smaller quantity, or ask us "
            "for a quote."
        ) % {"most": money.format_number(MAX_QUANTITY)}
    if quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_DECIMALS)):
        return gettext("Use at most 4 decimals in a quantity (the smallest is %(least)s).") % {
            "least": money.format_number(Decimal("0.0001"))
        }
    return ""


def parse_quantity(text: str) -> tuple[Decimal | None, str]:
    """A positive quantity of at most ``MAX_QUANTITY`` with at most 4 decimals; a decimal
    comma is accepted. Returns the quantity, or None and what to enter instead."""
    cleaned = text.strip()
    if not cleaned:
        return None, gettext("Add a quantity after the SKU.")
    shown = cleaned if len(cleaned) <= 20 else cleaned[:20] + "…"
    not_a_number = gettext("“%(text)s” is not a quantity: write a number such as 10 or 2.5.") % {
        "text": shown
    }
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
        return gettext(
            "“%(sku)s” is too long for a SKU (at most %(limit)d characters): check the number, "
            "e.g. FAS-1001."
        ) % {"sku": _shown(sku), "limit": MAX_SKU_LENGTH}
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in sku):
        return gettext("That SKU has invisible characters in it: type it again, e.g. FAS-1001.")
    return ""


def _row(number: int, sku: str, quantity_text: str | None) -> QuickRow:
    sku = sku.strip()
    if not sku:
        return QuickRow(number, "", None, gettext("The SKU is missing."))
    problem = sku_problem(sku)
    if problem:
        return QuickRow(number, sku[:MAX_SKU_LENGTH], None, problem)
    if quantity_text is None:
        return QuickRow(number, sku, None, gettext("Add a quantity after the SKU."))
    quantity, error = parse_quantity(quantity_text)
    typed = "" if quantity is not None else quantity_text.strip()[:_MAX_QUANTITY_TEXT]
    return QuickRow(number, sku, quantity, error, typed=typed)


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
            gettext(
                "You entered %(count)s lines; quick order takes at most %(most)d at a time: "
                "enter the first %(most)d, then the rest."
            )
            % {"count": money.format_number(len(lines)), "most": MAX_ROWS}
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


# ------------------------------------------------------------------ SKU suggestions
MAX_SUGGESTIONS = 8
# Fewer characters match half the catalog: nothing useful to pick from yet.
MIN_SUGGEST_QUERY = 2
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")


@dataclass(frozen=True, slots=True)
class SkuSuggestion:
    """One product the buyer may mean: what the store sells, at their company's price."""

    sku: str
    name: str
    unit: str
    price: str  # the company's unit price as shown in the store; "" when the ERP gave none
    availability: str  # a hint such as "In stock"; "" when unknown


def suggestion_query(text: str) -> str:
    """What to search for in what the buyer typed: invisible and control characters dropped
    (they match no SKU, and PostgreSQL refuses a NUL outright), full-width letters and digits
    (as an East Asian keyboard types them) made plain, spaces trimmed. Raises
    ``QuickOrderRefused`` when it is longer than any SKU."""
    if len(text) > MAX_SKU_LENGTH * 4:  # not worth normalizing
        cleaned = text
    else:
        kept = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
        cleaned = unicodedata.normalize("NFKC", kept).strip()
    if len(cleaned) > MAX_SKU_LENGTH:
        raise QuickOrderRefused(
            gettext("Type at most %(limit)d characters of a SKU or product name.")
            % {"limit": MAX_SKU_LENGTH}
        )
    return cleaned


SUGGESTIONS_WINDOW_SECONDS = 60


def suggestions_wait(*, store_id: int, user_id: int, now: float | None = None) -> int:
    """Count one suggestions request of the buyer; 0 when it may be answered, else how many
    seconds until it may (the buyer asked more than ``QUICK_ORDER_SUGGESTIONS_PER_MINUTE``
    times this minute). Each lookup prices products through the ERP gateway: a script
    typing for ever must not turn into an ERP load. Counted per user in the shared cache (all
    web processes, every session of theirs); refused requests are not counted."""
    now = time.time() if now is None else now
    window = SUGGESTIONS_WINDOW_SECONDS
    index = int(now // window)
    key = f"quick-order:suggestions:{store_id}:{user_id}:{index}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first
        cache.set(key, 1, timeout=window * 2)
        count = 1
    if count <= settings.QUICK_ORDER_SUGGESTIONS_PER_MINUTE:
        return 0
    cache.decr(key)
    return max(1, math.ceil((index + 1) * window - now))


def sku_suggestions(
    *, store: StoreRecord, customer: str, query: str, limit: int = MAX_SUGGESTIONS
) -> list[SkuSuggestion]:
    """At most ``limit`` products of the store's assortment whose SKU or name holds ``query``
    (SKUs starting with it first, then in SKU order), with ``customer``'s price and stock for
    the smallest quantity they may order: one query, and one gateway batch answered from its
    per-store, per-customer cache while fresh. ``query`` is cleaned by ``suggestion_query``."""
    if len(query) < MIN_SUGGEST_QUERY:
        return []
    products = list(
        product_list(assortment=store_assortment(store=store))
        .filter(product_text_search(query))
        .annotate(
            starts=Case(
                When(sku__istartswith=query, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("starts", "sku")[:limit]
    )
    offers = product_offers(store=store, customer=customer, products=products)
    return [
        SkuSuggestion(
            sku=product.sku,
            name=product_text(product, "name").plain,
            unit=product.unit,
            price=_price(offer),
            availability=_availability(offer),
        )
        for product, offer in zip(products, offers, strict=True)
    ]


def _price(offer: Offer) -> str:
    if not offer.orderable:
        return ""
    assert offer.price is not None and offer.price.unit_price is not None
    return money.format_unit_price(
        offer.price.unit_price.amount, offer.price.unit_price.currency, offer.product.unit
    )


def _availability(offer: Offer) -> str:
    stock = offer.stock
    if stock is None or stock.available_now is None:
        return ""
    if offer.in_stock:
        return gettext("In stock")
    if stock.available_from:
        return gettext("Available from %(date)s") % {
            "date": dates.format_month_day(stock.available_from)
        }
    return gettext("Out of stock")


# ------------------------------------------------------------------ CSV template
# Spreadsheets on Windows open a UTF-8 file right only with a byte-order mark, and in German
# locales split columns on semicolons; the parser reads both variants.
CSV_TEMPLATE_VARIANTS = {"csv": (",", ""), "excel": (";", "\ufeff")}
_EXAMPLE_SKUS = ("FAS-1003", "BRG-1002")  # where the store sells fewer than two products
_TEMPLATE_CANDIDATES = 12  # products priced to find two examples in stock


def csv_template(*, store: StoreRecord, customer: str, variant: str = "csv") -> str:
    """The CSV file quick order's upload takes: a header row (``sku``, ``quantity``) and two
    example rows of products the store sells, each at the smallest quantity the ERP's
    ordering rules allow, preferring ones ``customer`` can order from stock now (one gateway
    batch), so the file as downloaded can be uploaded as it is and ordered."""
    delimiter, bom = CSV_TEMPLATE_VARIANTS[variant]
    candidates = list(
        product_list(assortment=store_assortment(store=store)).order_by("sku")[
            :_TEMPLATE_CANDIDATES
        ]
    )
    offers = product_offers(store=store, customer=customer, products=candidates)
    ready = [o.product for o in offers if o.orderable and o.in_stock]
    chosen = (ready + [p for p in candidates if p not in ready])[:2]
    examples = [(product.sku, smallest_order_quantity(product)) for product in chosen]
    if len(examples) < 2:
        examples = [(sku, Decimal(1)) for sku in _EXAMPLE_SKUS]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["sku", "quantity"])
    for sku, quantity in examples:
        writer.writerow([sku, f"{quantity.normalize():f}"])
    return bom + out.getvalue()
