"""One order's page, whoever asks: the storefront's buyer, an agent in the console, an API key.
``order_page_refresh`` (a write: the sales mirror) brings the order up to date from the ERP;
``order_page`` (a read) returns everything the page shows and every rule on it, so that the
three faces render the same answers and decide nothing themselves."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext

from .actions import OrderActions, Stage, erp_status_of, order_actions
from .cancel import awaiting_approval_text, not_cancellable_text
from .models import Order, ReturnRequest, SaleRecord
from .order_history import SaleView, sale_view
from .returns.selectors import not_shipped_text
from .sales_mirror import sales_refresh
from .scope import MAX_NUMBER

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal

    from .totals import OrderTotals


@dataclasses.dataclass(frozen=True, slots=True)
class OrderPage:
    """One order as every face shows it.

    ``number`` is the page's own: the web order's number, else the ERP sale's. ``asked`` is
    the number the caller asked by (an ERP number of a web order's sale finds the web order:
    ``moved`` then says the page lives at ``number``). ``sale`` is the mirrored sale asked for
    when it was asked by a sale's number."""

    number: str
    asked: str
    order: Order | None
    sale: SaleRecord | None
    sales: tuple[SaleView, ...]
    actions: OrderActions
    returns: tuple[ReturnRequest, ...]
    fresh: bool
    totals: OrderTotals | None  # complete once every sale of the order is in the ERP

    @property
    def kind(self) -> str:
        return "order" if self.order is not None else "sale"

    @property
    def moved(self) -> bool:
        return self.asked != self.number

    @property
    def stage(self) -> Stage | None:
        return self.actions.stage

    @property
    def can_cancel(self) -> bool:
        return self.actions.cancel

    @property
    def can_return(self) -> bool:
        return self.actions.request_return

    @property
    def why_not_cancel(self) -> str:
        """Why the order can't be cancelled (blank when it can): the refusal cancelling would
        get."""
        if self.actions.cancel:
            return ""
        if self.actions.stage is Stage.CANCELLED:
            return gettext("Order %(number)s is already cancelled.") % {"number": self.number}
        if self.actions.stage in (Stage.AWAITING_APPROVAL, Stage.NOT_APPROVED):
            return awaiting_approval_text(self.number)
        if self.actions.stage is Stage.REFUSED:
            return gettext(
                "Order %(number)s was refused by our ERP: nothing was ordered, so there is "
                "nothing to cancel."
            ) % {"number": self.number}
        return not_cancellable_text(self.number)

    @property
    def why_not_return(self) -> str:
        """Why nothing of the order can be returned (blank when something can)."""
        if self.actions.request_return:
            return ""
        if self.actions.stage is Stage.CANCELLED:
            return gettext("Order %(number)s is cancelled: there is nothing to return.") % {
                "number": self.number
            }
        if self.actions.stage in (Stage.AWAITING_APPROVAL, Stage.NOT_APPROVED):
            return gettext(
                "Order %(number)s has not reached our ERP: nothing was delivered, so there is "
                "nothing to return."
            ) % {"number": self.number}
        if self.actions.stage is Stage.REFUSED:
            return gettext(
                "Order %(number)s was refused by our ERP: nothing was ordered, so there is "
                "nothing to return."
            ) % {"number": self.number}
        return not_shipped_text(number=self.number, cancellable=self.can_cancel)


def _find(principal: Principal, number: str) -> tuple[Order | None, SaleRecord | None]:
    """The web order ``number`` names (by its own number, or one of its sales'), else the
    sale entered in the ERP; (None, None) when the principal may not reach it."""
    if not number or len(number) > MAX_NUMBER or not number.isprintable():
        return None, None
    scope = principal.scope
    orders: QuerySet[Order] = scope.orders().select_related(
        "ship_to", "placed_by", "placed_by_key", "store"
    )
    orders = orders.prefetch_related("lines__ship_to", "sales__ship_to")
    order = orders.filter(number=number).first()
    if order is not None:
        return order, None
    record = scope.sales().select_related("order").filter(number=number).first()
    if record is None:
        return None, None
    if record.order_id is not None:
        # A web order's sale: its page is the web order's, if the principal reaches it.
        order = orders.filter(pk=record.order_id).first()
        return (order, record) if order is not None else (None, None)
    return None, record


def order_page_refresh(*, principal: Principal, number: str) -> bool:
    """Bring the sales of the order ``number`` up to date from the ERP (through the gateway's
    short cache) before its page is read. False when the ERP could not answer (the page then
    shows the mirror and says so); True when there is nothing to refresh."""
    order, record = _find(principal, number)
    if order is not None:
        numbers = [s.erp_number for s in order.sales.all() if s.erp_number]
    elif record is not None:
        numbers = [record.number]
    else:
        return True
    if not numbers:
        return True
    return sales_refresh(numbers=numbers, customer=principal.company.code)


def order_page(*, principal: Principal, number: str, fresh: bool = True) -> OrderPage | None:
    """The order ``number`` (web order, or sale entered in the ERP) as ``principal`` may see
    it; None when it is not theirs (another company's, another store's, none at all).
    ``fresh``: what ``order_page_refresh`` answered."""
    from .totals import sales_totals

    order, record = _find(principal, number)
    scope = principal.scope
    if order is not None:
        records = list(scope.sales().filter(order=order).order_by("erp_id"))
        sales = tuple(
            sale_view(r, placed_at=order.created_at, confirmed_at=order.confirmed_at)
            for r in records
        )
        # After the refresh: the stage is read from the mirror it has just updated.
        actions = order_actions(principal=principal, number=order.number)
        page_number = order.number
        totals = sales_totals(sales) if len(sales) == len(order.sales.all()) else None
    elif record is not None:
        records = [record]
        sales = (sale_view(record),)
        actions = order_actions(
            principal=principal, number=record.number, status=erp_status_of(record)
        )
        page_number = record.number
        totals = None
    else:
        return None
    sale_numbers = [r.number for r in records]
    filed = scope.returns().filter(order_number__in=sale_numbers).prefetch_related("lines")
    return OrderPage(
        number=page_number,
        asked=number,
        order=order,
        sale=record,
        sales=sales,
        actions=actions,
        returns=tuple(filed.order_by("-created_at")),
        fresh=fresh,
        totals=totals,
    )
