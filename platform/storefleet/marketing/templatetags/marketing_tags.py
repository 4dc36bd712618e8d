from __future__ import annotations

from django import template
from django.core.cache import cache
from django.http import HttpRequest

register = template.Library()

CONTACT_TTL_SECONDS = 3600


@register.simple_tag(takes_context=True)
def contact_url(context: template.Context) -> str:
    """The address of the store's contact sales form page ("" when it has none): read once
    per store content version (a publish moves it on), so a warm page asks the database
    nothing for it."""
    request: HttpRequest | None = context.get("request")
    store = getattr(request, "store", None)
    if request is None or store is None:
        return ""
    key = f"marketing:contact:v1:{store.id}:{store.content_version}"
    known = cache.get(key)
    if known is None:
        from ..selectors import contact_page_for

        page = contact_page_for(root_page_id=store.root_page_id)
        known = (str(page.relative_url(None, request) or "") if page else "",)
        cache.set(key, known, CONTACT_TTL_SECONDS)
    return str(known[0])
