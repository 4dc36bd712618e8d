"""The buyer's navigation row, drawn from ``storefleet.accounts.navigation``, and the brand's
menu beside it without what the row already offers."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from storefleet.accounts.navigation import NavLink, buyer_navigation
from storefleet.accounts.selectors import company_for_member

register = template.Library()


def _buyer_links(request: HttpRequest | None) -> list[NavLink]:
    """The row's links for a signed-in user whose company buys in this store; none for
    anyone else (a brand editor previewing, a buyer of another store's company). Worked out
    once per request: the menu and the row both ask."""
    if request is None:
        return []
    known: list[NavLink] | None = getattr(request, "_buyer_nav_links", None)
    if known is not None:
        return known
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    links: list[NavLink] = []
    if (
        store is not None
        and user is not None
        and user.is_authenticated
        and company_for_member(user=user, store_id=store.id) is not None
    ):
        links = buyer_navigation(request)
    request._buyer_nav_links = links  # type: ignore[attr-defined]
    return links


@register.inclusion_tag("accounts/_buyer_nav.html", takes_context=True)
def buyer_nav(context: template.Context) -> dict[str, Any]:
    """The row for a signed-in user whose company buys in this store; nothing for anyone
    else."""
    request = context.get("request")
    links = _buyer_links(request)
    if not links:
        return {"links": []}
    return {
        "links": links,
        "cart_count": context.get("cart_count"),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.simple_tag(takes_context=True)
def brand_menu(context: template.Context, links: Any) -> list[Any]:
    """The brand's primary links (``NavigationSettings.primary_links``) less those leading
    where the buyer's row already leads (its catalog): a buyer sees "Catalog" once."""
    request = context.get("request")
    items = list(links or ())
    taken = {link.href for link in _buyer_links(request)}
    if not taken:
        return items
    kept = []
    for item in items:
        page = item.value.get("page")
        href = (page.get_url(request=request) if page is not None else item.value.get("url")) or ""
        if href not in taken:
            kept.append(item)
    return kept
