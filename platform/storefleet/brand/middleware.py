"""Whole-page cache for anonymous storefront visitors.

A brand's home page is the same for every anonymous visitor of that store, so it is rendered
once and served from the cache until the store's content changes. The key holds the store's
``content_version`` (from the host map the store middleware already read), so a publish in one
store invalidates that store's pages and no other's, without scanning or flushing the cache.
Requests that carry a session (signed-in buyers, editors) or that aren't plain GET/HEAD are
never served from or stored in this cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

CACHEABLE_URL_NAMES = {"wagtail_serve"}
STORED_HEADERS = ("Content-Type", "Content-Language")


def page_cache_key(store_id: int, content_version: int, full_path: str) -> str:
    digest = hashlib.blake2b(full_path.encode(), digest_size=16).hexdigest()
    return f"storefront:page:{store_id}:{content_version}:{digest}"


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

        key = page_cache_key(store.id, store.content_version, request.get_full_path())
        cached = cache.get(key)
        if cached is not None:
            status, headers, content = cached
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Storefleet-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if self._cacheable(request, response):
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
