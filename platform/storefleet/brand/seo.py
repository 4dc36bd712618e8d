"""What search engines read of a store: robots.txt, the sitemaps, canonical addresses and
structured data (schema.org as JSON-LD).

Everything is per store (the request's host) and written on the store's canonical origin
(``StoreRecord.base_url``: its real scheme, host and port), never on the host a crawler happened
to use. A language served on a host of its own (``[store.hosts]``) is that host's: its
robots.txt names its own sitemap, which lists that language only, on that host's origin.

The sitemaps are built on each request from what is live and sellable now, so publishing a page
or a product sync is in the next crawl; the product sitemap pages at 50,000 addresses, the
protocol's limit, under one index.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET
from wagtail.models import Page

from storefleet.origins import public_base_url
from storefleet.tenants.locale import (
    host_language,
    host_languages,
    language_host,
    language_origin,
    store_locale,
    unprefixed_path,
)
from storefleet.tenants.selectors import StoreRecord

# Storefront paths that are a buyer's own (carts, orders, accounts) or tools: never crawled.
PRIVATE_PREFIXES = (
    "/account/",
    "/cart/",
    "/checkout/",
    "/quick-order/",
    "/orders/",
    "/returns/",
    "/lists/",
    "/billing/",
    "/service/",
    "/admin/",
    "/django-admin/",
    "/documents/",
    "/quotes/",
    "/api/",
)
SITEMAP_LIMIT = 50_000
# A content version lives until the next publish or sync; this only bounds what an idle store
# keeps in the cache.
SITEMAP_CACHE_SECONDS = 24 * 3600
Sitemaps = dict[str, type[DjangoSitemap] | DjangoSitemap]


def _store(request: HttpRequest) -> StoreRecord:
    store = getattr(request, "store", None)
    if store is None:
        raise Http404("Not a store's address")
    return store


def _host_language(request: HttpRequest, store: StoreRecord) -> str | None:
    """The language whose own host was asked; None on the store's own host."""
    return host_language(store, request.get_host())


def host_origin(request: HttpRequest, store: StoreRecord) -> str:
    """The canonical origin of the host that was asked: the store's, or a language's own."""
    language = _host_language(request, store)
    return public_base_url(language_host(store, language)) if language else store.base_url


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """A live store: everything public may be crawled, and here is its sitemap. A store that is
    not live (draft, suspended): nothing."""
    store = _store(request)
    lines = ["User-agent: *"]
    if store.is_live:
        lines += [f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES]
        lines += ["", f"Sitemap: {host_origin(request, store)}/sitemap.xml"]
    else:
        lines.append("Disallow: /")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class _OnStoreOrigin:
    """Sitemap addresses on the canonical origin of the section's language (the store's, or the
    language's own host's), whatever host was asked."""

    origin: str

    def get_domain(self, site: Any = None) -> str:
        return self.origin.split("://", 1)[1]

    def get_protocol(self, protocol: str | None = None) -> str:
        return self.origin.split("://", 1)[0]


class PageSitemap(_OnStoreOrigin, DjangoSitemap):
    """The store's live, public pages in one of its languages, from its own tree only (for a
    language other than the default, the published translations: an untranslated page is the
    default language's, listed there). Wagtail's sitemap writes each page's full URL from its
    Site, with the port of whoever saved the Site last."""

    def __init__(self, request: HttpRequest, store: StoreRecord, language: str = "") -> None:
        self.request = request
        self.store = store
        self.language = language or store.all_languages[0]
        self.origin = language_origin(store, self.language)

    def items(self) -> QuerySet[Page]:
        root = Page.objects.filter(pk=self.store.root_page_id).first()
        if root is not None and self.language != self.store.all_languages[0]:
            root = (
                Page.objects.live()
                .filter(translation_key=root.translation_key, locale__language_code=self.language)
                .first()
            )
        if root is None:
            return Page.objects.none()
        return (
            Page.objects.live()
            .public()
            .descendant_of(root, inclusive=True)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )

    def location(self, item: Any) -> str:
        return str(item.relative_url(None, self.request) or "/")

    def lastmod(self, item: Any) -> Any:
        return item.last_published_at or item.latest_revision_created_at


@dataclass(frozen=True)
class SitemapProducts:
    """Where a store's products live (its catalog page's path) and which they are: what the
    catalog registers (``register_sitemap_products``), so that this module never imports it.
    ``products`` is read only when a sitemap lists them: rows with ``sku`` and
    ``erp_write_date``, in SKU order."""

    catalog_path: str
    products: Callable[[], QuerySet[Any]]


# (request, store) -> the store's products, or None when it shows none (no live catalog page).
ProductsOf = Callable[[HttpRequest, StoreRecord], SitemapProducts | None]
_products_of: list[ProductsOf] = []


def register_sitemap_products(read: ProductsOf) -> None:
    """Say how a store's products are found for its sitemap (the catalog; the last wins)."""
    _products_of[:] = [read]


class ProductSitemap(_OnStoreOrigin, DjangoSitemap):
    """Every product the store sells, on its catalog page's address."""

    limit = SITEMAP_LIMIT

    def __init__(self, store: StoreRecord, found: SitemapProducts, language: str = "") -> None:
        self.store = store
        self.origin = language_origin(store, language or store.all_languages[0])
        self.catalog_path = found.catalog_path  # in the section's language
        self.found = found

    def items(self) -> QuerySet[Any]:
        return self.found.products()

    def location(self, item: Any) -> str:
        return f"{self.catalog_path}{item.sku}/"

    def lastmod(self, item: Any) -> Any:
        return item.erp_write_date


def _catalog_path_in(
    request: HttpRequest, store: StoreRecord, catalog_path: str, language: str
) -> str | None:
    """The catalog page's address in ``language``: its published translation's; None when it
    has none (its products are then listed in the default language only, as their pages say
    that they are shown in it)."""
    # On a language's own host the default language's pages are written under their prefix.
    catalog_path = unprefixed_path(catalog_path, languages=store.all_languages)
    if language == store.all_languages[0]:
        return catalog_path
    home = Page.objects.filter(pk=store.root_page_id).only("url_path").first()
    if home is None:
        return None
    catalog = Page.objects.filter(url_path=home.url_path + catalog_path.lstrip("/")).first()
    translated = (
        catalog.get_translations().live().filter(locale__language_code=language).first()
        if catalog is not None
        else None
    )
    url = translated.relative_url(None, request) if translated is not None else None
    return url if url and url.startswith("/") else None


def store_sitemaps(request: HttpRequest) -> Sitemaps:
    """The store's sections, per language served on the host asked: ``pages`` and ``products``
    in the default language, ``pages-fr`` and ``products-fr`` in French, and so on (each pages
    at 50,000 addresses); on a language's own host, that language's only. A language lists what
    is published in it: its translated pages, and the products once its catalog page is
    translated."""
    store = _store(request)
    sitemaps: Sitemaps = {}
    found = _products_of[0](request, store) if _products_of else None
    default = store.all_languages[0]
    for language in host_languages(store, _host_language(request, store)):
        suffix = "" if language == default else f"-{language}"
        sitemaps[f"pages{suffix}"] = PageSitemap(request, store, language)
        if found is None:
            continue
        catalog_path = _catalog_path_in(request, store, found.catalog_path, language)
        if catalog_path is not None:
            sitemaps[f"products{suffix}"] = ProductSitemap(
                store, SitemapProducts(catalog_path, found.products), language
            )
    return sitemaps


@require_GET
def sitemap_index(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    if not store.is_live:
        raise Http404("This store is not live")
    sitemaps = store_sitemaps(request)
    response = sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap_section")
    return _on_store_origin(response, request, store)


@require_GET
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One section's page of addresses. Made once per store content version (a publish or a
    product sync moves it on, so the next crawl reads what changed) and kept: 50,000 products
    take seconds to write, a crawler asks often."""
    store = _store(request)
    if not store.is_live:
        raise Http404("This store is not live")
    page = request.GET.get("p", "1")
    # ASCII digits and few of them: "²" is a digit to isdigit(), and int() refuses thousands.
    if not (page.isascii() and page.isdigit() and len(page) <= 6):
        raise Http404("No such sitemap page")
    # Per host too: a language's own host has its sections, the store's host the others.
    host = _host_language(request, store) or ""
    key = f"brand:sitemap:v2:{store.id}:{store.content_version}:{host}:{section}:{int(page)}"
    kept = cache.get(key)
    if kept is not None:
        response = HttpResponse(kept, content_type="application/xml")
        response["X-Robots-Tag"] = "noindex, noodp, noarchive"  # as Django's sitemap view says
        return response
    sitemaps = store_sitemaps(request)
    if section not in sitemaps:
        raise Http404(f"No sitemap section {section!r}")
    section_map = sitemaps[section]
    assert isinstance(section_map, DjangoSitemap)
    if not 1 <= int(page) <= _pages(section_map):
        raise Http404("No such sitemap page")
    response = sitemap_views.sitemap(request, sitemaps, section=section)
    response.render()
    cache.set(key, response.content, SITEMAP_CACHE_SECONDS)
    return response


def _pages(sitemap: DjangoSitemap) -> int:
    return Paginator(sitemap._items(), sitemap.limit).num_pages  # type: ignore[attr-defined]


def _on_store_origin(response: HttpResponse, request: HttpRequest, store: StoreRecord) -> Any:
    """The index lists its sections on the host that was asked (Django builds them from the
    request): move them onto that host's canonical origin."""
    asked = request.build_absolute_uri("/").rstrip("/")
    origin = host_origin(request, store)
    response.render()  # type: ignore[attr-defined]
    if asked != origin:
        response.content = response.content.replace(asked.encode(), origin.encode())
    return response


# --- translations (hreflang) ------------------------------------------------------------------


def page_alternates(page: Any, request: HttpRequest | None) -> list[tuple[str, str]]:
    """(hreflang, address) of each live, public translation of ``page`` — itself included, so
    every page of the set names the same set (reciprocal by construction) — each on its own
    store's canonical origin: the store's own languages (its tree in each), and where another
    live store holds a translation (a store per language), that one; plus ``x-default`` for
    the language of the set's original (its first page). Empty when the page has no
    translation a visitor can reach."""
    from storefleet.tenants.selectors import store_host_map

    if not isinstance(page, Page) or page.pk is None:
        return []
    translations = list(
        page.get_translations(inclusive=True).live().public().select_related("locale")
    )
    if len(translations) < 2:
        return []
    stores = {record.site.pk: record for record in store_host_map().values()}
    found: dict[str, str] = {}
    original = ""
    own_store = getattr(request, "store", None)
    for translation in sorted(translations, key=lambda p: p.pk):
        parts = translation.get_url_parts(request)
        store = stores.get(parts[0]) if parts else None
        if store is None or not store.is_live:
            continue
        language = translation.locale.language_code.lower()
        declared = language in store.all_languages
        if not declared and not translation.path.startswith(store.site.root_page.path):
            continue  # the store's tree in a language it does not speak (any more): not served
        # Its address as its store writes it in that language: unprefixed on the language's
        # own host or as the store's default, else under the prefix on the store's host.
        with store_locale(store, language if declared else None):
            own = own_store is not None and store.id == own_store.id
            parts = translation.get_url_parts(request if own else None)
        if parts is None or parts[2] is None:
            continue
        origin = language_origin(store, language) if declared else store.base_url
        found.setdefault(language, f"{origin}{parts[2]}")
        original = original or language
    own = page.locale.language_code.lower() if page.locale_id else ""
    if len(found) < 2 or own not in found:
        return []
    alternates = sorted(found.items())
    if original in found:
        alternates.append(("x-default", found[original]))
    return alternates


# --- structured data ---------------------------------------------------------------------------

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict[str, Any] | list[dict[str, Any]]) -> SafeString:
    """A JSON-LD script element; what marketing or the ERP wrote cannot close it (``</script>``
    is escaped as Django's json_script escapes it)."""
    text = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def organization(
    store: StoreRecord, settings: Any, logo_url: str = "", *, origin: str = ""
) -> dict[str, Any]:
    """``origin``: the host the page is on (a language's own), the store's when not given."""
    origin = origin or store.base_url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": (getattr(settings, "legal_name", "") or store.brand or store.name),
        "url": f"{origin}/",
    }
    if logo_url:
        data["logo"] = logo_url if "://" in logo_url else f"{origin}{logo_url}"
    contact = {
        key: value
        for key, value in (
            ("telephone", getattr(settings, "phone", "")),
            ("email", getattr(settings, "email", "")),
        )
        if value
    }
    if contact:
        data["contactPoint"] = {"@type": "ContactPoint", "contactType": "sales", **contact}
    return data


def breadcrumbs(
    store: StoreRecord, trail: Iterable[tuple[str, str]], *, origin: str = ""
) -> dict[str, Any]:
    """``trail``: (name, path) from the home page down to the page itself, on ``origin`` (the
    store's when not given)."""
    origin = origin or store.base_url
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": f"{origin}{path}",
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


SCHEMA = "https://schema.org/"


AvailabilityOf = Callable[[StoreRecord, str], str]
_availability_of: list[AvailabilityOf] = []


def register_offer_availability(read: AvailabilityOf) -> None:
    """Say how a product's availability is read for its structured data (the catalog, through
    the ERP gateway's stock cache; the last wins): brand never imports the ERP."""
    _availability_of[:] = [read]


def offer_availability(store: StoreRecord, sku: str) -> str:
    """schema.org's word for one unit of ``sku`` in the store's warehouse, as the registered
    reader says; "" when none is registered."""
    return _availability_of[0](store, sku) if _availability_of else ""


def product(
    store: StoreRecord,
    *,
    sku: str,
    name: str,
    path: str,
    category: str = "",
    image_url: str = "",
    price: Decimal | None = None,
    currency: str = "",
    availability: str = "",
    origin: str = "",
) -> dict[str, Any]:
    """A product; with an offer where the store shows anonymous visitors its list price. On
    ``origin`` (a language's own host's), the store's when not given."""
    origin = origin or store.base_url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "sku": sku,
        "name": name,
        "url": f"{origin}{path}",
        "brand": {"@type": "Brand", "name": store.brand or store.name},
    }
    if category:
        data["category"] = category
    if image_url:
        data["image"] = image_url if "://" in image_url else f"{origin}{image_url}"
    if price is not None and currency:
        data["offers"] = {
            "@type": "Offer",
            "price": format(price.normalize(), "f"),
            "priceCurrency": currency,
            "url": f"{origin}{path}",
            "seller": {"@type": "Organization", "name": store.brand or store.name},
        }
        if availability:
            data["offers"]["availability"] = availability
    return data
