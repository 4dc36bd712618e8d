"""What the ERP will invoice for a cart: net, tax and total, shown at checkout before the
order is placed (buyers of a B2B store budget with the gross amount, and the tax is the ERP's
to compute: its tax rules, its rounding)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from storefleet.accounts.models import Company
from storefleet.erp.errors import ErpError
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import OrderTotals
from storefleet.money import Money
from storefleet.tenants.selectors import StoreRecord

from .checks import CartCheck, order_request
from .order_history import SaleView


def checkout_totals(
    *, store: StoreRecord, company: Company, check: CartCheck
) -> OrderTotals | None:
    """The ERP's net, tax and total for the checked lines at the prices the check gave them
    (one gateway call, cached for the same lines and prices); ``None`` while a line has no
    price or the ERP can't be asked: the page then shows the net total only and says so."""
    if not check.lines or check.degraded or any(line.unit_price is None for line in check.lines):
        return None
    request = order_request(
        store=store,
        company=company,
        ship_to_erp_id=0,  # taxes follow the products and the customer, not the address
        lines=[
            (line.product.sku, line.quantity, line.unit_price.amount)  # type: ignore[union-attr]
            for line in check.lines
        ],
        key="totals",
    )
    try:
        return get_gateway().order_totals(store=store.slug, order=request)
    except ErpError:
        return None


def sales_totals(sales: Sequence[SaleView]) -> OrderTotals | None:
    """Net, tax and total of an order's ERP sales as the ERP has them (its lines' amounts,
    its total): the figures the checkout showed, now from the sales themselves. ``None``
    before the ERP has a sale."""
    if not sales:
        return None
    currency = sales[0].record.currency
    untaxed = sum((line.amount.amount for sale in sales for line in sale.lines), Decimal(0))
    total = sum((sale.record.total for sale in sales), Decimal(0))
    return OrderTotals(
        untaxed=Money(untaxed, currency),
        tax=Money(total - untaxed, currency),
        total=Money(total, currency),
    )
