"""The Tryton backend: Tryton 8.2 over JSON-RPC (see /work/shared/reference/tryton-erp.md)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from storefleet.erp.types import (
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
    NamedRef,
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

from . import accounts, invoices, leads, mapping, orders, quotations, reads, returns, sales
from .client import TrytonClient, TrytonConfig
from .lookups import Lookups


class TrytonBackend:
    """``ErpBackend`` for Tryton. One instance per process and configuration (the gateway
    keeps it): it owns the HTTP pool, the session and the master-data memos."""

    name = "tryton"

    def __init__(
        self,
        config: TrytonConfig,
        *,
        lookup_ttl: float = 300.0,
        customer_domain: list[Any] | None = None,
        complaint_type: str = "Return",
    ) -> None:
        self.config = config
        self.client = TrytonClient(config)
        self.lookups = Lookups(self.client, lookup_ttl)
        self.customer_domain = customer_domain or []
        self.complaint_type = complaint_type
        self.shipment_fields = sales.ShipmentFields()

    def request_count(self) -> int:
        return self.client.requests

    def change_fingerprints(self) -> tuple[str, str]:
        return (
            reads.fingerprint(self.client, reads.PRICE_MODELS),
            reads.fingerprint(self.client, reads.STOCK_MODELS),
        )

    def close(self) -> None:
        self.client.close()

    def products_changed_since(
        self, *, cursor: SyncCursor, limit: int, languages: Sequence[str] = ()
    ) -> ProductBatch:
        return reads.products_changed_since(self.client, self.lookups, cursor, limit, languages)

    def customers_changed_since(self, *, cursor: SyncCursor, limit: int) -> CustomerBatch:
        return reads.customers_changed_since(
            self.client, self.lookups, cursor, limit, self.customer_domain
        )

    def prices(
        self, *, customer: str, lines: Sequence[LineQuery], currency: str | None = None
    ) -> list[PriceQuote]:
        return reads.prices(self.client, self.lookups, customer, lines, currency)

    def availability(self, *, warehouse: str, lines: Sequence[LineQuery]) -> list[Availability]:
        return reads.availability(self.client, self.lookups, warehouse, lines)

    def validate_order(self, *, order: OrderRequest) -> OrderValidation:
        return orders.validate(self.client, self.lookups, order)

    def order_totals(self, *, order: OrderRequest) -> OrderTotals:
        return orders.totals(self.client, self.lookups, order)

    def submit_order(self, *, order: OrderRequest) -> SubmittedOrder:
        return orders.submit(self.client, self.lookups, order)

    def order_status(self, *, number: str) -> OrderStatus:
        return orders.status(self.client, number)

    def cancel_order(self, *, number: str) -> CancelResult:
        return orders.cancel(self.client, number)

    def cancel_grace_period(self) -> datetime.timedelta | None:
        return orders.cancel_grace_period(self.client)

    def credit_status(self, *, customer: str) -> CreditStatus:
        return accounts.credit_status(self.client, self.lookups, customer)

    def open_invoices(self, *, customer: str) -> list[Invoice]:
        return accounts.open_invoices(self.client, self.lookups, customer)

    def invoice_history(self, *, customer: str, limit: int) -> list[Invoice]:
        return accounts.invoice_history(self.client, self.lookups, customer, limit)

    def record_payment(self, *, payment: PaymentRequest) -> PaymentResult:
        return accounts.record_payment(self.client, self.lookups, payment)

    def request_return(self, *, request: ReturnRequest) -> ReturnResult:
        return returns.request_return(self.client, self.lookups, request, self.complaint_type)

    # -- invoice documents, returns (portal)
    def invoice_document(self, *, customer: str, number: str) -> InvoiceDocument:
        return invoices.invoice_document(self.client, self.lookups, customer, number)

    def order_returnables(self, *, customer: str, number: str) -> OrderReturnables:
        return returns.order_returnables(self.client, self.lookups, customer, number)

    def return_statuses(self, *, keys: Sequence[str]) -> list[ReturnStatus]:
        return returns.return_statuses(self.client, keys)

    # ---- sales as the customer follows them (My orders) ----
    def sales_changed_since(self, *, cursor: SyncCursor, limit: int) -> SaleBatch:
        return sales.sales_changed_since(
            self.client, self.shipment_fields, cursor, limit, self.customer_domain
        )

    def sale(self, *, number: str) -> SaleDetail:
        return sales.sale(self.client, self.shipment_fields, number)

    # ---- end sales ----

    # ---- quotations ----
    def request_quotation(self, *, request: QuotationRequest) -> Quotation:
        return quotations.request_quotation(self.client, self.lookups, request)

    def quotations(self, *, customer: str) -> list[Quotation]:
        return quotations.quotations(self.client, self.lookups, customer)

    def quotation(self, *, customer: str, number: str) -> Quotation:
        return quotations.quotation(self.client, self.lookups, customer, number)

    def accept_quotation(self, *, customer: str, number: str) -> SubmittedOrder:
        return quotations.accept_quotation(
            self.client, self.lookups, customer, number, datetime.date.today()
        )

    def answer_quotation(self, *, answer: QuotationAnswer) -> Quotation:
        return quotations.answer_quotation(self.client, self.lookups, answer, datetime.date.today())

    def cancel_quotation(self, *, customer: str, number: str) -> Quotation:
        return quotations.cancel_quotation(self.client, self.lookups, customer, number)

    # ---- end quotations ----

    # ---- leads ----
    def create_lead(self, *, lead: LeadRequest) -> LeadResult:
        return leads.create_lead(self.client, self.lookups, lead)

    def test_connection(self) -> ConnectionReport:
        self.lookups.clear()
        version = self.client.server_version()
        company = self.lookups.company()
        warehouses = self.lookups.warehouses()
        price_lists = self.client.search_read(
            "product.price_list", [], ["name"], order=[["id", "ASC"]]
        )
        return ConnectionReport(
            backend=self.name,
            url=self.config.url,
            database=self.config.database,
            version=version,
            company=company.name,
            currency=company.currency,
            warehouses=tuple(
                NamedRef(erp_id=wid, code=code, name=name)
                for code, (wid, name) in warehouses.items()
            ),
            price_lists=tuple(
                NamedRef(erp_id=p["id"], code=str(p["id"]), name=p["name"]) for p in price_lists
            ),
        )

    def launch_options(self) -> LaunchOptions:
        self.lookups.clear()
        return mapping.launch_options(self.client, self.lookups)

    def mapping_check(self, *, query: MappingQuery) -> MappingReport:
        self.lookups.clear()
        return mapping.mapping_check(self.client, self.lookups, query)


def from_settings() -> TrytonBackend:
    """The factory ``ERP_BACKEND`` names by default."""
    from django.conf import settings

    return TrytonBackend(
        TrytonConfig(
            url=settings.ERP_URL,
            database=settings.ERP_DATABASE,
            user=settings.ERP_USER,
            password=settings.ERP_PASSWORD,
            connect_timeout=settings.ERP_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.ERP_READ_TIMEOUT_SECONDS,
            pool_size=settings.ERP_POOL_SIZE,
        ),
        # A memo of master data (a product's unit, whether it is sold) never outlives an ERP
        # change by more than a cached price does: the cart's verdict stands on both.
        lookup_ttl=min(settings.ERP_MASTER_DATA_TTL_SECONDS, settings.ERP_PRICE_TTL_SECONDS),
        customer_domain=settings.ERP_CUSTOMER_DOMAIN,
        complaint_type=settings.ERP_RETURN_COMPLAINT_TYPE,
    )
