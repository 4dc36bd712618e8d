from __future__ import annotations

from django.http import HttpRequest

from .quick_order import MAX_QUANTITY


def ordering(request: HttpRequest) -> dict[str, object]:
    """The buyer's cart size and whether the ERP is away, for the storefront's header. Both
    are callables, so a page that doesn't show them pays nothing."""
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    if store is None or user is None or not user.is_authenticated:
        return {}

    def cart_count() -> int:
        from .selectors import cart_size

        return cart_size(store_id=store.id, user_id=user.pk)

    def erp_degraded() -> bool:
        from storefleet.erp.selectors import erp_breaker_state

        return erp_breaker_state() != "closed"

    return {
        "cart_count": cart_count,
        "erp_degraded": erp_degraded,
        # The quantity inputs' max: the browser says it before the server has to.
        "cart_max_quantity": MAX_QUANTITY,
    }
