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


@register.simple_tag(takes_context=True)
def seo_head(context: template.Context) -> str:
    """Canonical address, Open Graph and JSON-LD (Organization, BreadcrumbList, Product) of a
    storefront page, on the store's canonical origin. Nothing on a page with no store."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    from storefleet.brand import seo

    request: HttpRequest | None = context.get("request")
    store = getattr(request, "store", None)
    if request is None or store is None:
        return ""
    if context.get("seo_noindex"):  # error pages
        return mark_safe('<meta name="robots" content="noindex">')
    page = context.get("page")
    product = context.get("product")
    brand: BrandContext | None = context.get("brand")
    if request.path.startswith(seo.PRIVATE_PREFIXES):
        # A buyer's own pages: nothing for search engines or link previews.
        return mark_safe('<meta name="robots" content="noindex">')
    canonical = f"{store.base_url}{request.path}"
    listing_page = request.GET.get("page", "")
    # ASCII digits only ("²" is a digit to isdigit(), not to int()), and few of them: int()
    # refuses thousands of digits.
    if (
        product is None
        and listing_page.isascii()
        and listing_page.isdigit()
        and len(listing_page) <= 9
        and int(listing_page) > 1
    ):
        canonical += f"?page={int(listing_page)}"
    if product is not None:
        title = product.name
        kind = "product"
    else:
        title = (getattr(page, "seo_title", "") or getattr(page, "title", "")) if page else ""
        kind = "website"
    description = getattr(page, "search_description", "") if product is None and page else ""
    pages_trail, logo_url = _seo_facts(request, store, page, brand)
    tags: list[tuple[str, str]] = [
        ("og:site_name", store.name),
        ("og:type", kind),
        ("og:url", canonical),
    ]
    if title:
        tags.append(("og:title", title))
    if description:
        tags.append(("og:description", description))
    if logo_url:
        tags.append(("og:image", logo_url if "://" in logo_url else f"{store.base_url}{logo_url}"))
    parts = [format_html('<link rel="canonical" href="{}">', canonical)]
    parts.append(format_html_join("", '<meta property="{}" content="{}">', tags))
    data: list[dict[str, Any]] = [
        seo.organization(store, brand.settings if brand else None, logo_url)
    ]
    trail = list(pages_trail)
    if product is not None and trail:
        trail.append((product.name, request.path))
    if len(trail) > 1:
        data.append(seo.breadcrumbs(store, trail))
    if product is not None:
        list_price = getattr(page, "anonymous_prices", "") == "list"
        data.append(
            seo.product(
                store,
                sku=product.sku,
                name=product.name,
                path=request.path,
                category=product.category.name if product.category_id else "",
                price=product.list_price if list_price else None,
                currency=product.currency if list_price else "",
            )
        )
    parts.append(seo.json_ld(data))
    return format_html_join("\n  ", "{}", ((part,) for part in parts))


def _seo_facts(
    request: HttpRequest, store: Any, page: Any, brand: BrandContext | None
) -> tuple[list[tuple[str, str]], str]:
    """The page's trail from the store's home page ((title, path) each) and the logo's address:
    read once per page and store content version (publishing or a settings change moves it), so
    a warm page asks the database nothing more for them."""
    from django.core.cache import cache
    from wagtail.models import Page

    page_id = getattr(page, "pk", None)
    key = f"brand:seo:v1:{store.id}:{store.content_version}:{page_id}"
    facts = cache.get(key)
    if facts is None:
        trail: list[tuple[str, str]] = []
        if isinstance(page, Page) and page.pk is not None:
            chain = list(
                page.get_ancestors(inclusive=True).only("id", "title", "url_path", "depth")
            )
            ids = [p.pk for p in chain]
            if store.root_page_id in ids:
                chain = chain[ids.index(store.root_page_id) :]
                trail = [(p.title, p.relative_url(None, request) or "/") for p in chain]
                trail[-1] = (page.title, page.relative_url(None, request) or "/")
        logo_url = ""
        if brand is not None and brand.settings.logo_id:
            logo_url = brand.settings.logo.get_rendition("height-112").url
        facts = (trail, logo_url)
        cache.set(key, facts, 3600)
    return facts
