"""Checkout: placing an order. The storefront's checkout places the buyer's cart
(``order_place``), the API a body's lines (``order_lines_place``); both place through
``order_lines_place`` for the acting ``Principal``, at the ERP's prices of now and only at
prices the buyer saw.

Placing an order writes the order, its lines, the ERP sales it becomes and an outbox message
``order.submit`` in one transaction; a worker submits it (``submission``)."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from storefleet.accounts.models import Address, Company
from storefleet.accounts.selectors import company_ship_to_address
from storefleet.approvals import budgets
from storefleet.approvals import rules as approval_rules
from storefleet.brand.buyer_cache import buyer_pages_changed, company_pages_changed
from storefleet.catalog.models import Product
from storefleet.erp.errors import ErpError
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LineQuery, PriceQuote, ReasonCode
from storefleet.errors import ApplicationError
from storefleet.outbox import services as outbox
from storefleet.tenants.selectors import StoreRecord

from . import webhook_events
from .cart import MAX_CART_LINES, backorder_accepted, cart_owner
from .checks import CartCheck, LineCheck, Wanted, check_lines
from .models import Cart, CartLine, ErpSale, Order, OrderLine, OrderStatus
from .outbox_kinds import SUBMIT_ORDER
from .quick_order import quantity_problem

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal

logger = logging.getLogger("storefleet.ordering")

NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out on the phone


class PricesMoved(ApplicationError):
    """The ERP's prices of some lines are not the ones the buyer saw on the checkout page:
    nothing is placed; the buyer is shown the new prices (``moved``: cart line id → the price
    they saw, None when they saw none for it) and places the order again to accept them."""

    def __init__(self, check: CartCheck, moved: Mapping[int, Decimal | None]) -> None:
        super().__init__(
            gettext(
                "Prices changed since you opened the checkout: check the new prices (marked "
                "below) and place the order again to accept them."
            ),
            code="prices_moved",
        )
        self.check = check
        self.moved = dict(moved)


class CartNotOrderable(ApplicationError):
    """The cart can't be ordered as it is; ``check`` says why, line by line."""

    def __init__(self, check: CartCheck) -> None:
        super().__init__(
            gettext("Your cart has lines the ERP would not accept: fix them and order again."),
            code="cart_not_orderable",
        )
        self.check = check


def new_submit_token() -> str:
    return secrets.token_urlsafe(24)


def one_year_after(day: datetime.date) -> datetime.date:
    """The same day a year later; 29 February becomes 28 February (no dateutil needed)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February, and next year is not a leap year
        return day.replace(year=day.year + 1, day=28)


def _new_number(store: StoreRecord) -> str:
    prefix = "".join(ch for ch in store.slug.upper() if ch.isalnum())[:3] or "WEB"
    return f"{prefix}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


@dataclass(frozen=True, slots=True)
class SeenPrice:
    """The unit price the checkout page showed for a cart line at a quantity."""

    sku: str
    quantity: Decimal
    unit_price: Decimal | None


@dataclass(frozen=True)
class CheckoutRequest:
    submit_token: str
    ship_to_id: int
    requested_delivery_date: datetime.date | None = None
    po_number: str = ""
    notes: str = ""
    cost_centre: str = ""  # the code of one of the company's cost centres
    # cart line id → address id, for lines that ship somewhere else
    line_ship_to: Mapping[int, int] | None = None
    # cart line id → the price the buyer saw (``seen_prices_read``). None: what the kept
    # verdict of the checkout page said (a caller with no page in front of it).
    seen_prices: Mapping[int, SeenPrice] | None = None


SEEN_PRICES_SALT = "storefleet.ordering.seen-prices"
SEEN_PRICES_MAX_AGE = 24 * 3600
FORM_EXPIRED = gettext_noop("This checkout form has expired: reload the page and submit it.")


def seen_prices_sign(*, principal: Principal, check: CartCheck) -> str:
    """The prices a checkout page shows, signed for its form (and for this buyer only): the
    placement compares the ERP's prices with these, never with what a post claims."""
    _store, membership = cart_owner(principal)
    return signing.dumps(
        {
            "u": membership.user_id,
            "c": membership.company_id,
            "l": [
                [
                    line.wanted.line_id,
                    line.product.sku,
                    f"{line.quantity:f}",
                    f"{line.unit_price.amount:f}" if line.unit_price else None,
                ]
                for line in check.lines
            ],
        },
        salt=SEEN_PRICES_SALT,
        compress=True,
    )


def seen_prices_read(*, principal: Principal, token: str) -> dict[int, SeenPrice] | None:
    """The prices a checkout form was signed with; None for a form without them (an empty
    field). A token that was tampered with, is another buyer's, or is older than a day is
    refused with a message, and nothing is placed."""
    if not token:
        return None
    _store, membership = cart_owner(principal)
    try:
        data = signing.loads(token, salt=SEEN_PRICES_SALT, max_age=SEEN_PRICES_MAX_AGE)
        if data["u"] != membership.user_id or data["c"] != membership.company_id:
            raise signing.BadSignature("another buyer's form")
        return {
            int(line_id): SeenPrice(
                str(sku), Decimal(quantity), Decimal(price) if price is not None else None
            )
            for line_id, sku, quantity, price in data["l"]
        }
    except (signing.BadSignature, KeyError, TypeError, ValueError, InvalidOperation):
        raise ApplicationError(gettext(FORM_EXPIRED), code="form_expired") from None


PRICE_PLACES = Decimal("0.0001")  # the ERP's precision of a unit price


def _same_price(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.quantize(PRICE_PLACES) == b.quantize(PRICE_PLACES)


def _at_current_prices(
    *,
    store: StoreRecord,
    company: Company,
    check: CartCheck,
    seen: Mapping[int, SeenPrice] | None,
    unseen_at_current: bool = False,
) -> tuple[CartCheck, dict[int, Decimal | None]]:
    """The check with the ERP's prices of now (one uncached read: a kept verdict or a cached
    price may be a minute old; none when the check itself just asked the ERP), and the lines
    whose price is not the one the buyer saw (cart line id → the price seen). A line the ERP no
    longer prices can't be ordered. While the ERP can't be asked, the check stands as it is:
    the submission compares prices again."""
    if check.degraded or not check.lines:
        return check, {}
    if check.asked_now:
        # The check's verdict was asked of the ERP by this request, not kept from the page: its
        # prices are the ERP's of now (asking again would only cost the buyer the wait).
        quotes: list[PriceQuote | LineCheck] = list(check.lines)
    else:
        try:
            quotes = list(
                get_gateway().current_prices(
                    customer=company.code,
                    lines=[LineQuery(line.product.sku, line.quantity) for line in check.lines],
                    currency=store.currency,
                )
            )
        except ErpError:
            return check, {}
    lines = []
    moved: dict[int, Decimal | None] = {}
    cache_behind = False
    for line, quote in zip(check.lines, quotes, strict=True):
        shown = line.unit_price.amount if line.unit_price else None
        if seen is not None:
            was = seen.get(line.wanted.line_id or 0)
            if was is None and unseen_at_current:  # no price given: the ERP's of now
                shown = quote.unit_price.amount if quote.unit_price else None
            else:
                same_line = was is not None and (was.sku, was.quantity) == (
                    line.product.sku,
                    line.quantity,
                )
                shown = was.unit_price if was is not None and same_line else None
        now = quote.unit_price
        if now is None:
            line = dataclasses.replace(
                line,
                reasons=(ReasonCode.NOT_SALABLE,),
                unit_price=None,
                suggested_quantity=None,
                messages=("This product can't be ordered any more: remove it from the cart.",),
            )
        else:
            if not _same_price(line.unit_price.amount if line.unit_price else None, now.amount):
                cache_behind = True
                line = dataclasses.replace(line, unit_price=now)
            if not _same_price(shown, now.amount):
                moved[line.wanted.line_id or 0] = shown
        lines.append(line)
    if cache_behind:  # the catalog and the cart show the new prices from now on
        get_gateway().invalidate_prices(store=store.slug, customer=company.code)
    return dataclasses.replace(check, lines=tuple(lines), prices_now=True), moved


def check_at_current_prices(
    *,
    store: StoreRecord,
    company: Company,
    check: CartCheck,
    seen: Mapping[int, SeenPrice],
) -> tuple[CartCheck, dict[int, Decimal | None]]:
    """The check at the ERP's prices of now and the lines whose price is not the one in
    ``seen`` (line id → the price seen): what placing an order compares, for a caller that
    holds an order already (an approver's fresh verdict on a held order,
    ``storefleet.approvals``)."""
    return _at_current_prices(store=store, company=company, check=check, seen=seen)


@dataclass(frozen=True, slots=True)
class PlaceLine:
    """A line to order: a product of the store, a quantity, and where it ships when not to
    the order's ship-to. ``line_id`` names it in a :class:`PricesMoved` or a check (a cart
    line's id, or the line's position in an API body)."""

    product: Product
    quantity: Decimal
    line_id: int
    ship_to_id: int | None = None


@dataclass(frozen=True, slots=True)
class Placer:
    """Who places an order: a signed-in buyer (``user_id``) or a partner system's API key
    (``api_key_id``, no user)."""

    user_id: int | None = None
    api_key_id: int | None = None


@dataclass(frozen=True)
class PlaceRequest:
    """An order to place from given lines, once per ``submit_token`` within the company."""

    submit_token: str
    ship_to_id: int
    lines: Sequence[PlaceLine]
    requested_delivery_date: datetime.date | None = None
    po_number: str = ""
    notes: str = ""
    cost_centre: str = ""  # the code of one of the company's cost centres, or none
    accept_backorder: bool = False
    # line id → the price the buyer saw; None: what the kept verdict said. Lines missing from
    # it are refused as moved, unless ``unseen_at_current`` (they go in at the ERP's price).
    seen_prices: Mapping[int, SeenPrice] | None = None
    unseen_at_current: bool = False


def _company_address(company: Company, address_id: int, field: str) -> Address:
    address = company_ship_to_address(company=company, address_id=address_id)
    if address is None:
        raise ApplicationError(
            gettext("Choose one of your company's ship-to addresses."), field=field
        )
    return address


def order_place(*, principal: Principal, request: CheckoutRequest) -> Order:
    """Place the buyer's cart as an order, once per ``submit_token`` (see ``order_lines_place``,
    which does the placing; the cart is emptied in the same transaction). A company that keeps
    cost centres has every checkout charged to one of them.

    An order held for approval empties the cart too: the held order is a snapshot of its
    lines and prices, which is what the approvers decide on, so the cart stays free for the
    buyer's next order (as in the B2B platforms' purchase-order approvals) and nothing the
    buyer does to it can change a held order."""
    store, membership = cart_owner(principal)
    company = membership.company
    existing = Order.objects.filter(company=company, submit_token=request.submit_token).first()
    if existing is not None:
        return existing
    if not request.cost_centre and budgets.company_cost_centres(company=company):
        raise ApplicationError(
            gettext("Choose the cost centre this order is charged to."), field="cost_centre"
        )
    cart_lines = list(
        CartLine.objects.filter(
            cart__store_id=store.id, cart__user_id=membership.user_id, cart__company=company
        ).select_related("product")
    )
    if request.submit_token and len(request.submit_token) <= 64 and not cart_lines:
        raise ApplicationError(gettext("Your cart is empty: add products before you check out."))

    def cart_emptied(order: Order) -> None:
        CartLine.objects.filter(id__in=[line.id for line in cart_lines]).delete()
        Cart.objects.filter(
            store_id=store.id, user_id=membership.user_id, backorder_accepted=True
        ).update(backorder_accepted=False)
        buyer_pages_changed(user_id=membership.user_id)  # their pages show the cart's size

    line_ship_to = request.line_ship_to or {}
    return order_lines_place(
        principal=principal,
        request=PlaceRequest(
            submit_token=request.submit_token,
            ship_to_id=request.ship_to_id,
            lines=[
                PlaceLine(line.product, line.quantity, line.id, line_ship_to.get(line.id))
                for line in cart_lines
            ],
            requested_delivery_date=request.requested_delivery_date,
            po_number=request.po_number,
            notes=request.notes,
            cost_centre=request.cost_centre,
            accept_backorder=backorder_accepted(principal),
            seen_prices=request.seen_prices,
        ),
        on_placed=cart_emptied,
    )


def order_lines_place(
    *,
    principal: Principal,
    request: PlaceRequest,
    on_placed: Callable[[Order], None] | None = None,
) -> Order:
    """Place an order of ``request.lines`` for the principal's company in its store, placed by
    ``principal.placer``, once per ``submit_token`` — the storefront's checkout (a buyer: its
    cart's lines) and the partner API (a key: a body's lines) both place here, and the same
    lines get the same verdict.

    The same token again (double click, retry, an API client's replay) returns the order it
    made. The lines are checked with the ERP first; lines the ERP would refuse raise
    :class:`CartNotOrderable` and a price that is not the one the buyer saw
    :class:`PricesMoved`, and nothing is written. The order, its lines, its ERP sales and the
    outbox message ``order.submit`` are written in one transaction (with ``on_placed``, the
    caller's own writes: the storefront empties the cart). An order one of the company's approval
    rules catches is placed held instead, with no outbox message (``storefleet.approvals``:
    an approver's approval writes it). While the ERP can't be reached the
    order is received on the mirrored rules and confirmed (or refused) when it answers."""
    store, company, placer = principal.require_store(), principal.company, principal.placer
    existing = Order.objects.filter(company=company, submit_token=request.submit_token).first()
    if existing is not None:
        return existing
    if not request.submit_token or len(request.submit_token) > 64:
        raise ApplicationError(gettext(FORM_EXPIRED))
    today = timezone.localdate()
    if request.requested_delivery_date and request.requested_delivery_date < today:
        raise ApplicationError(
            gettext("The requested delivery date is in the past: choose today or a later day."),
            field="requested_delivery_date",
        )
    if request.requested_delivery_date and request.requested_delivery_date > one_year_after(today):
        raise ApplicationError(
            gettext("We take orders for delivery within a year: choose an earlier date."),
            field="requested_delivery_date",
        )
    ship_to = _company_address(company, request.ship_to_id, "ship_to")
    cost_centre = request.cost_centre.strip()
    if cost_centre and budgets.cost_centre_of(company=company, code=cost_centre) is None:
        raise ApplicationError(
            gettext("Choose one of your company's cost centres."), field="cost_centre"
        )
    wanted_lines = list(request.lines)
    if not wanted_lines:
        raise ApplicationError(gettext("An order needs at least one line: add products to it."))
    if len(wanted_lines) > MAX_CART_LINES:
        raise ApplicationError(
            gettext("An order holds at most %(count)s lines: split it.") % {"count": MAX_CART_LINES}
        )
    for line in wanted_lines:
        problem = quantity_problem(line.quantity)
        if problem:
            raise ApplicationError(f"{line.product.sku}: {problem}", field="quantity")
    line_ship_to = {
        line.line_id: _company_address(company, line.ship_to_id, f"ship_to_{line.line_id}")
        for line in wanted_lines
        if line.ship_to_id is not None and line.ship_to_id != ship_to.id
    }
    backorder = request.accept_backorder
    # The checkout page showed the ERP's verdict on these very lines to this very ship-to
    # moments ago: that verdict stands for the submit (the ERP enforces its rules again when
    # the sale is confirmed). Another ship-to chosen since is checked afresh.
    check = check_lines(
        store=store,
        company=company,
        wanted=[Wanted(line.product, line.quantity, line.line_id) for line in wanted_lines],
        ship_to_id=ship_to.id,
        max_age=settings.ERP_VERDICT_REUSE_SECONDS,
        accept_backorder=backorder,
    )
    if not check.ok:
        raise CartNotOrderable(check)
    # The order is placed at the ERP's prices of now, and only at prices the buyer saw.
    check, moved = _at_current_prices(
        store=store,
        company=company,
        check=check,
        seen=request.seen_prices,
        unseen_at_current=request.unseen_at_current,
    )
    if not check.ok:
        raise CartNotOrderable(check)
    if moved:
        raise PricesMoved(check, moved)
    # An order one of the company's approval rules (or its cost centre's budget) catches is
    # placed held: no outbox message until its last approver approves it
    # (``storefleet.approvals``), so the ERP never hears of it.
    hold = approval_rules.hold_for(
        principal=principal, total=check.total, currency=store.currency, cost_centre=cost_centre
    )
    try:
        with transaction.atomic():
            order = Order.objects.create(
                number=_new_number(store),
                store_id=store.id,
                company=company,
                placed_by_id=placer.user_id,
                placed_by_key_id=placer.api_key_id,
                submit_token=request.submit_token,
                ship_to=ship_to,
                po_number=request.po_number.strip(),
                cost_centre=cost_centre,
                requested_delivery_date=request.requested_delivery_date,
                notes=request.notes.strip(),
                currency=store.currency,
                total=check.total,
                status=OrderStatus.HELD if hold is not None else OrderStatus.RECEIVED,
                prices_read_at=timezone.now() if check.prices_now else None,
                # Only when a line is really back-ordered: the ERP never skips a stock check
                # the buyer did not need to accept.
                backorder_accepted=backorder
                and (check.degraded or any(line.backorder for line in check.lines)),
            )
            lines = []
            for position, (wanted, line_check) in enumerate(
                zip(wanted_lines, check.lines, strict=True), start=1
            ):
                lines.append(
                    OrderLine(
                        order=order,
                        position=position,
                        product=wanted.product,
                        sku=wanted.product.sku,
                        name=wanted.product.name,
                        unit=wanted.product.unit,
                        quantity=wanted.quantity,
                        unit_price=line_check.unit_price.amount if line_check.unit_price else None,
                        ship_to=line_ship_to.get(wanted.line_id, ship_to),
                    )
                )
            OrderLine.objects.bulk_create(lines)
            addresses = list(dict.fromkeys(line.ship_to for line in lines))
            ErpSale.objects.bulk_create(
                [
                    ErpSale(
                        order=order,
                        ship_to=address,
                        key=order.number if len(addresses) == 1 else f"{order.number}/{n}",
                    )
                    for n, address in enumerate(addresses, start=1)
                ]
            )
            if hold is not None:
                approval_rules.order_hold(order=order, hold=hold, principal=principal)
            else:
                outbox.message_add(kind=SUBMIT_ORDER, subject=order.id, key=order.number)
            if on_placed is not None:
                on_placed(order)
            company_pages_changed(company_id=company.id)  # a new order on My orders
            webhook_events.order_event("order.placed", order)
    except IntegrityError:
        # The same token, submitted twice at the same moment: the other request won.
        existing = Order.objects.filter(company=company, submit_token=request.submit_token).first()
        if existing is None:
            raise
        return existing
    logger.info(
        "order placed number=%s store=%s company=%s", order.number, store.slug, company.code
    )
    return order
