from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest

from storefleet.brand.models import BrandSettings, NavigationSettings

register = template.Library()


@dataclass(frozen=True)
class BrandContext:
    settings: BrandSettings
    navigation: NavigationSettings
    css_variables: dict[str, str]


@register.simple_tag(takes_context=True)
def brand_context(context: template.Context) -> BrandContext | None:
    """The current store's brand settings and navigation, read once per request."""
    request: HttpRequest | None = context.get("request")
    if request is None or getattr(request, "store", None) is None:
        return None
    brand_settings = BrandSettings.for_request(request)
    return BrandContext(
        settings=brand_settings,
        navigation=NavigationSettings.for_request(request),
        css_variables=brand_settings.css_variables(),
    )


@register.simple_tag(takes_context=True)
def link_href(context: template.Context, link: Any) -> str:
    """The address of a LinkBlock value: its page's URL or its external URL.

    With the request, a page of this store is linked relatively (``/catalog/``), whichever
    host and port the buyer came in on; a page of another store gets that store's canonical
    address (``brand.page_urls``). Without it Wagtail would write an absolute URL whenever
    several stores exist, with the Site's port instead of the one the public uses."""
    if not link:
        return ""
    page = link.get("page")
    if page is not None:
        return page.get_url(request=context.get("request")) or ""
    return link.get("url") or ""
