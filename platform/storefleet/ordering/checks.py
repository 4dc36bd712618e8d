"""The ERP's verdict on a cart, line by line and on credit, in the buyer's words.

The cart page, the checkout and the order placement all ask here. While the ERP can't be
reached the check falls back to the ordering rules mirrored in the catalog (minimum and
multiple) and says so: an order placed then is received, and confirmed or refused by the ERP
when it answers."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.utils.translation import gettext as _

from storefleet import dates
from storefleet.accounts.models import Company
from storefleet.accounts.selectors import company_ship_to_address, company_ship_to_addresses
from storefleet.catalog.models import Product
from storefleet.erp.errors import ErpError, ErpNotFound, ErpUnavailable
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import (
    CreditVerdict,
    LineVerdict,
    OrderLineRequest,
    OrderRequest,
    ReasonCode,
)
from storefleet.money import Money, format_money, unit_label
from storefleet.quantities import allowed_at_least, allowed_at_most, quantity_problems
from storefleet.tenants.selectors import StoreRecord

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Wanted:
    """A line to check: what and how much."""

    product: Product
    quantity: Decimal
    line_id: int | None = None


@dataclass(frozen=True)
class LineCheck:
    wanted: Wanted
    reasons: tuple[ReasonCode, ...]
    unit_price: Money | None = None
    suggested_quantity: Decimal | None = None  # the fix we offer, when there is one
    available_quantity: Decimal | None = None
    available_from: datetime.date | None = None
    messages: tuple[str, ...] = ()
    # Short of stock only, and the buyer chose to ship what is there now and the rest later.
    backorder: bool = False

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def short_only(self) -> bool:
        """Nothing but stock stands in the way: the line may be back-ordered."""
        return self.reasons == (ReasonCode.INSUFFICIENT_STOCK,)

    @property
    def orderable(self) -> bool:
        return self.ok or self.backorder

    @property
    def product(self) -> Product:
        return self.wanted.product

    @property
    def quantity(self) -> Decimal:
        return self.wanted.quantity

    @property
    def amount(self) -> Decimal | None:
        if self.unit_price is None:
            return None
        return line_amount(self.unit_price.amount, self.quantity)


@dataclass(frozen=True)
class CartCheck:
    lines: tuple[LineCheck, ...]
    credit: CreditVerdict | None = None
    # The ERP could not be asked: only the mirrored rules were checked.
    degraded: bool = False
    problems: tuple[str, ...] = field(default=())  # about the cart as a whole
    backorder_accepted: bool = False
    # The ERP gave this verdict to this check (not a verdict kept from an earlier page).
    asked_now: bool = False
    # Its prices are the ERP's of this moment: this request asked the ERP for them (its own
    # verdict, or the uncached price read of an order's placement: ``_at_current_prices``).
    prices_now: bool = False

    @property
    def ok(self) -> bool:
        """Whether the cart may be ordered as it is (back-ordered lines included)."""
        return (
            bool(self.lines)
            and not self.problems
            and all(line.orderable for line in self.lines)
            and (self.credit is None or self.credit.ok)
        )

    @property
    def backorder_possible(self) -> bool:
        """Some line is short of stock and nothing else: the buyer may choose a back-order."""
        return any(line.short_only for line in self.lines)

    @property
    def total(self) -> Decimal | None:
        amounts = [line.amount for line in self.lines]
        if not amounts or any(amount is None for amount in amounts):
            return None
        return sum((amount for amount in amounts if amount is not None), Decimal(0))

    @property
    def credit_message(self) -> str:
        credit = self.credit
        if credit is None or credit.ok:
            return ""
        if credit.limit is None:  # pragma: no cover - the ERP only refuses with a limit
            return _("Your company's credit does not cover this order.")
        headroom = max(credit.limit.amount - credit.used.amount, Decimal(0))
        return _(
            "This order (%(order)s) is more than your company's available credit (%(headroom)s "
            "of %(limit)s). Make the order smaller, or pay open invoices first."
        ) % {
            "order": format_money(credit.order_total.amount, credit.order_total.currency),
            "headroom": format_money(headroom, credit.limit.currency),
            "limit": format_money(credit.limit.amount, credit.limit.currency),
        }


def line_amount(unit_price: Decimal, quantity: Decimal) -> Decimal:
    """A line's amount rounded to cents, as the ERP rounds it (half to even)."""
    return (unit_price * quantity).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _messages(product: Product, verdict: LineVerdict) -> tuple[tuple[str, ...], Decimal | None]:
    unit = unit_label(product.unit)  # in the store's language, as the cart shows it
    messages = []
    fix = verdict.suggested_quantity
    reasons = set(verdict.reasons)
    if reasons & {ReasonCode.UNKNOWN_PRODUCT, ReasonCode.NOT_SALABLE}:
        return (_("This product can't be ordered any more: remove it from the cart."),), None
    if ReasonCode.BELOW_MINIMUM in reasons:
        messages.append(
            _("The minimum order is %(quantity)s %(unit)s.")
            % {"quantity": _num(product.min_quantity or Decimal(0)), "unit": unit}
        )
    if ReasonCode.NOT_A_MULTIPLE in reasons:
        messages.append(
            _("This product is sold in steps of %(quantity)s %(unit)s.")
            % {"quantity": _num(product.quantity_multiple or Decimal(1)), "unit": unit}
        )
    if ReasonCode.INSUFFICIENT_STOCK in reasons:
        available = verdict.available_quantity or Decimal(0)
        when = (
            " "
            + _("More from %(date)s.") % {"date": dates.format_month_day(verdict.available_from)}
            if verdict.available_from
            else ""
        )
        if available > 0:
            messages.append(
                _("Only %(quantity)s %(unit)s in stock now.")
                % {"quantity": _num(available), "unit": unit}
                + when
            )
        else:
            messages.append(_("Out of stock.") + (when or " " + _("No date yet for new stock.")))
        if fix is None or fix > available:
            fix = allowed_at_most(product.quantity_rule, available)
    if ReasonCode.PRICE_CHANGED in reasons:
        messages.append(_("The price has changed: check it before you order."))
    if ReasonCode.REFUSED in reasons and not messages:
        messages.append(_("The ERP refused this line; contact us."))
    return tuple(messages), fix


def _local_verdict(wanted: Wanted) -> LineCheck:
    """The mirrored rules only (the ERP is away)."""
    product = wanted.product
    reasons: list[ReasonCode] = []
    if not product.active or not product.salable:
        reasons.append(ReasonCode.NOT_SALABLE)
    else:
        problems = quantity_problems(product.quantity_rule, wanted.quantity)
        reasons.extend(ReasonCode(problem) for problem in problems)
    verdict = LineVerdict(
        index=0,
        sku=product.sku,
        quantity=wanted.quantity,
        reasons=tuple(reasons),
        suggested_quantity=(
            allowed_at_least(product.quantity_rule, wanted.quantity)
            if {ReasonCode.BELOW_MINIMUM, ReasonCode.NOT_A_MULTIPLE} & set(reasons)
            else None
        ),
    )
    messages, fix = _messages(product, verdict)
    return LineCheck(wanted, verdict.reasons, suggested_quantity=fix, messages=messages)


def order_request(
    *,
    store: StoreRecord,
    company: Company,
    ship_to_erp_id: int,
    lines: Sequence[tuple[str, Decimal, Decimal | None]],
    key: str,
    po_number: str = "",
    requested_delivery_date: datetime.date | None = None,
    notes: str = "",
) -> OrderRequest:
    return OrderRequest(
        customer=company.code,
        warehouse=store.erp_warehouse,
        ship_to_address_id=ship_to_erp_id,
        lines=tuple(OrderLineRequest(sku, qty, price) for sku, qty, price in lines),
        idempotency_key=key,
        po_number=po_number,
        requested_delivery_date=requested_delivery_date,
        notes=notes,
        currency=store.currency,
    )


NOT_OUR_SHIP_TO = "Choose one of your company's ship-to addresses."


def check_lines(
    *,
    store: StoreRecord,
    company: Company,
    wanted: Sequence[Wanted],
    ship_to_id: int | None = None,
    max_age: float = 0,
    accept_backorder: bool = False,
) -> CartCheck:
    """The ERP's verdict on these lines for this company in this store, shipped to its
    address ``ship_to_id`` (the company's first ship-to while none is chosen: the cart page),
    in one ERP validation, nothing written; or the verdict on the very same lines to the very
    same address given at most ``max_age`` seconds ago (the gateway keys kept verdicts by the
    address too, so a verdict for one ship-to never stands for another). With
    ``accept_backorder`` a line short of stock and nothing else is orderable as a back-order:
    what is there ships now, the rest when it arrives."""
    if not wanted:
        return CartCheck(lines=())
    if ship_to_id is not None:
        address = company_ship_to_address(company=company, address_id=ship_to_id)
        if address is None:  # another company's, or no longer active
            return CartCheck(
                lines=tuple(_local_verdict(w) for w in wanted), problems=(NOT_OUR_SHIP_TO,)
            )
    else:
        address = company_ship_to_addresses(company=company).first()
    if address is None:
        return CartCheck(
            lines=tuple(_local_verdict(w) for w in wanted),
            problems=(
                "Your company has no ship-to address in our system yet: contact us to add one.",
            ),
        )
    if not store.erp_warehouse:
        return CartCheck(
            lines=tuple(_local_verdict(w) for w in wanted),
            problems=("This store can't take orders yet (no warehouse is set up).",),
        )
    request = order_request(
        store=store,
        company=company,
        ship_to_erp_id=address.erp_id,
        lines=[(w.product.sku, w.quantity, None) for w in wanted],
        key="check",
    )
    request = dataclasses.replace(request, accept_backorder=accept_backorder)
    try:
        # Kept: the cart and checkout pages' verdicts are what a submit moments later stands on.
        validation, asked_now = get_gateway().validate_order_asked(
            order=request, max_age=max_age, keep=True
        )
    except ErpUnavailable:
        return CartCheck(lines=tuple(_local_verdict(w) for w in wanted), degraded=True)
    except ErpNotFound as missing:
        return CartCheck(
            lines=tuple(_local_verdict(w) for w in wanted),
            problems=(f"{missing.message} Contact us: we need to fix your account.",),
        )
    except ErpError as error:
        return CartCheck(
            lines=tuple(_local_verdict(w) for w in wanted), degraded=True, problems=(error.message,)
        )
    lines = []
    for item, verdict in zip(wanted, validation.lines, strict=True):
        if verdict.unit_price is None and not verdict.reasons:
            # Whatever a backend says, a line without a price can't be ordered: the buyer would
            # commit to an amount nobody showed them.
            verdict = dataclasses.replace(verdict, reasons=(ReasonCode.NOT_SALABLE,))
        messages, fix = _messages(item.product, verdict)
        lines.append(
            LineCheck(
                wanted=item,
                reasons=verdict.reasons,
                unit_price=verdict.unit_price,
                suggested_quantity=fix if fix != item.quantity else None,
                available_quantity=verdict.available_quantity,
                available_from=verdict.available_from,
                messages=messages,
                backorder=accept_backorder and verdict.reasons == (ReasonCode.INSUFFICIENT_STOCK,),
            )
        )
    return CartCheck(
        lines=tuple(lines),
        credit=validation.credit,
        backorder_accepted=accept_backorder,
        asked_now=asked_now,
    )
