"""What quotes read from ordering: the one module that calls into it (its signatures may
change; the rest of quotes does not notice)."""

from __future__ import annotations

from decimal import Decimal

from storefleet.accounts.models import Membership
from storefleet.tenants.selectors import StoreRecord


def cart_rows(*, store: StoreRecord, membership: Membership) -> list[tuple[str, Decimal]]:
    """The buyer's cart in this store as (SKU, quantity), to start a quote request from."""
    from storefleet.ordering.selectors import cart_lines

    return [
        (line.product.sku, line.quantity)
        for line in cart_lines(store_id=store.id, membership=membership)
    ]
