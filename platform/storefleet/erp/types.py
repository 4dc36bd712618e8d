"""Everything that crosses the ERP boundary: frozen dataclasses and Enums, never bare dicts.

Money is a Decimal with its currency and quantities carry their unit (both from
``storefleet.money``). A record that was answered from the cache while the ERP could not be
reached says so with ``stale=True``."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import Decimal

from storefleet.money import Money, Quantity


# ------------------------------------------------------------------ master data (sync)
@dataclass(frozen=True, slots=True)
class ProductText:
    """A product's name and description as the ERP really has them in ``language``: "" where
    it has none (the ERP itself would answer its source text; the storefront says so)."""

    language: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class ProductRecord:
    erp_id: int
    sku: str
    name: str
    unit: str
    salable: bool
    active: bool
    min_quantity: Decimal | None
    multiple: Decimal | None
    categories: tuple[str, ...]
    list_price: Money
    erp_write_date: datetime.datetime
    # The ERP's codes of ``categories``, in the same order ("" where one has none).
    category_codes: tuple[str, ...] = ()
    # In the ERP's own language, like ``name``.
    description: str = ""
    # The languages asked for that the ERP has a name or description in (no entry: none).
    translations: tuple[ProductText, ...] = ()


@dataclass(frozen=True, slots=True)
class AddressRecord:
    erp_id: int
    name: str
    street: str
    postal_code: str
    city: str
    country: str
    invoice: bool
    delivery: bool
    active: bool


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    erp_id: int
    code: str
    name: str
    price_list: str | None
    payment_term: str | None
    credit_limit: Money | None
    addresses: tuple[AddressRecord, ...]
    erp_write_date: datetime.datetime


@dataclass(frozen=True, slots=True)
class SyncCursor:
    """Where an incremental sync stands: records written after ``write_date`` (ties broken
    by ``erp_id``) have not been seen yet."""

    write_date: datetime.datetime | None = None
    erp_id: int = 0


@dataclass(frozen=True, slots=True)
class ProductBatch:
    records: tuple[ProductRecord, ...]
    next_cursor: SyncCursor
    complete: bool


@dataclass(frozen=True, slots=True)
class CustomerBatch:
    records: tuple[CustomerRecord, ...]
    next_cursor: SyncCursor
    complete: bool


# ------------------------------------------------------------------ prices and stock
@dataclass(frozen=True, slots=True)
class LineQuery:
    """One SKU at one quantity (in the product's sales unit)."""

    sku: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class PriceQuote:
    sku: str
    quantity: Decimal
    unit_price: Money | None  # None: the ERP does not know the SKU
    unit: str | None
    known: bool
    stale: bool = False

    @property
    def line_total(self) -> Money | None:
        if self.unit_price is None:
            return None
        return Money(self.unit_price.amount * self.quantity, self.unit_price.currency)


@dataclass(frozen=True, slots=True)
class Availability:
    sku: str
    warehouse: str
    requested: Decimal
    available_now: Quantity | None  # None: the ERP does not know the SKU
    known: bool
    # First date the forecast reaches the requested quantity, when there is not enough now;
    # None when there is enough now, or when no planned supply brings enough.
    available_from: datetime.date | None
    stale: bool = False

    @property
    def enough_now(self) -> bool:
        return self.available_now is not None and self.available_now.value >= self.requested


# ------------------------------------------------------------------ orders
class ReasonCode(enum.StrEnum):
    UNKNOWN_PRODUCT = "unknown_product"
    NOT_SALABLE = "not_salable"
    BELOW_MINIMUM = "below_minimum"
    NOT_A_MULTIPLE = "not_a_multiple"
    INSUFFICIENT_STOCK = "insufficient_stock"
    PRICE_CHANGED = "price_changed"
    CREDIT_LIMIT_EXCEEDED = "credit_limit_exceeded"
    UNKNOWN_CUSTOMER = "unknown_customer"
    UNKNOWN_WAREHOUSE = "unknown_warehouse"
    UNKNOWN_ADDRESS = "unknown_address"
    NOT_CANCELLABLE = "not_cancellable"
    NOT_RETURNABLE = "not_returnable"
    NOTHING_TO_PAY = "nothing_to_pay"
    QUOTE_EXPIRED = "quote_expired"  # the quotation's validity has passed
    REFUSED = "refused"  # the ERP refused for a reason it did not name in a way we map


@dataclass(frozen=True, slots=True)
class OrderLineRequest:
    sku: str
    quantity: Decimal
    # The unit price the customer saw; a different ERP price is PRICE_CHANGED.
    expected_unit_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderRequest:
    customer: str  # ERP customer code
    warehouse: str  # ERP warehouse code
    ship_to_address_id: int
    lines: tuple[OrderLineRequest, ...]
    idempotency_key: str
    po_number: str = ""
    requested_delivery_date: datetime.date | None = None
    notes: str = ""
    # Submit even where stock is short (the ERP back-orders); credit is never overridden.
    # The store's currency: the sale is priced and invoiced in it (the customer's own when
    # empty); Tryton converts from the company's currency at its exchange rate.
    currency: str = ""
    accept_backorder: bool = False
    # The platform validated exactly these lines with the ERP moments ago and each line's
    # expected_unit_price is the ERP's price then: submission creates the sale at those prices
    # without validating again (the ERP still enforces its rules, stock and credit when the
    # sale is quoted and confirmed, and a refusal then is mapped like a validation's).
    prechecked: bool = False
    # Those prices were read from the ERP seconds ago (the order's placement asked for them):
    # the sale is made at them without asking again beside its create. Only with prechecked.
    prices_current: bool = False
    # No submission with this idempotency key was ever attempted, so there is no earlier sale
    # to look for. The gateway clears it on its own retries.
    first_submission: bool = False


@dataclass(frozen=True, slots=True)
class LineVerdict:
    index: int
    sku: str
    quantity: Decimal
    reasons: tuple[ReasonCode, ...]
    unit_price: Money | None = None
    suggested_quantity: Decimal | None = None
    available_quantity: Decimal | None = None
    available_from: datetime.date | None = None

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass(frozen=True, slots=True)
class CreditVerdict:
    limit: Money | None
    used: Money
    order_total: Money
    reasons: tuple[ReasonCode, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons


@dataclass(frozen=True, slots=True)
class OrderValidation:
    lines: tuple[LineVerdict, ...]
    credit: CreditVerdict
    # A short line makes the order a back-order, not an error, when the buyer accepts it.
    accept_backorder: bool = False

    @property
    def ok(self) -> bool:
        blocking = [
            reason
            for line in self.lines
            for reason in line.reasons
            if not (self.accept_backorder and reason is ReasonCode.INSUFFICIENT_STOCK)
        ]
        return not blocking and self.credit.ok

    @property
    def reasons(self) -> tuple[ReasonCode, ...]:
        found = [r for line in self.lines for r in line.reasons] + list(self.credit.reasons)
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class OrderTotals:
    """What the ERP would invoice for an order at the given unit prices: the lines' amounts
    (each rounded by the ERP), its taxes and the total, as Tryton's sale computes them."""

    untaxed: Money
    tax: Money
    total: Money


class OrderState(enum.StrEnum):
    DRAFT = "draft"
    QUOTATION = "quotation"
    CONFIRMED = "confirmed"
    PROCESSING = "processing"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class SubmittedOrder:
    erp_id: int
    number: str
    state: OrderState
    total: Money
    idempotency_key: str
    created: bool  # False when the key had already produced this sale


class ShipmentState(enum.StrEnum):
    NONE = "none"
    WAITING = "waiting"
    PARTIALLY_SHIPPED = "partially shipped"
    SENT = "sent"
    EXCEPTION = "exception"


# Where something has left the warehouse: a return can be asked for, the order counts as
# shipped. Plain strings (a mirrored ``shipment_state``) are members too: StrEnum hashes alike.
SHIPPED_STATES: frozenset[str] = frozenset({ShipmentState.PARTIALLY_SHIPPED, ShipmentState.SENT})


@dataclass(frozen=True, slots=True)
class Shipment:
    number: str
    state: str  # the ERP's shipment state: draft, waiting, assigned, picked, packed, done, …
    planned_date: datetime.date | None
    effective_date: datetime.date | None


@dataclass(frozen=True, slots=True)
class OrderStatus:
    erp_id: int
    number: str
    customer: str
    po_number: str
    state: OrderState
    shipment_state: ShipmentState
    shipments: tuple[Shipment, ...]
    total: Money

    @property
    def partially_shipped(self) -> bool:
        return self.shipment_state is ShipmentState.PARTIALLY_SHIPPED


@dataclass(frozen=True, slots=True)
class CreditStatus:
    customer: str
    limit: Money | None  # None: no limit
    used: Money
    available: Money | None
    stale: bool = False


@dataclass(frozen=True, slots=True)
class Invoice:
    erp_id: int
    number: str
    customer: str
    invoice_date: datetime.date | None
    total: Money
    amount_to_pay: Money
    due_date: datetime.date | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    customer: str
    invoice_numbers: tuple[str, ...]
    amount: Money
    date: datetime.date
    idempotency_key: str


@dataclass(frozen=True, slots=True)
class PaymentAllocation:
    invoice_number: str
    amount: Money
    remaining: Money


@dataclass(frozen=True, slots=True)
class PaymentResult:
    idempotency_key: str
    allocations: tuple[PaymentAllocation, ...]
    unallocated: Money


@dataclass(frozen=True, slots=True)
class ReturnLine:
    sku: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    customer: str
    order_number: str
    reason: str
    idempotency_key: str
    lines: tuple[ReturnLine, ...] = ()


@dataclass(frozen=True, slots=True)
class ReturnResult:
    erp_id: int
    number: str
    state: str
    created: bool


@dataclass(frozen=True, slots=True)
class LeadRequest:
    """A visitor's enquiry from a store's form, to become a lead in the ERP (a prospect, not a
    customer yet: no party is required). ``details``: (label, value) pairs as the visitor
    filled them in, in the form's order."""

    idempotency_key: str
    title: str
    contact_name: str
    email: str
    company_name: str = ""
    phone: str = ""
    store: str = ""
    source_url: str = ""
    language: str = ""
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LeadResult:
    erp_id: int
    number: str
    state: str  # the ERP's own word: lead, opportunity, converted, won, lost, cancelled
    created: bool


@dataclass(frozen=True, slots=True)
class CancelResult:
    number: str
    state: OrderState
    already_cancelled: bool


@dataclass(frozen=True, slots=True)
class NamedRef:
    erp_id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    backend: str
    url: str
    database: str
    version: str
    company: str
    currency: str
    warehouses: tuple[NamedRef, ...]
    price_lists: tuple[NamedRef, ...]


@dataclass(frozen=True, slots=True)
class LaunchOptions:
    """What the ERP offers a new store: the choices the launch wizard shows its regional
    manager (a store's mapping must name one warehouse, one price list and one currency from
    these, and categories from ``categories``)."""

    company: str
    company_currency: str
    warehouses: tuple[NamedRef, ...]
    price_lists: tuple[NamedRef, ...]
    # Currencies the ERP can price in: the company's own and those it has an exchange rate for.
    currencies: tuple[str, ...]
    categories: tuple[NamedRef, ...]


@dataclass(frozen=True, slots=True)
class MappingQuery:
    """What a store declares it takes from the ERP: checked before the store is launched."""

    warehouse: str
    price_list: str
    currency: str
    # Product categories the store sells, by the ERP's category code or name.
    assortment: tuple[str, ...]
    sample_skus: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MappingSample:
    """One sample SKU as the store would sell it: its list price in the store's price list
    and currency, and its stock in the store's warehouse (``None`` where the ERP has none)."""

    sku: str
    known: bool
    salable: bool
    categories: tuple[str, ...]
    list_price: Money | None
    unit: str | None
    stock: Quantity | None


@dataclass(frozen=True, slots=True)
class MappingReport:
    """The ERP's answer to a store's mapping: what it has, and what of the mapping it found."""

    backend: str
    version: str
    company: str
    company_currency: str
    warehouses: tuple[NamedRef, ...]
    price_lists: tuple[NamedRef, ...]
    # Currencies the ERP can price in: the company's own and those it has an exchange rate for.
    currencies: tuple[str, ...]
    categories: tuple[NamedRef, ...]
    warehouse: NamedRef | None
    price_list: NamedRef | None
    currency_priced: bool
    assortment: tuple[NamedRef, ...]
    missing_categories: tuple[str, ...]
    samples: tuple[MappingSample, ...]

    @property
    def ok(self) -> bool:
        return (
            self.warehouse is not None
            and self.price_list is not None
            and self.currency_priced
            and not self.missing_categories
            and all(s.known and s.salable and s.list_price is not None for s in self.samples)
        )


@dataclass(frozen=True, slots=True)
class CallStats:
    operation: str
    count: int
    errors: int
    total_ms: float
    max_ms: float

    @property
    def mean_ms(self) -> float:
        return self.total_ms / self.count if self.count else 0.0


# ------------------------------------------------------------------ documents, cancels, returns
@dataclass(frozen=True, slots=True)
class InvoiceDocumentLine:
    sku: str
    description: str
    quantity: Quantity
    unit_price: Money
    amount: Money
    taxes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InvoiceDocumentTax:
    description: str
    base: Money
    amount: Money


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything an invoice document shows, as the ERP has it now (paid or open)."""

    erp_id: int
    number: str
    state: str  # the ERP's: posted, paid
    customer: str
    customer_name: str
    invoice_address: tuple[str, ...]  # lines of the postal address
    seller_name: str
    invoice_date: datetime.date | None
    due_date: datetime.date | None
    payment_term: str
    reference: str
    lines: tuple[InvoiceDocumentLine, ...]
    taxes: tuple[InvoiceDocumentTax, ...]
    untaxed: Money
    tax: Money
    total: Money
    amount_to_pay: Money


@dataclass(frozen=True, slots=True)
class ReturnableLine:
    """One line of a sale as far as a return is concerned: ``returnable`` is what was shipped
    less what open or accepted returns already ask for."""

    line_id: int
    sku: str
    name: str
    unit: str
    ordered: Decimal
    shipped: Decimal
    requested: Decimal

    @property
    def returnable(self) -> Decimal:
        return max(self.shipped - self.requested, Decimal(0))


@dataclass(frozen=True, slots=True)
class OrderReturnables:
    number: str
    customer: str
    state: OrderState
    lines: tuple[ReturnableLine, ...]


@dataclass(frozen=True, slots=True)
class ReturnStatus:
    """A return (complaint) in the ERP, found by the idempotency key it was filed under."""

    idempotency_key: str
    erp_id: int
    number: str
    state: str  # the ERP's: draft, waiting, approved, rejected, done, cancelled


# ------------------------------------------------------------------ sales as the buyer follows them
# One ERP sale with what the customer's "My orders" page shows: its lines, the shipments that
# carry them (a split or partial delivery is several shipments, each with what it carries) and
# its invoices. Read in batches for the mirror (``sales_changed_since``) and one at a time to
# refresh a page on view (``sale``).
@dataclass(frozen=True, slots=True)
class SaleLineDetail:
    erp_id: int
    sku: str
    name: str
    quantity: Quantity
    unit_price: Money | None
    amount: Money
    shipped: Decimal  # in the line's unit: what left the warehouse (shipments done)


@dataclass(frozen=True, slots=True)
class ShipmentLineDetail:
    line_erp_id: int  # the sale line this shipment carries part or all of
    sku: str
    quantity: Quantity


@dataclass(frozen=True, slots=True)
class ShipmentDetail:
    erp_id: int
    number: str
    state: str  # the ERP's shipment state: draft, waiting, assigned, picked, packed, done, …
    planned_date: datetime.date | None
    effective_date: datetime.date | None
    tracking_reference: str  # the carrier's tracking number where the ERP has one, else ""
    carrier: str
    lines: tuple[ShipmentLineDetail, ...]


class InvoiceState(enum.StrEnum):
    """A customer invoice's state in the ERP."""

    DRAFT = "draft"
    VALIDATED = "validated"
    POSTED = "posted"
    PAID = "paid"
    CANCELLED = "cancelled"


# An invoice with its number, a document and an amount to pay (open or paid).
ISSUED_INVOICE_STATES: frozenset[str] = frozenset({InvoiceState.POSTED, InvoiceState.PAID})


class SaleInvoiceState(enum.StrEnum):
    """How far a sale's invoicing has come, as the ERP sums it up."""

    NONE = "none"
    PENDING = "pending"
    AWAITING_PAYMENT = "awaiting payment"
    PARTIALLY_PAID = "partially paid"
    PAID = "paid"
    EXCEPTION = "exception"


@dataclass(frozen=True, slots=True)
class SaleInvoiceDetail:
    erp_id: int
    number: str  # "" while the invoice is a draft
    state: str  # an InvoiceState's value
    invoice_date: datetime.date | None
    total: Money
    amount_to_pay: Money
    due_date: datetime.date | None
    paid_date: datetime.date | None


@dataclass(frozen=True, slots=True)
class SaleDetail:
    erp_id: int
    number: str  # "" for a draft the ERP has not numbered yet
    customer: str  # ERP customer code
    po_number: str
    sale_date: datetime.date | None
    state: OrderState
    shipment_state: str  # a ShipmentState's value: none, waiting, partially shipped, …
    invoice_state: str  # a SaleInvoiceState's value
    total: Money
    warehouse: str
    # The platform's idempotency key when the sale came from the platform (else "").
    idempotency_key: str
    lines: tuple[SaleLineDetail, ...]
    shipments: tuple[ShipmentDetail, ...]
    invoices: tuple[SaleInvoiceDetail, ...]
    erp_created: datetime.datetime
    # The latest write to the sale, its shipments or its invoices.
    erp_write_date: datetime.datetime


@dataclass(frozen=True, slots=True)
class SaleBatch:
    records: tuple[SaleDetail, ...]
    next_cursor: SyncCursor
    complete: bool


# ---- quotations (request for quote, quote to order) ----
@dataclass(frozen=True, slots=True)
class QuotationLineRequest:
    sku: str
    quantity: Decimal
    note: str = ""  # the buyer's target price and note, for the salesperson
    # The customer's price the platform holds for the line (its cache), if it holds one: the
    # sale is made at it while the ERP is asked for its price of now, and made again at the
    # ERP's if they differ.
    held_unit_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class QuotationRequest:
    """A buyer's request for quote, to become a sale in quotation state under its key."""

    customer: str  # ERP customer code
    warehouse: str  # ERP warehouse code
    ship_to_address_id: int
    lines: tuple[QuotationLineRequest, ...]
    idempotency_key: str
    currency: str = ""
    requested_date: datetime.date | None = None
    message: str = ""
    reference: str = ""
    # No request with this idempotency key was ever sent, so there is no earlier sale to look
    # for. The gateway clears it on its own retries (a lost answer may hide a made sale).
    first_request: bool = False


@dataclass(frozen=True, slots=True)
class QuotationLine:
    sku: str
    name: str
    quantity: Decimal
    unit_price: Money
    amount: Money
    note: str = ""
    erp_id: int = 0  # the ERP's line, which an answer names


@dataclass(frozen=True, slots=True)
class QuotationLineAnswer:
    """A salesperson's answer to one line of a quotation: its quantity and unit price (in the
    quotation's currency). ``line_id`` is the ERP's line (``QuotationLine.erp_id``); ``sku``
    must be that line's product, so a stale form can't price another line."""

    line_id: int
    sku: str
    quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class QuotationAnswer:
    """An answer to the customer's quotation ``number``: every line named gets its quantity
    and unit price, and the quotation is valid until ``expires`` (None: left as it is)."""

    customer: str
    number: str
    lines: tuple[QuotationLineAnswer, ...]
    expires: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Quotation:
    """A sale of the customer in the ERP as a quote: its lines at the quoted prices, until
    when it can be accepted (``expires``; None: no validity set), and its state (a quotation,
    or the order it became)."""

    erp_id: int
    number: str
    customer: str
    state: OrderState
    lines: tuple[QuotationLine, ...]
    total: Money
    quoted_on: datetime.date | None
    expires: datetime.date | None
    idempotency_key: str = (
        ""  # the platform's key when it made the sale; "" when entered in the ERP
    )
    reference: str = ""

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and self.expires < today
