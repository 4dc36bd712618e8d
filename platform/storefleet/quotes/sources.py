"""Where a quote request starts from, read from the apps that hold it: the buyer's cart
(ordering) and a saved list (lists). The one module that calls into them (their signatures may
change; the rest of quotes does not notice). Rows are only a prefill: the request form is
judged again when it is sent."""

from __future__ import annotations

from decimal import Decimal

from storefleet.accounts.principal import Principal


def cart_rows(*, principal: Principal) -> list[tuple[str, Decimal]]:
    """The buyer's cart in this store as (SKU, quantity), to start a quote request from."""
    from storefleet.ordering.selectors import cart_lines

    if principal.membership is None:
        return []
    return [
        (line.product.sku, line.quantity)
        for line in cart_lines(
            store_id=principal.require_store().id, membership=principal.membership
        )
    ]


def list_rows(*, principal: Principal, list_id: int) -> list[tuple[str, Decimal]] | None:
    """One of the saved lists the buyer may see in this store (their own, or a shared one of
    their company) as (SKU, quantity); None for any other list, as for none."""
    from storefleet.lists.selectors import list_for, list_lines

    if principal.membership is None:
        return None
    saved_list = list_for(
        store_id=principal.require_store().id, membership=principal.membership, list_id=list_id
    )
    if saved_list is None:
        return None
    return [(line.product.sku, line.quantity) for line in list_lines(saved_list=saved_list)]
