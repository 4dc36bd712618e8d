"""The buyer's lists for the "add to list" forms on product and catalog pages: read once per
request, however many product cards a page has."""

from __future__ import annotations

from django import template

from storefleet.lists.models import SavedList

register = template.Library()

CACHE_ATTRIBUTE = "_storefleet_buyer_lists"


@register.simple_tag(takes_context=True)
def buyer_lists(context: template.Context) -> list[SavedList]:
    request = context.get("request")
    if request is None:
        return []
    cached = getattr(request, CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    found: list[SavedList] = []
    if store is not None and user is not None and user.is_authenticated:
        from storefleet.accounts.selectors import company_for_member

        from ..selectors import visible_lists

        membership = company_for_member(user=user, store_id=store.id)
        if membership is not None:
            found = list(visible_lists(store_id=store.id, membership=membership).only("id", "name"))
    setattr(request, CACHE_ATTRIBUTE, found)
    return found
