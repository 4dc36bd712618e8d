"""The buyer's home after sign-in: what a buyer comes back for, read from the apps that own
it (orders from ordering, credit and open invoices from the ERP through billing), always for
the buyer's own company in the store the request reached."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from storefleet.billing.selectors import AccountStatement, account_statement
from storefleet.erp.errors import ErpError
from storefleet.erp.types import Money
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


def buyer_home(*, membership: Membership, store_id: int) -> BuyerHome:
    """The dashboard's content. The ERP is asked once (credit and open invoices); when it is
    away the orders (from the platform's mirror) are still shown."""
    company = membership.company
    rows = company_orders(company=company, store_id=store_id)[:RECENT_ORDERS]
    try:
        statement: AccountStatement | None = account_statement(
            scope=OrderScope.store(company=company, store_id=store_id)
        )
    except ErpError:
        statement = None
    recent = order_rows(rows, company=company, store_id=store_id)
    return BuyerHome(recent_orders=tuple(recent), statement=statement)
