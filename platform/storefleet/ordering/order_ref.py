"""Which order a caller names, for cancelling it or returning lines of it.

An order is named by its platform number or by the number of its ERP sale, and is looked up
within the principal's ``OrderScope`` (``storefleet.ordering.scope``): the company in the
store(s) the principal may see. A web order of another store is "not found", like another
company's or one that does not exist; a sale entered straight into the ERP (by phone) is the
company's, in every store, when the ERP says its customer is the company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_noop

from storefleet.erp.errors import ErpNotFound, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.errors import ApplicationError

from .models import ErpSale, Order
from .scope import MAX_NUMBER

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal

ERP_AWAY_NOTHING_CHANGED = gettext_noop(
    "We can't reach our ERP right now, so nothing was changed: please try again in a few minutes."
)


class NotFound(ApplicationError):
    def __init__(self) -> None:
        super().__init__(gettext("We can't find that order."), code="not_found")


def erp_away() -> ApplicationError:
    """The refusal when the ERP must be asked and can't be: nothing was changed."""
    return ApplicationError(gettext(ERP_AWAY_NOTHING_CHANGED), code="erp_unavailable")


@dataclass(frozen=True, slots=True)
class OrderRef:
    """An order of the company as the caller named it: the platform order (if it is one) and
    the ERP sales it is (none yet while it waits in the outbox)."""

    number: str
    order: Order | None
    erp_numbers: tuple[str, ...]


def order_ref(*, principal: Principal, number: str) -> OrderRef | None:
    """The order ``number`` (platform or ERP sale) the principal reaches, or None. Asks the
    ERP only for a number the platform does not know (a web order of a store outside the
    principal's scope is known, and not found); ``ErpUnavailable`` when it must ask and can't."""
    number = number.strip()
    if not number or len(number) > MAX_NUMBER:
        return None
    scope = principal.scope
    orders = scope.orders()
    order = orders.filter(number=number).first()
    if order is None:
        sale = (
            ErpSale.objects.filter(order__in=orders, erp_number=number)
            .select_related("order")
            .first()
        )
        if sale is not None:
            return OrderRef(number=number, order=sale.order, erp_numbers=(number,))
    if order is not None:
        numbers = ErpSale.objects.filter(order=order).exclude(erp_number="")
        return OrderRef(
            number=number,
            order=order,
            erp_numbers=tuple(numbers.order_by("key").values_list("erp_number", flat=True)),
        )
    if scope.foreign_order(number):
        return None
    try:
        status = get_gateway().order_status(number=number)
    except ErpNotFound:
        return None
    if status.customer != principal.company.code:
        return None
    return OrderRef(number=number, order=None, erp_numbers=(status.number,))


def order_ref_or_404(*, principal: Principal, number: str) -> OrderRef:
    """``order_ref``, or ``NotFound``; ``erp_unavailable`` when the ERP must be asked and
    can't."""
    try:
        ref = order_ref(principal=principal, number=number)
    except ErpUnavailable as error:
        raise erp_away() from error
    if ref is None:
        raise NotFound
    return ref
