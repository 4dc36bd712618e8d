"""Reads of returns: what of a sale can still be returned (the return form, read from the ERP
now), the company's returns, and why nothing of an order can be returned yet. Everything is
found within what the principal reaches (``Principal.scope``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext

from storefleet.accounts.models import Company
from storefleet.erp.errors import ErpNotFound, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import OrderReturnables, OrderState
from storefleet.errors import ApplicationError

from ..actions import order_actions
from ..cancel import CANCELLABLE_ERP_STATES
from ..models import OrderStatus, ReturnLine, ReturnRequest, ReturnStatus
from ..order_ref import NotFound, OrderRef, erp_away, order_ref_or_404
from ..scope import MAX_NUMBER

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal


@dataclass(frozen=True, slots=True)
class ReturnableRow:
    sku: str
    name: str
    unit: str
    ordered: Decimal
    shipped: Decimal
    requested: Decimal  # by returns in the ERP and by returns still on their way to it

    @property
    def returnable(self) -> Decimal:
        return max(self.shipped - self.requested, Decimal(0))


@dataclass(frozen=True, slots=True)
class ReturnForm:
    """What the return page shows for one ERP sale of the company."""

    ref: OrderRef
    sale_number: str
    state: OrderState
    rows: tuple[ReturnableRow, ...]

    @property
    def anything_shipped(self) -> bool:
        return any(row.shipped > 0 for row in self.rows)

    @property
    def anything_returnable(self) -> bool:
        return any(row.returnable > 0 for row in self.rows)


class SeveralSales(ApplicationError):
    """The order went to the ERP as several sales (one per ship-to address): pick one."""

    def __init__(self, ref: OrderRef) -> None:
        super().__init__(
            f"Order {ref.number} was shipped as {len(ref.erp_numbers)} deliveries: choose the "
            "one you want to return lines of.",
            code="several_sales",
        )
        self.ref = ref


def _pending_quantities(company: Company, sale_number: str) -> dict[str, Decimal]:
    """What returns not yet filed in the ERP ask back, per SKU."""
    rows = (
        ReturnLine.objects.filter(
            return_request__company=company,
            return_request__order_number=sale_number,
            return_request__status=ReturnStatus.RECEIVED,
        )
        .values("sku")
        .annotate(total=Sum("quantity"))
    )
    return {row["sku"]: row["total"] for row in rows}


def _rows(
    returnables: OrderReturnables, pending: Mapping[str, Decimal]
) -> tuple[ReturnableRow, ...]:
    by_sku: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    names: dict[str, tuple[str, str]] = {}
    for line in returnables.lines:
        totals = by_sku[line.sku]
        totals[0] += line.ordered
        totals[1] += line.shipped
        totals[2] += line.requested
        names.setdefault(line.sku, (line.name, line.unit))
    return tuple(
        ReturnableRow(
            sku=sku,
            name=names[sku][0],
            unit=names[sku][1],
            ordered=ordered.normalize(),
            shipped=shipped.normalize(),
            requested=(requested + pending.get(sku, Decimal(0))).normalize(),
        )
        for sku, (ordered, shipped, requested) in by_sku.items()
    )


def return_form(*, principal: Principal, number: str) -> ReturnForm:
    """The sale ``number`` the principal reaches, line by line with what can still be returned
    (read from the ERP now). A platform order of several ERP sales answers ``several_sales``:
    its page lets the caller pick one."""
    company = principal.company
    ref = order_ref_or_404(principal=principal, number=number)
    if ref.order is not None and ref.order.status == OrderStatus.CANCELLED:
        raise ApplicationError(
            gettext("Order %(number)s was cancelled, so there is nothing to return.")
            % {"number": ref.number},
            code="not_shipped",
        )
    if not ref.erp_numbers:
        raise ApplicationError(not_shipped(principal, ref.number), code="not_shipped")
    if len(ref.erp_numbers) > 1:
        raise SeveralSales(ref)
    sale_number = ref.erp_numbers[0]
    try:
        returnables = get_gateway().order_returnables(customer=company.code, number=sale_number)
    except ErpNotFound as error:
        raise NotFound from error
    except ErpUnavailable as error:
        raise erp_away() from error
    rows = _rows(returnables, _pending_quantities(company, sale_number))
    return ReturnForm(ref=ref, sale_number=sale_number, state=returnables.state, rows=rows)


def not_shipped(principal: Principal, number: str, erp_state: OrderState | None = None) -> str:
    """Nothing to return yet: say what the caller can do instead — cancel only while the order
    can still be cancelled, else wait for the shipment. ``erp_state``: the sale's, as the ERP
    just answered (for a sale entered in the ERP, which the platform has no order of)."""
    if erp_state is not None and not principal.scope.orders().filter(number=number).exists():
        cancellable = erp_state in CANCELLABLE_ERP_STATES
    else:
        cancellable = order_actions(principal=principal, number=number).cancel
    return not_shipped_text(number=number, cancellable=cancellable)


def not_shipped_text(*, number: str, cancellable: bool) -> str:
    """Why nothing of the order ``number`` can be returned yet, and what to do instead."""
    said = gettext(
        "Nothing of order %(number)s has been shipped yet, so nothing can be returned."
    ) % {"number": number}
    if cancellable:
        return said + " " + gettext("If you no longer need it, you can cancel it instead.")
    return (
        said
        + " "
        + gettext("Once something has shipped, you can request a return of what you don't need.")
    )


def return_list(*, principal: Principal) -> QuerySet[ReturnRequest]:
    """The company's returns the principal reaches, with their lines."""
    return principal.scope.returns().prefetch_related("lines")


def return_for_company(*, principal: Principal, number: str) -> ReturnRequest | None:
    """The return ``number`` of the company, if the principal reaches it."""
    if not number or len(number) > MAX_NUMBER:
        return None
    return return_list(principal=principal).filter(number=number).first()


def return_for_token(*, principal: Principal, token: str) -> ReturnRequest | None:
    """The return a form with this submit token already made (a double click, a retry)."""
    if not token or len(token) > 64:
        return None
    return principal.scope.returns().filter(submit_token=token).first()
