"""Whole-page cache for anonymous storefront visitors.

A brand's home page is the same for every anonymous visitor of that store, so it is rendered
once and served from the cache until the store's content changes. The key holds the store's
``content_version`` (from the host map the store middleware already read), so a publish in one
store invalidates that store's pages and no other's, without scanning or flushing the cache.
Requests that carry a session (signed-in buyers, editors) or that aren't plain GET/HEAD are
never served from or stored in this cache.

Query parameters a page does not read are not part of the key: each page type declares the ones
it reads (``cache_query_parameters``), the ``before_serve_page`` hook notes them on the request,
and the cache remembers them per path. So ``/?utm_source=…`` is the home page's one entry, not
a new one per value: nobody fills the cache by inventing parameters. A page type that declares
nothing is cached only when asked for without a query string. Responses that used a CSP nonce
are never kept either: a page replayed to others can't carry a one-time nonce.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.http import urlencode

from storefleet.release import release

CACHEABLE_URL_NAMES = {"wagtail_serve"}
STORED_HEADERS = ("Content-Type", "Content-Language")


def page_cache_key(
    store_id: int, content_version: int, path: str, query: str = "", language: str | None = None
) -> str:
    """Per store, content version, language (the one the path asks for: a French page is never
    served for German) and path with the query parameters the page reads."""
    language = language or translation.get_language() or ""
    digest = hashlib.blake2b(f"{path}?{query}".encode(), digest_size=16).hexdigest()
    return f"storefront:page:{store_id}:{content_version}.{release()}:{language}:{digest}"


def _reads_key(store_id: int, content_version: int, path: str) -> str:
    digest = hashlib.blake2b(path.encode(), digest_size=16).hexdigest()
    return f"storefront:reads:{store_id}:{content_version}.{release()}:{digest}"


def note_query_parameters(request: HttpRequest, page: object) -> None:
    """Remember, for the caches, which query parameters the page being served reads (None:
    its type doesn't say)."""
    request._page_reads = getattr(page, "cache_query_parameters", None)  # type: ignore[attr-defined]


def cache_query(query: QueryDict, reads: frozenset[str] | tuple[str, ...]) -> str:
    """The part of the query string that is part of a cache key: only what the page reads, in
    a fixed order."""
    return urlencode(sorted((name, value) for name in reads for value in query.getlist(name)))


def known_query(request: HttpRequest, store_id: int, content_version: int) -> str | None:
    """The request's query string as the page cache keys it, or None when it can't tell yet
    (the page at this path hasn't said what it reads)."""
    if not request.META.get("QUERY_STRING"):
        return ""
    reads = cache.get(_reads_key(store_id, content_version, request.path))
    return None if reads is None else cache_query(request.GET, reads)


def served_query(
    request: HttpRequest, store_id: int, content_version: int, timeout: int
) -> str | None:
    """After the page was rendered: the query string as keyed, remembering what the page at
    this path reads; None when the response must not be kept (a page that didn't say what it
    reads, asked for with a query string; a page that used a CSP nonce)."""
    if getattr(request, "_csp_nonce", None) is not None:
        return None
    reads = getattr(request, "_page_reads", None)
    if reads is None:
        return None if request.META.get("QUERY_STRING") else ""
    cache.set(_reads_key(store_id, content_version, request.path), tuple(sorted(reads)), timeout)
    return cache_query(request.GET, reads)


class StorefrontCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.timeout = settings.STOREFLEET_PAGE_CACHE_SECONDS
        self.session_cookie = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> HttpResponse:
        store = getattr(request, "store", None)
        if (
            store is None
            or request.method not in ("GET", "HEAD")
            or self.session_cookie in request.COOKIES
        ):
            return self.get_response(request)

        query = known_query(request, store.id, store.content_version)
        cached = None
        if query is not None:
            cached = cache.get(page_cache_key(store.id, store.content_version, request.path, query))
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Storefleet-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if self._cacheable(request, response):
            query = served_query(request, store.id, store.content_version, self.timeout)
            if query is None:
                return response
            key = page_cache_key(store.id, store.content_version, request.path, query)
            headers = [(h, response[h]) for h in STORED_HEADERS if response.has_header(h)]
            cache.set(key, (response.status_code, headers, response.content), self.timeout)
            response["X-Storefleet-Cache"] = "miss"
        return response

    @staticmethod
    def _cacheable(request: HttpRequest, response: HttpResponse) -> bool:
        match = request.resolver_match
        cache_control = response.get("Cache-Control", "")
        return (
            request.method == "GET"
            and response.status_code == 200
            and match is not None
            and match.url_name in CACHEABLE_URL_NAMES
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-cache" not in cache_control
            and "no-store" not in cache_control
        )
