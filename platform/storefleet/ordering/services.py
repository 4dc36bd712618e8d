"""Writes of ordering: the cart, quick order, reorder, placing an order, and carrying it into
the ERP through the outbox (``storefleet.outbox``).

Placing an order writes the order, its lines, the ERP sales it becomes and an outbox message
in one transaction, and a worker (asked on commit) submits it through
``order_submission_send``, the handler of the kind ``order.submit``; the ERP's idempotency key
is the order's number, so a retried, redelivered or swept submission never makes a second
sale."""

from __future__ import annotations

import dataclasses
import datetime
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from storefleet import money
from storefleet.accounts.models import Address, Company, Membership
from storefleet.accounts.selectors import company_ship_to_address
from storefleet.brand.buyer_cache import buyer_pages_changed, company_pages_changed
from storefleet.catalog.models import Product
from storefleet.catalog.selectors import product_for_store, product_list, store_assortment
from storefleet.erp.errors import ErpError, ErpRejected
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LineQuery, ReasonCode
from storefleet.errors import ApplicationError
from storefleet.outbox import services as outbox
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome
from storefleet.tenants.selectors import StoreRecord

from . import notifications, webhook_events
from .checks import CartCheck, Wanted, check_lines, order_request
from .models import Cart, CartLine, ErpSale, Order, OrderLine, OrderStatus
from .outbox_kinds import SUBMIT_ORDER
from .quick_order import MAX_QUANTITY, QuickRow, parse_quantity, quantity_problem

logger = logging.getLogger("storefleet.ordering")

MAX_CART_LINES = 500
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


# ------------------------------------------------------------------ cart
def cart_for(*, store: StoreRecord, membership: Membership) -> Cart:
    cart, _ = Cart.objects.get_or_create(
        store_id=store.id, user_id=membership.user_id, defaults={"company": membership.company}
    )
    if cart.company_id != membership.company_id:  # the user moved to another company
        cart.lines.all().delete()
        cart.company_id = membership.company_id
        cart.save(update_fields=["company", "updated_at"])
    return cart


def _sellable(store: StoreRecord, sku: str) -> Product:
    product = product_for_store(store=store, sku=sku.strip())
    if product is None:
        raise ApplicationError(
            f"We don't sell a product with the SKU “{sku}” in this store: check the number.",
            field="sku",
        )
    return product


def _quantity_checked(quantity: Decimal) -> Decimal:
    problem = quantity_problem(quantity)
    if problem:
        raise ApplicationError(problem, field="quantity")
    return quantity


def cart_line_add(
    *, store: StoreRecord, membership: Membership, sku: str, quantity: Decimal
) -> CartLine:
    """Add ``quantity`` of a product to the buyer's cart (to its line, if it has one).

    Refused with a message (nothing written) when the quantity, or the line's quantity with
    it, is not one a line may hold (``quantity_problem``): API and console callers included."""
    _quantity_checked(quantity)
    product = _sellable(store, sku)
    with transaction.atomic():
        cart = cart_for(store=store, membership=membership)
        line = cart.lines.select_for_update().filter(product=product).first()
        if line is None:
            if cart.lines.count() >= MAX_CART_LINES:
                raise ApplicationError(
                    gettext("A cart holds at most %(lines)d lines: order these first.")
                    % {"lines": MAX_CART_LINES}
                )
            line = CartLine.objects.create(cart=cart, product=product, quantity=quantity)
        else:
            total = line.quantity + quantity
            if total > MAX_QUANTITY:
                raise ApplicationError(
                    gettext(
                        "Your cart already has %(quantity)s %(unit)s of %(sku)s, and one line "
                        "holds at most %(most)s: add at most %(room)s, or ask us for a quote."
                    )
                    % {
                        "quantity": money.format_number(line.quantity),
                        "unit": money.unit_label(product.unit),
                        "sku": product.sku,
                        "most": money.format_number(MAX_QUANTITY),
                        "room": money.format_number(MAX_QUANTITY - line.quantity),
                    },
                    field="quantity",
                )
            line.quantity = total
            line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def _own_line(*, store: StoreRecord, membership: Membership, line_id: int) -> CartLine:
    """The buyer's own cart line, without its quantity: whatever the column holds (a line
    written before quantities had bounds), the line can still be changed or removed."""
    line = (
        CartLine.objects.filter(
            id=line_id,
            cart__store_id=store.id,
            cart__user_id=membership.user_id,
            cart__company_id=membership.company_id,
        )
        .only("id", "cart_id")
        .first()
    )
    if line is None:
        raise ApplicationError(gettext("That line is no longer in your cart."), code="not_found")
    return line


def cart_line_set_quantity(
    *, store: StoreRecord, membership: Membership, line_id: int, quantity: str | Decimal
) -> CartLine | None:
    """Set a line's quantity; 0 removes the line (returns None). Any other quantity a line
    can't hold is refused with a message, and the line keeps its quantity."""
    line = _own_line(store=store, membership=membership, line_id=line_id)
    if isinstance(quantity, str):
        parsed, error = parse_quantity(quantity)
        if parsed is None:
            if _is_zero(quantity):
                line.delete()
                return None
            raise ApplicationError(error, field="quantity")
        quantity = parsed
    if quantity == 0:
        line.delete()
        return None
    _quantity_checked(quantity)
    CartLine.objects.filter(id=line.id).update(quantity=quantity)
    line.quantity = quantity
    return line


def _is_zero(text: str) -> bool:
    try:
        return len(text) <= 40 and Decimal(text.strip().replace(",", ".")) == 0
    except (InvalidOperation, ValueError):
        return False


def cart_line_remove(*, store: StoreRecord, membership: Membership, line_id: int) -> None:
    """Remove a line of the buyer's cart; never reads its quantity, so any line goes."""
    _own_line(store=store, membership=membership, line_id=line_id).delete()


def cart_clear(*, store: StoreRecord, membership: Membership) -> None:
    CartLine.objects.filter(cart__store_id=store.id, cart__user_id=membership.user_id).delete()


def cart_check(
    *, store: StoreRecord, membership: Membership, ship_to_id: int | None = None
) -> CartCheck:
    """The ERP's live verdict on the buyer's cart, shipped to the company's address
    ``ship_to_id`` (its first ship-to while none is chosen)."""
    lines = list(
        CartLine.objects.filter(
            cart__store_id=store.id,
            cart__user_id=membership.user_id,
            cart__company_id=membership.company_id,
        ).select_related("product")
    )
    return check_lines(
        store=store,
        company=membership.company,
        wanted=[Wanted(line.product, line.quantity, line.id) for line in lines],
        ship_to_id=ship_to_id,
        accept_backorder=_backorder_accepted(store, membership),
    )


def _backorder_accepted(store: StoreRecord, membership: Membership) -> bool:
    return Cart.objects.filter(
        store_id=store.id,
        user_id=membership.user_id,
        company_id=membership.company_id,
        backorder_accepted=True,
    ).exists()


def cart_backorder_set(*, store: StoreRecord, membership: Membership, accepted: bool) -> None:
    """The buyer's choice for lines short of stock: ship what is in stock now and the rest
    when it arrives (``accepted``), or order only what is there (reduce the lines: the cart's
    "Order N instead" fix). Kept until the cart is ordered."""
    cart = cart_for(store=store, membership=membership)
    Cart.objects.filter(id=cart.id).update(backorder_accepted=accepted)
    buyer_pages_changed(user_id=membership.user_id)


BACKORDER_NOTE = "Ship what is in stock now and the rest when it arrives (back-order accepted)."


@dataclass(frozen=True)
class QuickOrderResult:
    added: tuple[QuickRow, ...]
    errors: tuple[QuickRow, ...]


def quick_order_add(
    *, store: StoreRecord, membership: Membership, rows: Sequence[QuickRow]
) -> QuickOrderResult:
    """Add the usable rows to the cart (same SKU twice: the quantities add up) and report each
    row that can't be used with its reason. Valid rows are kept even when others are wrong."""
    skus = {row.sku for row in rows if row.ok}
    sold = product_list(assortment=store_assortment(store=store))
    known = {p.sku.upper(): p for p in sold.filter(sku__in=skus)}
    if len(known) < len(skus):  # SKUs are often typed in lower case
        upper = {s.upper() for s in skus} - set(known)
        for found in sold.filter(sku__in=upper):
            known[found.sku.upper()] = found
    added: list[QuickRow] = []
    errors: list[QuickRow] = []
    for row in rows:
        if not row.ok:
            errors.append(row)
            continue
        product = known.get(row.sku.upper())
        if product is None:
            errors.append(
                QuickRow(
                    row.row,
                    row.sku,
                    row.quantity,
                    f"We don't sell the SKU “{row.sku}” in this store.",
                )
            )
            continue
        added.append(QuickRow(row.row, product.sku, row.quantity))
    kept: list[QuickRow] = []
    with transaction.atomic():
        for row in added:
            assert row.quantity is not None
            try:
                cart_line_add(
                    store=store, membership=membership, sku=row.sku, quantity=row.quantity
                )
            except ApplicationError as refused:  # the line would be too large, the cart full
                errors.append(dataclasses.replace(row, error=refused.message))
            else:
                kept.append(row)
    return QuickOrderResult(tuple(kept), tuple(errors))


def cart_reorder(*, store: StoreRecord, membership: Membership, number: str) -> QuickOrderResult:
    """Put the lines of one of the company's past orders into the cart again."""
    from .selectors import order_for_company

    order = order_for_company(company=membership.company, store_id=store.id, number=number)
    if order is None:
        raise ApplicationError(gettext("We can't find that order."), code="not_found")
    rows = [QuickRow(line.position, line.sku, line.quantity) for line in order.lines.all()]
    return quick_order_add(store=store, membership=membership, rows=rows)


def cart_line_ship_to_set(
    *, store: StoreRecord, membership: Membership, line_id: int, address_id: int | None
) -> None:
    line = _own_line(store=store, membership=membership, line_id=line_id)
    if address_id is not None and (
        company_ship_to_address(company=membership.company, address_id=address_id) is None
    ):
        raise ApplicationError(
            gettext("Choose one of your company's ship-to addresses."), field="ship_to"
        )
    line.ship_to_id = address_id
    line.save(update_fields=["ship_to"])


# ------------------------------------------------------------------ checkout
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
    # cart line id → address id, for lines that ship somewhere else
    line_ship_to: Mapping[int, int] | None = None
    # cart line id → the price the buyer saw (``seen_prices_read``). None: what the kept
    # verdict of the checkout page said (a caller with no page in front of it).
    seen_prices: Mapping[int, SeenPrice] | None = None


SEEN_PRICES_SALT = "storefleet.ordering.seen-prices"
SEEN_PRICES_MAX_AGE = 24 * 3600
FORM_EXPIRED = gettext_noop("This checkout form has expired: reload the page and submit it.")


def seen_prices_sign(*, membership: Membership, check: CartCheck) -> str:
    """The prices a checkout page shows, signed for its form (and for this buyer only): the
    placement compares the ERP's prices with these, never with what a post claims."""
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


def seen_prices_read(*, membership: Membership, token: str) -> dict[int, SeenPrice] | None:
    """The prices a checkout form was signed with; None for a form without them (an empty
    field). A token that was tampered with, is another buyer's, or is older than a day is
    refused with a message, and nothing is placed."""
    if not token:
        return None
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
    price may be a minute old), and the lines whose price is not the one the buyer saw (cart
    line id → the price seen). A line the ERP no longer prices can't be ordered. While the ERP
    can't be asked, the check stands as it is: the submission compares prices again."""
    if check.degraded or not check.lines:
        return check, {}
    try:
        quotes = get_gateway().current_prices(
            customer=company.code,
            lines=[LineQuery(line.product.sku, line.quantity) for line in check.lines],
            currency=store.currency,
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
    return dataclasses.replace(check, lines=tuple(lines)), moved


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
    placer: Placer
    requested_delivery_date: datetime.date | None = None
    po_number: str = ""
    notes: str = ""
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


def order_place(*, store: StoreRecord, membership: Membership, request: CheckoutRequest) -> Order:
    """Place the buyer's cart as an order, once per ``submit_token`` (see ``order_lines_place``,
    which does the placing; the cart is emptied in the same transaction)."""
    company = membership.company
    existing = Order.objects.filter(company=company, submit_token=request.submit_token).first()
    if existing is not None:
        return existing
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

    line_ship_to = request.line_ship_to or {}
    return order_lines_place(
        store=store,
        company=company,
        request=PlaceRequest(
            submit_token=request.submit_token,
            ship_to_id=request.ship_to_id,
            lines=[
                PlaceLine(line.product, line.quantity, line.id, line_ship_to.get(line.id))
                for line in cart_lines
            ],
            placer=Placer(user_id=membership.user_id),
            requested_delivery_date=request.requested_delivery_date,
            po_number=request.po_number,
            notes=request.notes,
            accept_backorder=_backorder_accepted(store, membership),
            seen_prices=request.seen_prices,
        ),
        on_placed=cart_emptied,
    )


def order_lines_place(
    *,
    store: StoreRecord,
    company: Company,
    request: PlaceRequest,
    on_placed: Callable[[Order], None] | None = None,
) -> Order:
    """Place an order of ``request.lines`` for ``company`` in ``store``, once per
    ``submit_token`` — the storefront's checkout (its cart's lines) and the partner API (a
    body's lines) both place here.

    The same token again (double click, retry, an API client's replay) returns the order it
    made. The lines are checked with the ERP first; lines the ERP would refuse raise
    :class:`CartNotOrderable` and a price that is not the one the buyer saw
    :class:`PricesMoved`, and nothing is written. The order, its lines, its ERP sales and the
    outbox message ``order.submit`` are written in one transaction (with ``on_placed``, the
    caller's own writes: the storefront empties the cart). While the ERP can't be reached the
    order is received on the mirrored rules and confirmed (or refused) when it answers."""
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
    try:
        with transaction.atomic():
            order = Order.objects.create(
                number=_new_number(store),
                store_id=store.id,
                company=company,
                placed_by_id=request.placer.user_id,
                placed_by_key_id=request.placer.api_key_id,
                submit_token=request.submit_token,
                ship_to=ship_to,
                po_number=request.po_number.strip(),
                requested_delivery_date=request.requested_delivery_date,
                notes=request.notes.strip(),
                currency=store.currency,
                total=check.total,
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


# ------------------------------------------------------------------ into the ERP
OutboxDeferred = outbox.Deferred  # what outbox_process raises while the ERP is away


def outbox_process(*, message_id: int, claim: int | None = None) -> Order | None:
    """Carry one outbox message of ordering's into the ERP (see ``order_submission_send``);
    the order it submitted, or None (a return's message, or one not this run's to take).
    Raises ``OutboxDeferred`` (an ``ErpUnavailable``) when the ERP can't be reached."""
    outcome = outbox.message_process(message_id=message_id, claim=claim)
    return outcome.value if outcome is not None and isinstance(outcome.value, Order) else None


def outbox_sweep(*, limit: int = 500) -> int:
    """Send again what is owed to the ERP and nobody is working on (every kind's)."""
    return outbox.messages_sweep(limit=limit)


def order_submission_send(message: Message) -> Outcome:
    """The outbox handler of ``order.submit``: submit the order's ERP sales. A refusal is
    recorded on the order and the buyer and the store's service team are told; an
    ``ErpError`` other than a refusal goes back to the outbox, which tries again."""
    order = Order.objects.select_related("company", "store", "store__site").get(
        id=int(message.subject)
    )
    if order.status == OrderStatus.CANCELLED:
        # Cancelled by the buyer before any run reached the ERP (returns.order_cancel).
        return Outcome(value=order)
    state, note = State.DONE, ""
    try:
        # The first take-up ever: no earlier run can have reached the ERP with these keys.
        _submit_sales(order, first_run=message.attempts == 1)
    except ErpRejected as refusal:
        _order_refused(order, refusal)
        state, note = State.FAILED, refusal.message
    order.refresh_from_db()
    notifications.order_outcome(order=order)
    return Outcome(state=state, note=note, value=order)


def _submit_sales(order: Order, *, first_run: bool = False) -> None:
    """Submit each of the order's ERP sales not submitted yet. An order placed moments ago
    was checked with the ERP at placement, at the prices on its lines: the ERP is not asked
    to validate it again before it creates, quotes and confirms the sale (it enforces its
    rules, stock and credit there itself). An older one — placed while the ERP was away, or
    waiting since — is validated again, at the ERP's prices of now."""
    from storefleet.tenants.selectors import store_record

    store = store_record(order.store)
    lines = list(order.lines.select_related("ship_to"))
    fresh = timezone.now() - order.created_at <= datetime.timedelta(
        seconds=settings.ORDERING_PRECHECK_FRESH_SECONDS
    )
    for sale in order.sales.select_related("ship_to").filter(submitted_at__isnull=True):
        request = order_request(
            store=store,
            company=order.company,
            ship_to_erp_id=sale.ship_to.erp_id,
            lines=[
                (line.sku, line.quantity, line.unit_price)
                for line in lines
                if line.ship_to_id == sale.ship_to_id
            ],
            key=sale.key,
            po_number=order.po_number,
            requested_delivery_date=order.requested_delivery_date,
            # The sale says the buyer's choice where the warehouse reads it.
            notes="\n".join(n for n in (order.notes, BACKORDER_NOTE) if n)
            if order.backorder_accepted
            else order.notes,
        )
        request = dataclasses.replace(
            request,
            accept_backorder=order.backorder_accepted,
            prechecked=fresh
            and all(line.expected_unit_price is not None for line in request.lines),
            first_submission=first_run,
        )
        submitted = get_gateway().submit_order(order=request)
        ErpSale.objects.filter(id=sale.id).update(
            erp_number=submitted.number,
            erp_state=submitted.state.value,
            erp_total=submitted.total.amount,
            submitted_at=timezone.now(),
        )
        logger.info("order %s sale %s confirmed as %s", order.number, sale.key, submitted.number)
    with transaction.atomic():
        if Order.objects.filter(id=order.id, status=OrderStatus.RECEIVED).update(
            status=OrderStatus.CONFIRMED, confirmed_at=timezone.now()
        ):
            webhook_events.order_event("order.confirmed", order)
    company_pages_changed(company_id=order.company_id)  # its cached My orders pages


def _order_refused(order: Order, refusal: ErpRejected) -> None:
    by_position = {}
    lines = list(order.lines.all())
    for verdict in refusal.lines:
        # The verdict's index is within the refused sale's lines; map it back by SKU.
        for line in lines:
            if line.sku == verdict.sku and line.id not in by_position:
                by_position[line.id] = ",".join(r.value for r in verdict.reasons)
                break
    with transaction.atomic():
        Order.objects.filter(id=order.id, status=OrderStatus.RECEIVED).update(
            status=OrderStatus.REFUSED,
            refusal_reasons=",".join(r.value for r in refusal.reasons)[:255],
            refusal_message=refusal.message,
        )
        for line_id, reasons in by_position.items():
            OrderLine.objects.filter(id=line_id).update(refusal_reasons=reasons[:255])
        company_pages_changed(company_id=order.company_id)
        webhook_events.order_event("order.refused", order, refusal=refusal.message)
    logger.warning(
        "order %s refused by the ERP: %s", order.number, ",".join(r for r in refusal.reasons)
    )
