"""The one interface every ERP backend implements (``backends.tryton`` is the first).

Backends speak to their ERP and translate: ids, encodings and error payloads stay inside the
backend, and everything they return is a frozen dataclass from ``types``. They do no caching,
retrying or breaking: the gateway does that once for all of them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Protocol

from .types import (
    Availability,
    CancelResult,
    ConnectionReport,
    CreditStatus,
    CustomerBatch,
    Invoice,
    InvoiceDocument,
    LaunchOptions,
    LeadRequest,
    LeadResult,
    LineQuery,
    MappingQuery,
    MappingReport,
    OrderRequest,
    OrderReturnables,
    OrderStatus,
    OrderTotals,
    OrderValidation,
    PaymentRequest,
    PaymentResult,
    PriceQuote,
    ProductBatch,
    Quotation,
    QuotationAnswer,
    QuotationRequest,
    ReturnRequest,
    ReturnResult,
    ReturnStatus,
    SaleBatch,
    SaleDetail,
    SubmittedOrder,
    SyncCursor,
)


class ErpBackend(Protocol):
    """An ERP seen through the platform's eyes. Every method is one logical operation; where a
    method takes a batch it answers the whole batch in as few ERP requests as the ERP allows
    (never one per SKU)."""

    name: str

    def request_count(self) -> int:
        """ERP requests made so far by this backend instance (for budgets and tests)."""
        ...

    def change_fingerprints(self) -> tuple[str, str]:
        """Two texts, one for what prices are computed from and one for what stock is: each
        changes whenever anything it covers was created, written or deleted in the ERP (the
        change watch compares them: ``storefleet.erp.watch``)."""
        ...

    def products_changed_since(
        self, *, cursor: SyncCursor, limit: int, languages: Sequence[str] = ()
    ) -> ProductBatch:
        """Products written after ``cursor``, oldest first, at most ``limit``, with the names
        and descriptions the ERP really has in ``languages`` (not its fallback to the source
        text); a constant number of ERP requests per batch, whatever the languages."""
        ...

    def customers_changed_since(self, *, cursor: SyncCursor, limit: int) -> CustomerBatch:
        """Customers (with their addresses) written after ``cursor``, oldest first."""
        ...

    def prices(
        self, *, customer: str, lines: Sequence[LineQuery], currency: str | None = None
    ) -> list[PriceQuote]:
        """The customer's unit price for each (SKU, quantity), in input order, in ``currency``
        (a store's) or else the customer's own currency."""
        ...

    def availability(self, *, warehouse: str, lines: Sequence[LineQuery]) -> list[Availability]:
        """Stock of each SKU in the warehouse now, and the date the requested quantity is
        forecast to be there when it is not there now."""
        ...

    def validate_order(self, *, order: OrderRequest) -> OrderValidation:
        """A verdict per line and on credit, without writing anything."""
        ...

    def order_totals(self, *, order: OrderRequest) -> OrderTotals:
        """The untaxed amount, tax and total the ERP would invoice for ``order`` at each line's
        ``expected_unit_price`` (the ERP's price now where a line has none), computed by the
        ERP's own tax rules (the products' and the customer's), nothing written."""
        ...

    def submit_order(self, *, order: OrderRequest) -> SubmittedOrder:
        """Create and confirm the sale. The same idempotency key never makes a second sale:
        a retry returns (or finishes) the sale the key already made."""
        ...

    def order_status(self, *, number: str) -> OrderStatus:
        """State of the sale and its shipments."""
        ...

    def credit_status(self, *, customer: str) -> CreditStatus:
        """Credit limit, amount used and what is left."""
        ...

    def open_invoices(self, *, customer: str) -> list[Invoice]:
        """Posted, unpaid customer invoices, oldest due first."""
        ...

    def invoice_history(self, *, customer: str, limit: int) -> list[Invoice]:
        """Issued customer invoices, open and paid, newest first, at most ``limit``."""
        ...

    def record_payment(self, *, payment: PaymentRequest) -> PaymentResult:
        """Apply a payment to the named invoices, oldest due first."""
        ...

    def request_return(self, *, request: ReturnRequest) -> ReturnResult:
        """Open a return (complaint) against a confirmed order; idempotent by key."""
        ...

    def cancel_order(self, *, number: str) -> CancelResult:
        """Cancel an order while the ERP still allows it; ``ErpRejected`` otherwise."""
        ...

    def cancel_grace_period(self) -> datetime.timedelta | None:
        """How long after its confirmation a sale can still be cancelled (the ERP processes it
        then: shipments, invoices); None when the ERP processes it at once."""
        ...

    # -- invoice documents, returns (portal)
    def invoice_document(self, *, customer: str, number: str) -> InvoiceDocument:
        """The customer's posted or paid invoice with lines, taxes and what is left to pay;
        ``ErpNotFound`` for another customer's invoice, as for one that does not exist."""
        ...

    def order_returnables(self, *, customer: str, number: str) -> OrderReturnables:
        """The customer's sale line by line: ordered, shipped, already asked back by returns."""
        ...

    def return_statuses(self, *, keys: Sequence[str]) -> list[ReturnStatus]:
        """The returns filed under these idempotency keys (a key not filed yet is left out)."""
        ...

    # ---- sales as the customer follows them (My orders) ----
    def sales_changed_since(self, *, cursor: SyncCursor, limit: int) -> SaleBatch:
        """Sales of web customers written after ``cursor`` (or whose shipments or invoices
        were), oldest id first, at most ``limit``, each with its lines, shipments (what each
        carries) and invoices; the whole batch in a constant number of ERP requests."""
        ...

    def sale(self, *, number: str) -> SaleDetail:
        """One sale by its ERP number, as ``sales_changed_since`` reads it; ``ErpNotFound``
        when there is none."""
        ...

    # ---- end sales ----

    # ---- quotations (request for quote, quote to order) ----
    def request_quotation(self, *, request: QuotationRequest) -> Quotation:
        """Make the customer's sale in quotation state (at the ERP's prices, with its validity)
        for ``request``; the same idempotency key never makes a second one."""
        ...

    def quotations(self, *, customer: str) -> list[Quotation]:
        """The customer's quotations (open, and the orders accepted ones became), newest
        first, wherever they were entered; one ERP request."""
        ...

    def quotation(self, *, customer: str, number: str) -> Quotation:
        """One of the customer's quotations; ``ErpNotFound`` for another customer's."""
        ...

    def accept_quotation(self, *, customer: str, number: str) -> SubmittedOrder:
        """Confirm the customer's quotation at its quoted prices (the ERP's rules and credit
        still judge); ``ErpRejected`` with ``QUOTE_EXPIRED`` once its validity has passed.
        Accepting again returns the order it became (``created=False``)."""
        ...

    def answer_quotation(self, *, answer: QuotationAnswer) -> Quotation:
        """Write a salesperson's answer into the customer's open quotation: each named line's
        quantity and unit price, and its validity; the quotation stays a quotation (quoted
        today). Idempotent: a quotation that already reads as ``answer`` is left untouched, and
        a retry after an interrupted write finishes it. ``ErpRejected`` when the quotation is
        no longer open or a line is not the quotation's (or the ERP's rules refuse a value);
        ``ErpNotFound`` for another customer's."""
        ...

    def cancel_quotation(self, *, customer: str, number: str) -> Quotation:
        """Cancel the customer's open quotation (the buyer declined it). Idempotent: one
        cancelled already is returned as it is. ``ErpRejected`` once it is an order;
        ``ErpNotFound`` for another customer's."""
        ...

    # ---- end quotations ----

    # ---- leads (marketing's forms) ----
    def create_lead(self, *, lead: LeadRequest) -> LeadResult:
        """Record a visitor's enquiry as a lead for the sales team. The same idempotency key
        never makes a second one: a retry answers the lead the key made (``created=False``),
        in its state of now."""
        ...

    def test_connection(self) -> ConnectionReport:
        """Log in and report what is there: version, company, warehouses, price lists."""
        ...

    def launch_options(self) -> LaunchOptions:
        """The warehouses, price lists, currencies and product categories a new store may be
        mapped to. Reads only; a handful of requests."""
        ...

    def mapping_check(self, *, query: MappingQuery) -> MappingReport:
        """What the ERP has for a store's mapping: its warehouse, price list, currency and
        categories, and each sample SKU's list price (in that price list and currency) and
        stock (in that warehouse). Reads only; a handful of requests whatever the sample."""
        ...
