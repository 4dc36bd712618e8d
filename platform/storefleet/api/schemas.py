"""What the API reads and answers: typed pydantic schemas, from which ninja validates input and
writes the OpenAPI document. Money amounts are decimal strings with their currency."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

MAX_SKUS = 500
# RFC 3339, what the document's ``format: date-time`` promises: a date, a time and an offset.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: object) -> object:
    """Only what the document describes: pydantic alone would also read a bare number as seconds
    since 1970, or a date without a time, neither of which a client means by a moment."""
    if isinstance(value, str) and not _RFC3339.fullmatch(value.strip()):
        raise ValueError("give a date and time with its offset, e.g. 2026-01-31T12:00:00Z")
    return value


# A moment in a query (``updated_since``): an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z.
Moment = Annotated[datetime.datetime, BeforeValidator(_rfc3339)]


# The catalog's answers are plain pydantic models, not ninja Schemas: they are built from
# dicts, and ninja's per-object attribute resolver (made for ORM objects) cost a third of a
# 100-product answer (tests/bench/api_prices.py). The document is the same.
class MoneyOut(BaseModel):
    amount: Decimal
    currency: str


class PriceOut(BaseModel):
    quantity: Decimal = Field(description="The quantity priced (the least one may order).")
    unit_price: MoneyOut


class AvailabilityOut(BaseModel):
    warehouse: str
    available_now: Decimal | None
    in_stock: bool = Field(description="Enough for the priced quantity is in stock now.")
    available_from: datetime.date | None


class ProductOut(BaseModel):
    sku: str
    name: str = Field(
        description="In the language asked for (Accept-Language, else the store's); in the "
        "ERP's own where it has no translation (name_language then says which)."
    )
    name_language: str = Field(description="The language name is in.")
    unit: str
    category: str | None
    min_quantity: Decimal | None
    quantity_multiple: Decimal | None
    updated_at: datetime.datetime
    orderable: bool
    price: PriceOut | None
    volume_breaks: list[PriceOut]
    availability: AvailabilityOut | None
    stale: bool = Field(description="Prices or stock came from the cache while the ERP was away.")


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None
    unknown_skus: list[str] = Field(description="Asked-for SKUs this store does not sell.")


# A quantity as a decimal string: above 0, below a billion, at most 4 decimals ("10", "2.5").
_QUANTITY = (
    r"^([1-9][0-9]{0,8}(\.[0-9]{1,4})?"
    r"|0\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$"
)


def _quantity_text(value: object) -> object:
    """A string quantity is what the document's pattern says, so the document and the check
    agree (pydantic alone would read "", " 1e3" or "NaN" its own way)."""
    if isinstance(value, str) and not re.fullmatch(_QUANTITY, value):
        raise ValueError(
            'give the quantity as a number above 0 with at most 4 decimals, e.g. "2.5"'
        )
    return value


Quantity = Annotated[
    Decimal,
    BeforeValidator(_quantity_text),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": 999999999,
                    "multipleOf": 0.0001,
                },
                {"type": "string", "pattern": _QUANTITY},
            ],
            "description": "Above 0, below a billion, at most 4 decimals.",
        }
    ),
]


class LineIn(Schema):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    quantity: Quantity = Field(gt=0, lt=Decimal("1000000000"), max_digits=13, decimal_places=4)


NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
NO_NUL = r"^[^\x00]*$"
MAX_ID = 2**31 - 1


class PlaceLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    quantity: Decimal = Field(gt=0, le=Decimal("1000000000"), max_digits=16, decimal_places=4)
    expected_unit_price: Decimal | None = Field(
        default=None,
        ge=0,
        le=Decimal("1000000000"),
        max_digits=16,
        decimal_places=4,
        description="The unit price you expect (say, from /orders/validate): if the ERP's "
        "price of now differs, nothing is placed and the answer lists the moved lines. Left "
        "out: the line goes in at the ERP's price of now.",
    )
    ship_to_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Where this line ships, if not to the order's."
    )


class PlaceIn(Schema):
    lines: list[PlaceLineIn] = Field(min_length=1, max_length=MAX_SKUS)
    ship_to_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="One of your company's ship-to addresses; left out: its first.",
    )
    po_number: str = Field(default="", max_length=35, pattern=NO_CONTROL)
    requested_delivery_date: datetime.date | None = None
    notes: str = Field(default="", max_length=1000, pattern=NO_NUL)
    accept_backorder: bool = Field(
        default=False,
        description="Lines short of stock: ship what is there now and the rest when it arrives.",
    )
    cost_centre: str = Field(
        default="",
        max_length=32,
        pattern=NO_CONTROL,
        description="The code of one of your company's cost centres, which the order is "
        "charged to (required when your company keeps cost centres; another code is "
        "``invalid-cost-centre``). Its monthly budget applies as at the store's checkout: an "
        "order over what is left of it waits for approval (status ``held``).",
    )


class PlacedLineOut(Schema):
    position: int
    sku: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    ship_to_id: int


class PlacedOrderOut(Schema):
    number: str
    status: str = Field(
        description=(
            "received, then confirmed (or refused) by the ERP; held (waiting for approval in "
            "the company: one of its approval rules caught it), then received, or rejected."
        )
    )
    placed_at: datetime.datetime
    placed_via: str = Field(description="The name of the API key the order came through.")
    po_number: str
    requested_delivery_date: datetime.date | None
    ship_to_id: int
    total: Decimal | None
    currency: str
    backorder_accepted: bool
    lines: list[PlacedLineOut]


class CancelOut(Schema):
    number: str
    already_cancelled: bool
    cancelled_at: datetime.datetime
    before_erp: bool = Field(description="Taken back before the ERP heard of the order.")


class ReturnLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    quantity: Decimal = Field(gt=0, le=Decimal("1000000000"), max_digits=16, decimal_places=4)


class ReturnIn(Schema):
    order_number: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    reason: str = Field(
        min_length=1,
        max_length=16,
        description="damaged, defective, wrong_item, too_many, not_needed or other.",
    )
    reason_text: str = Field(default="", max_length=1000, pattern=NO_NUL)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=MAX_SKUS)


class ReturnLineOut(Schema):
    sku: str
    name: str
    quantity: Decimal
    unit: str


class ReturnOut(Schema):
    number: str
    order_number: str
    status: str
    reason: str
    reason_text: str
    created_at: datetime.datetime
    erp_number: str
    lines: list[ReturnLineOut]


class ReturnPage(Schema):
    items: list[ReturnOut]
    next_cursor: str | None


class ValidateIn(Schema):
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_SKUS)
    accept_backorder: bool = False


class LineVerdictOut(Schema):
    sku: str
    quantity: Decimal
    ok: bool
    orderable: bool
    reasons: list[str]
    messages: list[str]
    unit_price: MoneyOut | None
    amount: Decimal | None
    suggested_quantity: Decimal | None
    available_quantity: Decimal | None
    available_from: datetime.date | None


class CreditVerdictOut(Schema):
    ok: bool
    limit: MoneyOut | None
    used: MoneyOut
    order_total: MoneyOut
    message: str


class ValidationOut(Schema):
    ok: bool
    lines: list[LineVerdictOut]
    total: Decimal | None
    currency: str
    credit: CreditVerdictOut | None
    problems: list[str]
    backorder_possible: bool


class OrderRowOut(Schema):
    number: str
    kind: str = Field(description="'sale' (in the ERP) or 'order' (a web order not in it yet).")
    web_number: str
    placed_at: datetime.datetime
    updated_at: datetime.datetime
    po_number: str
    progress: str
    total: Decimal | None
    currency: str
    line_count: int


class OrderPage(Schema):
    items: list[OrderRowOut]
    next_cursor: str | None


class ShipmentLineOut(Schema):
    sku: str
    quantity: Decimal
    unit: str


class ShipmentOut(Schema):
    number: str
    state: str
    state_label: str
    planned_date: datetime.date | None
    effective_date: datetime.date | None
    carrier: str
    tracking_reference: str
    lines: list[ShipmentLineOut]


class SaleLineOut(Schema):
    sku: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: MoneyOut | None
    amount: MoneyOut
    shipped: Decimal


class SaleInvoiceOut(Schema):
    number: str
    state: str
    invoice_date: datetime.date | None
    total: MoneyOut
    amount_to_pay: MoneyOut
    due_date: datetime.date | None


class SaleOut(Schema):
    number: str
    state: str
    progress: str
    total: Decimal
    currency: str
    lines: list[SaleLineOut]
    shipments: list[ShipmentOut]
    invoices: list[SaleInvoiceOut]


class WebLineOut(Schema):
    sku: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None


class OrderOut(Schema):
    number: str
    kind: str
    placed_at: datetime.datetime
    po_number: str
    progress: str
    total: Decimal | None
    currency: str
    lines: list[WebLineOut]
    sales: list[SaleOut]
    fresh: bool = Field(description="False: the ERP did not answer, this is what we last knew.")
    stage: str = Field(
        "",
        description=(
            "Where the order stands: awaiting_approval, not_approved, received, refused, "
            "confirmed, processing, shipped, completed, cancelled."
        ),
    )
    can_cancel: bool = Field(False, description="Whether POST .../cancel may succeed now.")
    can_return: bool = Field(False, description="Whether a return may be requested now.")
    why_not_cancel: str = Field("", description="Why it can't be cancelled (blank if it can).")
    why_not_return: str = Field("", description="Why nothing can be returned (blank if it can).")


class InvoiceOut(Schema):
    number: str
    invoice_date: datetime.date | None
    total: MoneyOut
    amount_to_pay: MoneyOut
    due_date: datetime.date | None
    overdue: bool
    paid: bool


class InvoicePage(Schema):
    items: list[InvoiceOut]
    next_cursor: str | None


class CreditOut(Schema):
    limit: MoneyOut | None
    used: MoneyOut
    available: MoneyOut | None
    open_invoices: list[InvoiceOut]


MAX_QUOTE_LINES = 50  # quotes.models.MAX_LINES: what a request for quote takes


# A price as a decimal string: 0 or more, below a billion, at most 4 decimals ("12.5", "0").
_PRICE = r"^(0|[1-9][0-9]{0,8})(\.[0-9]{1,4})?$"


def _price_text(value: object) -> object:
    """As ``_quantity_text``: a string price is what the document's pattern says."""
    if isinstance(value, str) and not re.fullmatch(_PRICE, value):
        raise ValueError('give the price as a number of 0 or more with at most 4 decimals, "12.5"')
    return value


Price = Annotated[
    Decimal,
    BeforeValidator(_price_text),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 999999999, "multipleOf": 0.0001},
                {"type": "string", "pattern": _PRICE},
                {"type": "null"},
            ],
            "description": "0 or more, below a billion, at most 4 decimals.",
        }
    ),
]


class QuoteLineIn(Schema):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    quantity: Quantity = Field(gt=0, lt=Decimal("1000000000"), max_digits=13, decimal_places=4)
    target_price: Price | None = Field(
        default=None,
        ge=0,
        lt=Decimal("1000000000"),
        max_digits=13,
        decimal_places=4,
        description="The unit price you hope for, in the store's currency (the sales team "
        "reads it; the ERP's answer is what counts).",
    )
    note: str = Field(default="", max_length=500, pattern=NO_NUL)


class QuoteIn(Schema):
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=MAX_QUOTE_LINES)
    requested_date: datetime.date | None = Field(
        default=None, description="When you would like the goods (today or later)."
    )
    message: str = Field(default="", max_length=4000, pattern=NO_NUL)
    ship_to_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="One of your company's ship-to addresses; left out: its first.",
    )


QUOTE_STATUS = (
    "requested (on its way to the sales team), quoted (answered: can be accepted until "
    "valid_until), revision_requested, updating (a new answer is on its way), expired, "
    "accepting (accepted: being confirmed), ordered (an order: see /orders/{order_number}), "
    "refused, withdrawn or declined."
)


class QuoteRowOut(Schema):
    id: int
    erp_number: str = Field(description="The ERP's quotation number, once it has one.")
    status: str = Field(description=QUOTE_STATUS)
    created_at: datetime.datetime
    updated_at: datetime.datetime = Field(
        description="When the last step was recorded on the quote (pass it as updated_since)."
    )
    requested_date: datetime.date | None
    valid_until: datetime.date | None
    total: MoneyOut | None = Field(description="The ERP quotation's total (with tax).")
    line_count: int


class QuotePage(Schema):
    items: list[QuoteRowOut]
    next_cursor: str | None
    fresh: bool = Field(description="False: the ERP did not answer; statuses are ours alone.")


class QuoteRequestedLineOut(Schema):
    position: int
    sku: str
    quantity: Decimal
    target_price: Decimal | None
    note: str


class QuotedLineOut(Schema):
    sku: str
    name: str
    quantity: Decimal
    unit_price: MoneyOut
    amount: MoneyOut


class QuotationOut(Schema):
    number: str
    state: str
    quoted_on: datetime.date | None
    valid_until: datetime.date | None
    lines: list[QuotedLineOut]
    total: MoneyOut = Field(description="With tax, as the ERP will invoice it.")


class QuoteVersionLineOut(Schema):
    sku: str
    name: str
    quantity: Decimal
    unit_price: Decimal
    previous_quantity: Decimal | None
    previous_unit_price: Decimal | None
    added: bool


class QuoteVersionOut(Schema):
    number: int
    answered_by: str = Field(description="agent (the store's sales team) or erp.")
    answered_by_name: str
    message: str
    valid_until: datetime.date | None
    currency: str
    created_at: datetime.datetime
    total_before_tax: Decimal
    lines: list[QuoteVersionLineOut]
    removed_skus: list[str]


class QuoteEventOut(Schema):
    kind: str
    at: datetime.datetime
    actor_name: str
    comment: str
    version: int | None


class QuoteOut(Schema):
    id: int
    erp_number: str
    status: str = Field(description=QUOTE_STATUS)
    can_accept: bool = Field(description="Whether POST .../accept may succeed now.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    requested_date: datetime.date | None
    message: str
    ship_to_id: int | None
    valid_until: datetime.date | None
    lines: list[QuoteRequestedLineOut] = Field(description="What was asked for.")
    quotation: QuotationOut | None = Field(
        description="The ERP's answer as it stands (None before it has one, or while the ERP "
        "does not answer: see fresh)."
    )
    versions: list[QuoteVersionOut] = Field(description="Every answer, oldest first.")
    events: list[QuoteEventOut] = Field(description="The quote's timeline, oldest first.")
    error: str = Field(description="Why the ERP refused it (status refused).")
    fresh: bool


class QuoteAcceptOut(Schema):
    id: int
    erp_number: str
    status: str = Field(description="accepting, then ordered once the ERP confirmed it.")
    accepted_at: datetime.datetime | None
    already_accepted: bool = Field(description="It was accepted before this request.")
    awaiting_approval: bool = Field(
        description="Your company's approval rules hold it: it goes to the ERP once approved."
    )
    order_number: str = Field(
        description="The order it becomes (the ERP's sale keeps the quotation's number)."
    )


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None


# The problems any endpoint may answer with (documented; RFC 9457, application/problem+json).
ERRORS: dict[int, type[Schema]] = {code: ProblemOut for code in (400, 401, 403, 404, 422, 429, 503)}
# ... and a write's (a key still in use, prices moved, an order no longer cancellable).
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 409: ProblemOut}
