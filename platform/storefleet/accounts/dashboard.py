"""The buyer's home after sign-in: what a buyer comes back for, read from the apps that own
it (orders from ordering, credit and open invoices from the ERP through the gateway), always
for the buyer's own company in the store the request reached.

The home is the page a buyer lands on after every sign-in and comes back to between tasks:
its ERP reads (credit and open invoices) are kept ``ERP_SALE_TTL_SECONDS``, the gateway's
time-to-live for the reads behind a buyer's order pages, per customer and under the
company's version (``brand.buyer_cache``: an order placed, cancelled or mirrored anew moves
it), so a second view within the TTL asks the ERP nothing. The invoices page and the
statement stay uncached: what is paid is read there as the ERP has it now."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache

from storefleet.billing.selectors import AccountStatement, scoped_invoices
from storefleet.brand.buyer_cache import company_version_key, versions
from storefleet.erp.errors import ErpError
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import CreditStatus, Invoice
from storefleet.money import Money
from storefleet.ordering.order_history import OrderRow, company_orders, order_rows
from storefleet.ordering.scope import OrderScope

from .models import Membership

RECENT_ORDERS = 5


@dataclass(frozen=True, slots=True)
class BuyerHome:
    recent_orders: tuple[OrderRow, ...]
    # None: the ERP did not answer; the page says so and shows the rest.
    statement: AccountStatement | None

    @property
    def last_order(self) -> OrderRow | None:
        return self.recent_orders[0] if self.recent_orders else None

    @property
    def open_total(self) -> Money | None:
        """The sum still to pay over the open invoices, when they share one currency."""
        if self.statement is None or not self.statement.invoices:
            return None
        currencies = {i.amount_to_pay.currency for i in self.statement.invoices}
        if len(currencies) != 1:
            return None
        amount = sum((i.amount_to_pay.amount for i in self.statement.invoices), Decimal(0))
        return Money(amount=amount, currency=currencies.pop())


def _account_key(customer: str) -> str:
    digest = hashlib.blake2b(customer.encode(), digest_size=12).hexdigest()
    return f"accounts:home:erp:{digest}"


def erp_account(*, customer: str, company_id: int) -> tuple[CreditStatus, tuple[Invoice, ...]]:
    """The customer's credit and open invoices as the ERP answered them within the last
    ``ERP_SALE_TTL_SECONDS`` (and since the company's last order change), else asked now. An
    ERP failure is raised, never kept."""
    version = versions([company_version_key(company_id)])
    key = _account_key(customer)
    hit = cache.get(key)
    if (
        hit is not None
        and hit[0] == version
        and time.time() - hit[1] < settings.ERP_SALE_TTL_SECONDS
    ):
        return hit[2]
    gateway = get_gateway()
    answer = (
        gateway.credit_status(customer=customer),
        tuple(gateway.open_invoices(customer=customer)),
    )
    cache.set(key, (version, time.time(), answer), timeout=settings.ERP_SALE_TTL_SECONDS)
    return answer


def buyer_home(*, membership: Membership, store_id: int) -> BuyerHome:
    """The dashboard's content. The ERP is asked at most once per TTL (credit and open
    invoices, ``erp_account``); when it is away the orders (from the platform's mirror) are
    still shown."""
    company = membership.company
    rows = company_orders(company=company, store_id=store_id)[:RECENT_ORDERS]
    try:
        credit, invoices = erp_account(customer=company.code, company_id=company.id)
    except ErpError:
        statement: AccountStatement | None = None
    else:
        scope = OrderScope.store(company=company, store_id=store_id)
        statement = AccountStatement(
            credit=credit, invoices=tuple(scoped_invoices(scope=scope, invoices=invoices))
        )
    recent = order_rows(rows, company=company, store_id=store_id)
    return BuyerHome(recent_orders=tuple(recent), statement=statement)
