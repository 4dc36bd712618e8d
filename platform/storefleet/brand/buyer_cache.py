"""Whole-page cache for signed-in buyers' catalog pages.

A buyer's product list shows their company's own prices and stock, their cart size and forms
holding their CSRF token, so it can't be shared like an anonymous page. It can be kept for the
buyer's own session, though: the key is the session, its CSRF secret, the store's content
version and the URL. When the view renders such a page it names what the page was made of —
``mark_cacheable(request, depends_on=…)``: the gateway's price and stock generations, the
buyer's and their company's versions (bumped when the cart, the membership or the account
change), the ERP breaker's state — and a hit is served only while every one of those still
holds the value it had, and for at most ``STOREFLEET_BUYER_PAGE_CACHE_SECONDS`` (which keeps a
page no staler than the gateway's price and stock caches under it).

A hit costs the session read and two cache reads: no routing, no user, no queries of its own.
It is looked up between the session and authentication middleware; whatever could make the
page differ and is not in the key (flash messages, a session without a signed-in user) makes
the request bypass the cache."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from .middleware import known_query, served_query

STORED_HEADERS = ("Content-Type", "Content-Language", "Cache-Control", "Vary")
MESSAGES_SESSION_KEY = "_messages"
ACTING_SESSION_KEY = "service_acting"  # storefleet.service.acting.ACTING_KEY


def user_version_key(user_id: int | str) -> str:
    return f"buyer:v:user:{user_id}"


def company_version_key(company_id: int) -> str:
    return f"buyer:v:company:{company_id}"


def _bump(key: str) -> None:
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


def _changed(key: str) -> None:
    # Now, and again once the transaction commits: a page rendered in between, from data not
    # yet committed, would otherwise be kept under the new version.
    _bump(key)
    transaction.on_commit(lambda: _bump(key))


def buyer_pages_changed(*, user_id: int) -> None:
    """Forget the cached pages of one user (cart, account or membership changed)."""
    _changed(user_version_key(user_id))


def company_pages_changed(*, company_id: int) -> None:
    """Forget the cached pages of every user of a company (its stores, terms or orders
    changed)."""
    _changed(company_version_key(company_id))


def buyer_page_dependencies(*, user_id: int, company_id: int) -> dict[str, object]:
    """The versions a page made of the buyer's own and their company's data depends on (read
    them before reading the data)."""
    return versions([user_version_key(user_id), company_version_key(company_id)])


def versions(keys: list[str]) -> dict[str, object]:
    """The current value of each version key (made, at 0, where it is missing)."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found and key.startswith("buyer:v:"):
            cache.add(key, 0, timeout=None)
            found[key] = cache.get(key, 0)
    return {key: found.get(key) for key in keys}


@dataclass
class _Slot:
    """What the view says about the page it rendered; empty means 'don't keep it'."""

    depends_on: dict[str, object] = field(default_factory=dict)
    cacheable: bool = False


def mark_cacheable(request: HttpRequest, *, depends_on: Mapping[str, object]) -> None:
    """Let the buyer page cache keep this request's page while every key in ``depends_on``
    holds the value given (read them just before rendering, with ``versions``)."""
    slot = getattr(request, "_buyer_page_cache", None)
    if slot is not None:
        slot.depends_on.update(depends_on)
        slot.cacheable = True


def page_key(request: HttpRequest, store_id: int, content_version: int, query: str) -> str | None:
    """The key of this buyer's page; ``query`` is the query string as the page cache keys it
    (only the parameters the page reads: brand.middleware)."""
    session = request.session
    user_id = session.get(SESSION_KEY)
    # An agent acting as a buyer is checked on every request (time limit, stop): never cached.
    if user_id is None or MESSAGES_SESSION_KEY in session or ACTING_SESSION_KEY in session:
        return None
    parts = [
        session.session_key or "",
        str(session.get(HASH_SESSION_KEY, "")),
        str(session.get(BACKEND_SESSION_KEY, "")),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.get_host(),
        request.path,
        query,
        request.headers.get("Accept-Language", ""),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    return f"storefront:buyer:{store_id}:{content_version}:{user_id}:{digest}"


class BuyerPageCacheMiddleware:
    """Serves a signed-in buyer's page from the cache while what it was made of is unchanged.
    Sits after ``SessionMiddleware`` and before ``AuthenticationMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.timeout = settings.STOREFLEET_BUYER_PAGE_CACHE_SECONDS
        self.session_cookie = settings.SESSION_COOKIE_NAME
        self.messages_cookie = getattr(settings, "MESSAGE_COOKIE_NAME", "messages")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        store = getattr(request, "store", None)
        if (
            not self.timeout
            or store is None
            or request.method not in ("GET", "HEAD")
            or self.session_cookie not in request.COOKIES
            or self.messages_cookie in request.COOKIES
        ):
            return self.get_response(request)
        query = known_query(request, store.id, store.content_version)
        key = None if query is None else page_key(request, store.id, store.content_version, query)
        entry = None if key is None else cache.get(key)
        if entry is not None:
            expires, depends_on, status, headers, content = entry
            if time.time() < expires:
                current = cache.get_many(list(depends_on))
                if all(current.get(k) == v for k, v in depends_on.items()):
                    response = HttpResponse(content, status=status)
                    for name, value in headers:
                        response[name] = value
                    response["X-Storefleet-Cache"] = "hit"
                    return response

        slot = _Slot()
        request._buyer_page_cache = slot  # type: ignore[attr-defined]
        response = self.get_response(request)
        if (
            slot.cacheable
            and request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not self._sets_cookies(request, response)
            and "no-store" not in response.get("Cache-Control", "")
            and (query := served_query(request, store.id, store.content_version, self.timeout))
            is not None
            and (key := page_key(request, store.id, store.content_version, query)) is not None
        ):
            headers = [(h, response[h]) for h in STORED_HEADERS if response.has_header(h)]
            entry = (
                time.time() + self.timeout,
                slot.depends_on,
                response.status_code,
                headers,
                response.content,
            )
            cache.set(key, entry, self.timeout)
            response["X-Storefleet-Cache"] = "miss"
        return response

    @staticmethod
    def _sets_cookies(request: HttpRequest, response: HttpResponse) -> bool:
        """Any cookie but the CSRF cookie sent again as it was (Django refreshes it on every
        page with a form) means the page changed something of the buyer's: don't keep it."""
        csrf = settings.CSRF_COOKIE_NAME
        return any(
            name != csrf or morsel.value != request.COOKIES.get(csrf)
            for name, morsel in response.cookies.items()
        )
