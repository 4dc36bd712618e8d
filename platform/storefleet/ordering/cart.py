"""The buyer's cart: its lines, the ERP's live verdict on them, the back-order choice, quick
order and reorder into it. Every service takes the acting ``Principal``: a buyer on the
storefront (or an agent acting as one); a principal without a member (an API key, an agent in
the console) has no cart."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from storefleet import money
from storefleet.accounts.models import Membership
from storefleet.accounts.selectors import company_ship_to_address
from storefleet.brand.buyer_cache import buyer_pages_changed
from storefleet.catalog.models import Product
from storefleet.catalog.selectors import product_for_store, product_list, store_assortment
from storefleet.errors import ApplicationError
from storefleet.tenants.selectors import StoreRecord

from .checks import CartCheck, Wanted, check_lines
from .models import Cart, CartLine
from .quick_order import MAX_QUANTITY, QuickRow, parse_quantity, quantity_problem

if TYPE_CHECKING:
    from storefleet.accounts.principal import Principal

MAX_CART_LINES = 500


def cart_owner(principal: Principal) -> tuple[StoreRecord, Membership]:
    """The store and the member whose cart ``principal`` acts on: only a buyer (or an agent
    acting as one) in one store has a cart."""
    store, membership = principal.require_store(), principal.membership
    if membership is None:  # a key or a console agent: no storefront buyer sees this
        raise ApplicationError("Only a buyer has a cart.", code="no_cart")
    return store, membership


def cart_for(*, principal: Principal) -> Cart:
    """The buyer's cart in the principal's store (made on first use; emptied when the member
    moved to another company since)."""
    store, membership = cart_owner(principal)
    cart, _ = Cart.objects.get_or_create(
        store_id=store.id, user_id=membership.user_id, defaults={"company": membership.company}
    )
    if cart.company_id != membership.company_id:  # the user moved to another company
        cart.lines.all().delete()
        cart.company_id = membership.company_id
        cart.save(update_fields=["company", "updated_at"])
        buyer_pages_changed(user_id=cart.user_id)  # their pages show the cart's size
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


def cart_line_add(*, principal: Principal, sku: str, quantity: Decimal) -> CartLine:
    """Add ``quantity`` of a product to the buyer's cart (to its line, if it has one).

    Refused with a message (nothing written) when the quantity, or the line's quantity with
    it, is not one a line may hold (``quantity_problem``): API and console callers included."""
    store, _membership = cart_owner(principal)
    _quantity_checked(quantity)
    product = _sellable(store, sku)
    with transaction.atomic():
        cart = cart_for(principal=principal)
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
        buyer_pages_changed(user_id=cart.user_id)  # their pages show the cart's size
    return line


def _own_line(*, principal: Principal, line_id: int) -> CartLine:
    """The buyer's own cart line, without its quantity: whatever the column holds (a line
    written before quantities had bounds), the line can still be changed or removed."""
    store, membership = cart_owner(principal)
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
    *, principal: Principal, line_id: int, quantity: str | Decimal
) -> CartLine | None:
    """Set a line's quantity; 0 removes the line (returns None). Any other quantity a line
    can't hold is refused with a message, and the line keeps its quantity."""
    line = _own_line(principal=principal, line_id=line_id)
    if isinstance(quantity, str):
        parsed, error = parse_quantity(quantity)
        if parsed is None:
            if _is_zero(quantity):
                _line_delete(line, principal)
                return None
            raise ApplicationError(error, field="quantity")
        quantity = parsed
    if quantity == 0:
        _line_delete(line, principal)
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


def _line_delete(line: CartLine, principal: Principal) -> None:
    line.delete()
    _store, membership = cart_owner(principal)
    buyer_pages_changed(user_id=membership.user_id)  # their pages show the cart's size


def cart_line_remove(*, principal: Principal, line_id: int) -> None:
    """Remove a line of the buyer's cart; never reads its quantity, so any line goes."""
    _line_delete(_own_line(principal=principal, line_id=line_id), principal)


def cart_clear(*, principal: Principal) -> None:
    store, membership = cart_owner(principal)
    CartLine.objects.filter(cart__store_id=store.id, cart__user_id=membership.user_id).delete()
    buyer_pages_changed(user_id=membership.user_id)  # their pages show the cart's size


def cart_check(*, principal: Principal, ship_to_id: int | None = None) -> CartCheck:
    """The ERP's live verdict on the buyer's cart, shipped to the company's address
    ``ship_to_id`` (its first ship-to while none is chosen)."""
    store, membership = cart_owner(principal)
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
        accept_backorder=backorder_accepted(principal),
    )


def backorder_accepted(principal: Principal) -> bool:
    """Whether the buyer chose to ship what is in stock now and the rest when it arrives."""
    store, membership = cart_owner(principal)
    return Cart.objects.filter(
        store_id=store.id,
        user_id=membership.user_id,
        company_id=membership.company_id,
        backorder_accepted=True,
    ).exists()


def cart_backorder_set(*, principal: Principal, accepted: bool) -> None:
    """The buyer's choice for lines short of stock: ship what is in stock now and the rest
    when it arrives (``accepted``), or order only what is there (reduce the lines: the cart's
    "Order N instead" fix). Kept until the cart is ordered."""
    cart = cart_for(principal=principal)
    Cart.objects.filter(id=cart.id).update(backorder_accepted=accepted)
    buyer_pages_changed(user_id=cart.user_id)


@dataclass(frozen=True)
class QuickOrderResult:
    added: tuple[QuickRow, ...]
    errors: tuple[QuickRow, ...]


def quick_order_add(*, principal: Principal, rows: Sequence[QuickRow]) -> QuickOrderResult:
    """Add the usable rows to the cart (same SKU twice: the quantities add up) and report each
    row that can't be used with its reason. Valid rows are kept even when others are wrong."""
    store, _membership = cart_owner(principal)
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
                    gettext("We don't sell the SKU “%(sku)s” in this store.") % {"sku": row.sku},
                )
            )
            continue
        added.append(QuickRow(row.row, product.sku, row.quantity))
    kept: list[QuickRow] = []
    with transaction.atomic():
        for row in added:
            assert row.quantity is not None
            try:
                cart_line_add(principal=principal, sku=row.sku, quantity=row.quantity)
            except ApplicationError as refused:  # the line would be too large, the cart full
                errors.append(dataclasses.replace(row, error=refused.message))
            else:
                kept.append(row)
    return QuickOrderResult(tuple(kept), tuple(errors))


def cart_reorder(*, principal: Principal, number: str) -> QuickOrderResult:
    """Put the lines of one of the company's past orders into the cart again."""
    from .selectors import order_for_company

    store, membership = cart_owner(principal)
    order = order_for_company(company=membership.company, store_id=store.id, number=number)
    if order is None:
        raise ApplicationError(gettext("We can't find that order."), code="not_found")
    rows = [QuickRow(line.position, line.sku, line.quantity) for line in order.lines.all()]
    return quick_order_add(principal=principal, rows=rows)


def cart_line_ship_to_set(*, principal: Principal, line_id: int, address_id: int | None) -> None:
    line = _own_line(principal=principal, line_id=line_id)
    if address_id is not None and (
        company_ship_to_address(company=principal.company, address_id=address_id) is None
    ):
        raise ApplicationError(
            gettext("Choose one of your company's ship-to addresses."), field="ship_to"
        )
    line.ship_to_id = address_id
    line.save(update_fields=["ship_to"])
    _store, membership = cart_owner(principal)
    buyer_pages_changed(user_id=membership.user_id)
