"""The buyer's navigation row, drawn from ``storefleet.accounts.navigation``."""

from __future__ import annotations

from typing import Any

from django import template

from storefleet.accounts.navigation import buyer_navigation
from storefleet.accounts.selectors import company_for_member

register = template.Library()


@register.inclusion_tag("accounts/_buyer_nav.html", takes_context=True)
def buyer_nav(context: template.Context) -> dict[str, Any]:
    """The row for a signed-in user whose company buys in this store; nothing for anyone
    else (a brand editor previewing, a buyer of another store's company)."""
    request = context.get("request")
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    if request is None or store is None or user is None or not user.is_authenticated:
        return {"links": []}
    if company_for_member(user=user, store_id=store.id) is None:
        return {"links": []}
    return {
        "links": buyer_navigation(request),
        "cart_count": context.get("cart_count"),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
