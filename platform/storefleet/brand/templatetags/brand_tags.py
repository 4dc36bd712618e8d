from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.http import HttpRequest

from storefleet.brand import shell
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
        from storefleet.brand.localization import localized_page_url

        # In the visitor's language: the page's translation, or its address under the prefix.
        return localized_page_url(page, context.get("request"))
    return link.get("url") or ""


@register.simple_tag(takes_context=True)
def localized_pageurl(context: template.Context, page: Any) -> str:
    """``pageurl`` in the visitor's language (``brand.localization.localized_page_url``)."""
    from storefleet.brand.localization import localized_page_url

    return localized_page_url(page, context.get("request")) if page is not None else ""


@register.simple_tag(takes_context=True)
def language_switcher(context: template.Context) -> list[Any]:
    """The store's languages, each linking to this page in it (none for a one-language store)."""
    from storefleet.brand.localization import language_links

    return language_links(context.get("request"), context.get("page"))


@register.simple_tag(takes_context=True)
def language_notice(context: template.Context) -> Any:
    """The page is not yet translated into the visitor's language: what is shown instead."""
    from storefleet.brand.localization import page_language_notice

    return page_language_notice(context.get("request"), context.get("page"))


@register.simple_tag(takes_context=True)
def shell_part(context: template.Context, place: str) -> str:
    """What the apps above brand registered to draw in ``place`` of the page
    (``brand.shell``): the acting banner, the buyer's row; nothing where none did."""
    return shell.parts_render(place=place, context=context)


@register.simple_tag(takes_context=True)
def shell_address(context: template.Context, name: str) -> str:
    """Where the shell's link ``name`` leads ("" when no app said: the link is left out)."""
    return shell.address_read(name=name, context=context)


@register.simple_tag(takes_context=True)
def brand_menu(context: template.Context, links: Any) -> list[Any]:
    """The brand's primary links less those leading where the page already leads (the
    buyer's row: its catalog): a buyer sees "Catalog" once."""
    return shell.menu_without_taken(request=context.get("request"), links=links)


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
    from django.utils import translation

    from storefleet.brand.localization import page_language_notice
    from storefleet.tenants.locale import language_url, unprefixed_path

    # The host this language is served on (a language's own, or the store's).
    origin = seo.language_origin(store, translation.get_language() or store.all_languages[0])
    canonical = f"{origin}{request.path}"
    if page_language_notice(request, page) is not None:
        # The default language's page shown in place of a translation: that page's address.
        canonical = language_url(
            store,
            store.all_languages[0],
            unprefixed_path(request.path, languages=store.all_languages),
        )
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
        # The product's name in the page's language (the catalog's ``shown_name_noted``).
        title = getattr(product, "shown_name_noted", product.name)
        kind = "product"
    else:
        title = (getattr(page, "seo_title", "") or getattr(page, "title", "")) if page else ""
        kind = "website"
    description = getattr(page, "search_description", "") if product is None and page else ""
    facts = _seo_facts(request, store, page, brand)
    pages_trail, logo_url = facts.trail, facts.logo_url
    tags: list[tuple[str, str]] = [
        ("og:site_name", store.name),
        ("og:type", kind),
        ("og:url", canonical),
    ]
    if title:
        tags.append(("og:title", title))
    if description:
        tags.append(("og:description", description))
    # The page's own social image (promote tab) where marketing chose one; else the logo.
    image_url = (facts.social_image_url if product is None else "") or logo_url
    if image_url:
        tags.append(("og:image", image_url if "://" in image_url else f"{origin}{image_url}"))
    parts = [format_html('<link rel="canonical" href="{}">', canonical)]
    # hreflang: the same page in the store's other languages (and other stores' translations);
    # under a page (a product of a catalog page), the same path under each translation.
    suffix = request.path[len(facts.path) :] if request.path.startswith(facts.path) else None
    if facts.alternates and suffix is not None:
        parts.append(
            format_html_join(
                "",
                '<link rel="alternate" hreflang="{}" href="{}">',
                ((language, f"{url}{suffix}") for language, url in facts.alternates),
            )
        )
    parts.append(format_html_join("", '<meta property="{}" content="{}">', tags))
    data: list[dict[str, Any]] = [
        seo.organization(store, brand.settings if brand else None, logo_url, origin=origin)
    ]
    trail = list(pages_trail)
    if product is not None and trail:
        trail.append((getattr(product, "shown_name", product.name), request.path))
    if len(trail) > 1:
        data.append(seo.breadcrumbs(store, trail, origin=origin))
    if product is not None:
        list_price = getattr(page, "anonymous_prices", "") == "list"
        data.append(
            seo.product(
                store,
                sku=product.sku,
                name=getattr(product, "shown_name", product.name),
                path=request.path,
                category=product.category.name if product.category_id else "",
                price=product.list_price if list_price else None,
                currency=product.currency if list_price else "",
                # Only with the list price: an offer says both, and never a company's price.
                availability=seo.offer_availability(store, product.sku) if list_price else "",
                origin=origin,
            )
        )
    parts.append(seo.json_ld(data))
    return format_html_join("\n  ", "{}", ((part,) for part in parts))


@dataclass(frozen=True)
class SeoFacts:
    trail: list[tuple[str, str]]  # (title, path) from the store's home page down to the page
    logo_url: str
    social_image_url: str  # the page's own (promote tab), "" when it has none
    path: str  # the page's own path on the store
    alternates: list[tuple[str, str]]  # (hreflang, address) of its translations, with itself


def _seo_facts(request: HttpRequest, store: Any, page: Any, brand: BrandContext | None) -> SeoFacts:
    """The page's trail, the logo's and its social image's addresses, and its translations:
    read once per page and store content version (publishing or a settings change moves it), so
    a warm page asks the database nothing more for them."""
    from django.core.cache import cache
    from wagtail.models import Page

    from storefleet.brand import seo

    page_id = getattr(page, "pk", None)
    # Per host: a language's own host writes the store's paths unprefixed.
    host = seo.host_origin(request, store)
    key = f"brand:seo:v3:{store.id}:{store.content_version}:{page_id}:{host}"
    facts = cache.get(key)
    if facts is None:
        trail: list[tuple[str, str]] = []
        if isinstance(page, Page) and page.pk is not None:
            chain = list(
                page.get_ancestors(inclusive=True).only("id", "title", "url_path", "depth")
            )
            ids = [p.pk for p in chain]
            # From the store's home, or its translation (a page in another language).
            home_depth = (
                Page.objects.filter(pk=store.root_page_id).values_list("depth", flat=True).first()
            )
            starts = [i for i, p in enumerate(chain) if p.depth == home_depth]
            if store.root_page_id in ids or starts:
                chain = chain[starts[0] if starts else ids.index(store.root_page_id) :]
                trail = [(p.title, p.relative_url(None, request) or "/") for p in chain]
                trail[-1] = (page.title, page.relative_url(None, request) or "/")
        logo_url = ""
        if brand is not None and brand.settings.logo_id:
            logo_url = brand.settings.logo.get_rendition("height-112").url
        social_image_url = ""
        if getattr(page, "social_image_id", None):
            social_image_url = page.social_image.get_rendition("fill-1200x630").url
        path = ""
        alternates: list[tuple[str, str]] = []
        if isinstance(page, Page) and page.pk is not None:
            path = page.relative_url(None, request) or "/"
            if path.startswith("/"):
                alternates = seo.page_alternates(page, request)
        facts = SeoFacts(trail, logo_url, social_image_url, path, alternates)
        cache.set(key, facts, 3600)
    return facts
