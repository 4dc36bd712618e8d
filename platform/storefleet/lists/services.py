"""Writes of saved lists: make, rename, share and delete a list; add, change and remove its
lines; save the cart as a list; and order a list (all or some of its lines).

Every write finds the list through ``selectors.list_for`` (the caller's own or their
company's shared lists in this store), so another company's list, or a colleague's private
one, is refused like one that does not exist. Products are found in the store's assortment
only. Ordering a list puts its lines into the cart through ordering's own service, so they
get the ERP's live verdict there like every other cart line."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from storefleet.accounts.models import Membership
from storefleet.accounts.principal import Principal
from storefleet.brand.buyer_cache import buyer_pages_changed, company_pages_changed
from storefleet.catalog.selectors import product_for_store
from storefleet.errors import ApplicationError
from storefleet.ordering import selectors as ordering_selectors
from storefleet.ordering.cart import QuickOrderResult, quick_order_add
from storefleet.ordering.quick_order import QuickRow, quantity_problem
from storefleet.tenants.selectors import StoreRecord

from .models import SavedList, SavedListLine
from .selectors import list_for

MAX_LISTS = 100
MAX_LIST_LINES = 500
MAX_NAME = 80


def _not_found() -> ApplicationError:
    return ApplicationError(_("We can't find that list."), code="not_found")


def _name_checked(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(_("Give the list a name, such as “Monthly restock”."), field="name")
    if len(name) > MAX_NAME:
        raise ApplicationError(
            _("A list's name has at most %(max)d characters: shorten it.") % {"max": MAX_NAME},
            field="name",
        )
    return name


def _quantity_checked(quantity: Decimal) -> Decimal:
    problem = quantity_problem(quantity)
    if problem:
        raise ApplicationError(problem, field="quantity")
    return quantity


def _changed(saved_list: SavedList) -> None:
    """Pages that show lists (the product pages' "add to list" choices) are cached per buyer."""
    if saved_list.shared:
        company_pages_changed(company_id=saved_list.company_id)
    buyer_pages_changed(user_id=saved_list.owner_id)


def _visible(store: StoreRecord, membership: Membership, list_id: int) -> SavedList:
    saved_list = list_for(store_id=store.id, membership=membership, list_id=list_id)
    if saved_list is None:
        raise _not_found()
    return saved_list


def _owned(store: StoreRecord, membership: Membership, list_id: int) -> SavedList:
    saved_list = _visible(store, membership, list_id)
    if saved_list.owner_id != membership.user_id:
        raise ApplicationError(
            _("Only the colleague who made this list can rename, share or delete it."),
            code="forbidden",
        )
    return saved_list


# ------------------------------------------------------------------ lists
def list_create(
    *, store: StoreRecord, membership: Membership, name: str, shared: bool = False
) -> SavedList:
    """A new, empty list of the buyer's, private unless ``shared``."""
    name = _name_checked(name)
    owned = SavedList.objects.filter(
        store_id=store.id, company_id=membership.company_id, owner_id=membership.user_id
    )
    if owned.count() >= MAX_LISTS:
        raise ApplicationError(
            _("You can keep at most %(max)d lists: delete one first.") % {"max": MAX_LISTS}
        )
    if owned.filter(name=name).exists():
        raise ApplicationError(
            _("You already have a list called “%(name)s”: choose another name.") % {"name": name},
            field="name",
        )
    try:
        with transaction.atomic():
            saved_list = SavedList.objects.create(
                store_id=store.id,
                company_id=membership.company_id,
                owner_id=membership.user_id,
                name=name,
                shared=shared,
            )
    except IntegrityError as clash:  # the same name made at the same moment
        raise ApplicationError(
            _("You already have a list called “%(name)s”: choose another name.") % {"name": name},
            field="name",
        ) from clash
    _changed(saved_list)
    return saved_list


def list_update(
    *, store: StoreRecord, membership: Membership, list_id: int, name: str, shared: bool
) -> SavedList:
    """Rename a list and share or unshare it (its owner only)."""
    saved_list = _owned(store, membership, list_id)
    name = _name_checked(name)
    if (
        SavedList.objects.filter(
            store_id=store.id,
            company_id=membership.company_id,
            owner_id=membership.user_id,
            name=name,
        )
        .exclude(id=saved_list.id)
        .exists()
    ):
        raise ApplicationError(
            _("You already have a list called “%(name)s”: choose another name.") % {"name": name},
            field="name",
        )
    was_shared = saved_list.shared
    saved_list.name, saved_list.shared = name, shared
    saved_list.save(update_fields=["name", "shared", "updated_at"])
    if was_shared and not shared:
        company_pages_changed(company_id=saved_list.company_id)
    _changed(saved_list)
    return saved_list


def list_delete(*, store: StoreRecord, membership: Membership, list_id: int) -> None:
    saved_list = _owned(store, membership, list_id)
    saved_list.delete()
    _changed(saved_list)


# ------------------------------------------------------------------ lines
def list_line_add(
    *, store: StoreRecord, membership: Membership, list_id: int, sku: str, quantity: Decimal
) -> SavedListLine:
    """Add ``quantity`` of a product the store sells to a list (to its line, if it has one)."""
    _quantity_checked(quantity)
    product = product_for_store(store=store, sku=sku.strip())
    if product is None:
        raise ApplicationError(
            _("We don't sell a product with the SKU “%(sku)s” in this store: check the number.")
            % {"sku": sku},
            field="sku",
        )
    with transaction.atomic():
        saved_list = _visible(store, membership, list_id)
        SavedList.objects.select_for_update().filter(id=saved_list.id).first()
        line = saved_list.lines.filter(product=product).first()
        if line is None:
            if saved_list.lines.count() >= MAX_LIST_LINES:
                raise ApplicationError(
                    _("A list holds at most %(max)d lines: start another list.")
                    % {"max": MAX_LIST_LINES}
                )
            line = SavedListLine.objects.create(
                saved_list=saved_list, product=product, quantity=quantity
            )
        else:
            line.quantity = _quantity_checked(line.quantity + quantity)
            line.save(update_fields=["quantity"])
        saved_list.save(update_fields=["updated_at"])
    _changed(saved_list)
    return line


def _own_line(
    store: StoreRecord, membership: Membership, list_id: int, line_id: int
) -> SavedListLine:
    saved_list = _visible(store, membership, list_id)
    line = saved_list.lines.filter(id=line_id).first()
    if line is None:
        raise ApplicationError(_("That line is no longer on the list."), code="not_found")
    return line


def list_line_set_quantity(
    *, store: StoreRecord, membership: Membership, list_id: int, line_id: int, quantity: Decimal
) -> SavedListLine | None:
    """Set a line's quantity; 0 removes the line (returns None)."""
    line = _own_line(store, membership, list_id, line_id)
    if quantity == 0:
        line.delete()
        return None
    line.quantity = _quantity_checked(quantity)
    line.save(update_fields=["quantity"])
    return line


def list_line_remove(
    *, store: StoreRecord, membership: Membership, list_id: int, line_id: int
) -> None:
    _own_line(store, membership, list_id, line_id).delete()


def list_from_cart(
    *, store: StoreRecord, membership: Membership, name: str, shared: bool = False
) -> SavedList:
    """Save the buyer's cart as a new list; the cart stays as it is."""
    lines = list(ordering_selectors.cart_lines(store_id=store.id, membership=membership))
    if not lines:
        raise ApplicationError(_("Your cart is empty: add products before you save it as a list."))
    with transaction.atomic():
        saved_list = list_create(store=store, membership=membership, name=name, shared=shared)
        SavedListLine.objects.bulk_create(
            SavedListLine(saved_list=saved_list, product=line.product, quantity=line.quantity)
            for line in lines[:MAX_LIST_LINES]
        )
    return saved_list


# ------------------------------------------------------------------ ordering
def list_order(
    *,
    store: StoreRecord,
    membership: Membership,
    list_id: int,
    line_ids: Sequence[int] | None = None,
) -> QuickOrderResult:
    """Put the list's lines (all, or those of ``line_ids``) into the buyer's cart, where the ERP
    checks them like any cart line. Lines the cart can't take are reported, the others kept;
    the list itself is not changed."""
    saved_list = _visible(store, membership, list_id)
    lines = list(saved_list.lines.select_related("product").order_by("added_at", "id"))
    if line_ids is not None:
        wanted = set(line_ids)
        if not wanted:
            raise ApplicationError(_("Tick the lines you want to order, or order the whole list."))
        if not wanted <= {line.id for line in lines}:
            raise ApplicationError(
                _(
                    "Some of the lines you ticked are no longer on this list: reload it and "
                    "choose again."
                ),
                code="stale",
            )
        lines = [line for line in lines if line.id in wanted]
    if not lines:
        raise ApplicationError(_("This list is empty: add products to it first."))
    rows = [
        QuickRow(position, line.product.sku, line.quantity)
        for position, line in enumerate(lines, start=1)
    ]
    return quick_order_add(
        principal=Principal.for_member(store=store, membership=membership), rows=rows
    )
