"""Whole-page cache for signed-in buyers' catalog pages.

A buyer's product list shows their company's own prices and stock, their cart size and forms
holding their CSRF token, so it can't be shared like an anonymous page. It can be kept for the
buyer's own session, though: the key is the session, its CSRF secret, the store's content
version and the URL. When the view renders such a page it names what the page was made of —
``mark_cacheable(request, depends_on=…)``: the gateway's price and stock generations, the
buyer's and their company's versions (bumped when the cart, the membership or the account
change), the ERP breaker's state — and a hit is served only while every one of those still
holds the value it had, and for at most the life of the gateway's price and stock caches under
it (the shorter of ``ERP_PRICE_TTL_SECONDS`` and ``ERP_AVAILABILITY_TTL_SECONDS``, or
``STOREFLEET_BUYER_PAGE_CACHE_SECONDS`` where that is shorter: :func:`page_life`), so that many
buyers are served one page for as long as its prices and stock hold.

A hit costs the session read and two cache reads: no routing, no user, no queries of its own.
It is looked up between the session and authentication middleware; whatever could make the
page differ and is not in the key (flash messages, a session without a signed-in user) makes
the request bypass the cache.

A page that says so (``mark_cacheable(..., shared=True)``: the catalog's list and product
pages) is also kept for the buyer's company, so that a buyer's first view of it — a new
session, a colleague — comes from the cache too. What of the buyer's own such a page shows (the
cart's size, the lists they may add to) is the buyer's *persona*, read once per buyer and kept
while their and their company's versions hold; the company entry is keyed by it, and is served
only to a buyer of the same company, store and persona whose session the persona was read with
(its auth hash and backend). The form tokens in it are the renderer's: every one of them (the
masked forms of the renderer's CSRF secret) is replaced by a token of the requester's own
secret, so a kept page never carries another session's secret.

Past its life a page is served stale while it is made again (stale-while-revalidate), within a
hard bound. A page whose life ran out (time only: a version, generation or breaker that moved
retires it at once, as before) is still served — marked ``hit-stale`` / ``hit-company-stale`` —
for at most ``STOREFLEET_BUYER_PAGE_STALE_SECONDS`` more (:func:`stale_window`); the first such
request that wins the page's refresh lock (one per page across processes: ``cache.add``; and one
refresh at a time per process, so refreshes never crowd out the requests they serve) has the
page made again for its own requester once its response is sent, on a thread of the serving
process (``STOREFLEET_BUYER_PAGE_REFRESH = "thread"``) or in the same thread after the response
(``"after-response"``: the tests, whose database a thread cannot see). The refresh is an
ordinary render of that buyer's request, kept by the same rules as a first render, so every wall
holds as it does for a miss: store, content version, company and persona are in the key, the
form tokens are re-minted per requester. A page past life plus window is never served: it is
rendered while the buyer waits. So what a page shows is at most life + window old (past its
gateway read), never older; the prices are indicative there — cart, checkout and submission
ask the ERP afresh and show a moved price to accept.

The ERP gateway's price and stock batches stay plain TTL caches (no stale-while-revalidate
there): a page refresh must fetch prices and stock as fresh as the gateway promises (else a
refreshed page could show a price older than the TTL), and what the buyer waits for is the page,
which the stale window already covers; cart and checkout read through the gateway too and must
not see stale prices."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import close_old_connections, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.utils import translation

from storefleet.release import release
from storefleet.tenants.locale import serve_in_store_locale

from .buyer_persona import buyer_membership, persona_parts
from .middleware import known_query, served_query

logger = logging.getLogger(__name__)

STORED_HEADERS = ("Content-Type", "Content-Language", "Cache-Control", "Vary")
MESSAGES_SESSION_KEY = "_messages"
ACTING_SESSION_KEY = "service_acting"  # storefleet.service.acting.ACTING_KEY
# What a page kept for the company is served with (a page kept for the session: "hit"); a
# page past its life, served while it is made again: STALE suffixed.
COMPANY_HIT = "hit-company"
STALE = "-stale"
# How long one refresh of a page may hold its lock: a refresher that died lets the next try.
REFRESH_LOCK_SECONDS = 30
# One refresh at a time per process: the refreshes never take more than one thread's share of
# the process from the requests it serves (a page not refreshed now is by a later request).
_REFRESHERS = threading.BoundedSemaphore(1)
# A persona is checked against versions on every use: its life only bounds memory.
PERSONA_SECONDS = 60 * 60
# Candidates for a masked CSRF token (64 letters and digits); those that unmask to the
# renderer's secret are its tokens.
TOKEN_CANDIDATE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def page_life() -> int:
    """How long a buyer's page may be kept, in seconds (0: not at all). A page shows prices
    and stock, so it must not outlive the gateway's caches of either: the shorter of their TTLs,
    shortened further by ``STOREFLEET_BUYER_PAGE_CACHE_SECONDS`` when that is set. A price or
    stock generation moving retires it earlier (it is among what the page depends on)."""
    life = min(settings.ERP_PRICE_TTL_SECONDS, settings.ERP_AVAILABILITY_TTL_SECONDS)
    configured = settings.STOREFLEET_BUYER_PAGE_CACHE_SECONDS
    if configured is not None:
        life = min(life, configured)
    return max(life, 0)


def stale_window() -> int:
    """How long past its life a page may still be served while it is made again, in seconds
    (0: never; then a page past its life is rendered while the buyer waits)."""
    return max(settings.STOREFLEET_BUYER_PAGE_STALE_SECONDS, 0)


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
    shared: bool = False


def mark_cacheable(
    request: HttpRequest,
    *,
    depends_on: Mapping[str, object],
    shared: bool = False,
    reads: Iterable[str] | None = None,
) -> None:
    """Let the buyer page cache keep this request's page while every key in ``depends_on``
    holds the value given (read them just before rendering, with ``versions``). ``shared``:
    the page shows nothing of the buyer's own but their cart's size and their lists (and form
    tokens), so it may be served to any buyer of the company with the same (see the module).
    ``reads``: the query parameters a view (not a Wagtail page, which says it on its type)
    reads, so its filtered and later pages are kept too, keyed by those parameters only."""
    if reads is not None:
        request._page_reads = frozenset(reads)  # type: ignore[attr-defined]  # as note_query_parameters
    slot = getattr(request, "_buyer_page_cache", None)
    if slot is not None:
        slot.depends_on.update(depends_on)
        slot.cacheable = True
        slot.shared = shared


@dataclass(frozen=True)
class Persona:
    """What of a buyer's own a shared page shows, as of ``depends_on`` (their and their
    company's versions); ``session`` is the auth hash and backend it was read with."""

    company_id: int
    digest: str
    depends_on: dict[str, object]
    session: tuple[str, str]


def persona_key(store_id: int, user_id: int | str) -> str:
    return f"buyer:persona:{store_id}:{user_id}"


def _session_proof(request: HttpRequest) -> tuple[str, str]:
    session = request.session
    return (str(session.get(HASH_SESSION_KEY, "")), str(session.get(BACKEND_SESSION_KEY, "")))


def buyer_persona(
    request: HttpRequest,
    store_id: int,
    *,
    kept: Any = None,
    also: Callable[[Persona], list[str]] | None = None,
) -> tuple[Persona | None, dict[str, Any]]:
    """The signed-in buyer's persona in this store, from the cache while their and their
    company's versions hold, else read (the user, their membership, their cart's size and the
    lists they see) and kept. None when the session's user is no buyer of a company buying
    here, or the session does not verify.

    ``kept``: the cached persona, already read by the caller; ``also``: the keys the caller
    will read next for that persona, read in the same round trip as its versions (their
    values come back with it; for a persona read afresh, they are read after it)."""
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return None, {}
    key = persona_key(store_id, user_id)
    if kept is None:
        kept = cache.get(key)
    if isinstance(kept, Persona) and kept.session == _session_proof(request):
        extra = also(kept) if also is not None else []
        current = cache.get_many([*kept.depends_on, *extra])
        if all(current.get(k) == v for k, v in kept.depends_on.items()):
            return kept, {k: current[k] for k in extra if k in current}
    persona = _persona_read(request, store_id, user_id, key)
    if persona is None or also is None:
        return persona, {}
    return persona, cache.get_many(also(persona))


def _persona_read(
    request: HttpRequest, store_id: int, user_id: int | str, key: str
) -> Persona | None:
    from django.contrib.auth import get_user

    user_version = versions([user_version_key(user_id)])  # before the data it guards
    user = get_user(request)  # verifies the session's auth hash, as authentication would
    request._cached_user = user  # type: ignore[attr-defined]  # AuthenticationMiddleware's
    if not user.is_authenticated or request.session.modified or str(user.pk) != str(user_id):
        return None
    membership = buyer_membership(user=user, store_id=store_id)
    if membership is None:
        return None
    depends_on = {**user_version, **versions([company_version_key(membership.company_id)])}
    membership = buyer_membership(user=user, store_id=store_id)  # read after the versions
    if membership is None:
        return None
    # The cart's size, the lists: what the apps owning them registered (``buyer_persona``).
    parts = persona_parts(user=user, store_id=store_id, membership=membership)
    what = repr((membership.company_id, parts))
    persona = Persona(
        company_id=membership.company_id,
        digest=hashlib.blake2b(what.encode(), digest_size=16).hexdigest(),
        depends_on=depends_on,
        session=_session_proof(request),
    )
    cache.set(key, persona, PERSONA_SECONDS)
    return persona


def _csrf_secret(request: HttpRequest) -> str | None:
    """The requester's CSRF secret from their cookie, if it is one Django would accept."""
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if len(secret) == CSRF_SECRET_LENGTH and all(c in CSRF_ALLOWED_CHARS for c in secret):
        return secret
    return None


def _unmask(token: str) -> str:
    """The secret a form token was made from: Django's token is a random mask followed by the
    secret shifted by it, letter by letter, in ``CSRF_ALLOWED_CHARS``."""
    mask, cipher = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    chars = CSRF_ALLOWED_CHARS
    return "".join(
        chars[chars.index(c) - chars.index(m)] for c, m in zip(cipher, mask, strict=True)
    )


def _tokens_of(content: bytes, secret: str) -> set[bytes]:
    """The form tokens in ``content`` made from ``secret`` (each mask differs)."""
    return {
        token
        for token in set(TOKEN_CANDIDATE.findall(content))
        if _unmask(token.decode()) == secret
    }


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
        translation.get_language() or "",  # the language the path asks for
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    return f"storefront:buyer2:{store_id}:{content_version}.{release()}:{user_id}:{digest}"


def company_page_key(
    request: HttpRequest, store_id: int, content_version: int, query: str, persona: Persona
) -> str:
    """The key of the page kept for every buyer of ``persona``'s company and persona."""
    parts = [
        persona.digest,
        request.get_host(),
        request.path,
        query,
        request.headers.get("Accept-Language", ""),
        translation.get_language() or "",  # the language the path asks for
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    version = f"{content_version}.{release()}"
    return f"storefront:buyer2-company:{store_id}:{version}:{persona.company_id}:{digest}"


FRESH, STALE_BUT_SERVABLE, GONE = "fresh", "stale", "gone"


class LifeExtender(Protocol):
    """Who may vouch that the pages' data is still current past their life (the ERP change
    watch: ``erp/watch.py``, registered by the catalog): one cache value read with a page's
    dependencies says for how long."""

    key: str

    def life(self, life: float, value: object, made_at: float) -> float:
        """How long a page of ``life`` seconds made at ``made_at`` may be kept now, given the
        key's value."""
        ...

    def longest(self, life: float) -> float:
        """The longest ``life`` may ever become (how long the cache keeps pages)."""
        ...

    def served(self, value: object) -> None:
        """A kept page is being served (the watch asks the ERP again when it is due)."""
        ...


_EXTENDERS: list[LifeExtender] = []


def register_life_extender(extender: LifeExtender) -> None:
    """Let ``extender`` lengthen a page's life (at most one; registering again replaces it)."""
    _EXTENDERS[:] = [extender]


def _state(entry: Any) -> str:
    """Whether a kept entry is within its life (fresh), past it but within the stale window
    (servable while it is made again), or not to be served: past both, or something it
    depends on moved (a moved version is never served stale).

    Its life is longer while the ERP change watch vouches for the prices and stock in it
    (``erp/watch.py``: nothing they are computed from changed since the last check, which is
    recent); a page served only on that word has the watch asked again once it is due."""
    if entry is None:
        return GONE
    expires, depends_on, stale_until = entry[0], entry[1], entry[2]
    now = time.time()
    extender = _EXTENDERS[0] if _EXTENDERS else None
    current = cache.get_many([*depends_on, *([extender.key] if extender else [])])
    lived = expires  # past it only on the extender's word
    if extender is not None:
        life = page_life()
        made_at = expires - life
        lived = made_at + extender.life(life, current.get(extender.key), made_at)
    if now >= stale_until + (lived - expires):
        return GONE
    if not all(current.get(k) == v for k, v in depends_on.items()):
        return GONE
    if extender is not None:
        extender.served(current.get(extender.key))
    if now < lived:
        return FRESH
    return STALE_BUT_SERVABLE


def _response(
    status: int, headers: list[tuple[str, str]], content: bytes, how: str
) -> HttpResponse:
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response["X-Storefleet-Cache"] = how
    return response


def _refresh_lock_key(page: str) -> str:
    return f"{page}:refreshing"


class BuyerPageCacheMiddleware:
    """Serves a signed-in buyer's page from the cache while what it was made of is unchanged,
    and past its life, within the stale window, while one refresh makes it again. Sits after
    ``SessionMiddleware`` and before ``AuthenticationMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.timeout = page_life()
        # Entries are kept (and a path's query parameters remembered) for life and window.
        # ... and longer while the ERP change watch vouches for them (erp/watch.py).
        self.max_age = self.timeout + stale_window() if self.timeout else 0
        self.kept_for = (
            int(max(e.longest(self.timeout) for e in _EXTENDERS)) + stale_window()
            if self.timeout and _EXTENDERS
            else self.max_age
        )
        self.in_thread = settings.STOREFLEET_BUYER_PAGE_REFRESH == "thread"
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
        # The buyer's own page and their persona in one round trip (a buyer's first view of a
        # page, the common case, finds no page of their own and goes on to the company's).
        user_id = None if key is None else request.session.get(SESSION_KEY)
        own_persona = None if user_id is None else persona_key(store.id, user_id)
        read = cache.get_many([k for k in (key, own_persona) if k is not None])
        entry: Any = None if key is None else read.get(key)
        own = _state(entry)
        if own == FRESH:
            _expires, _depends_on, _stale_until, status, headers, content = entry
            return _response(status, headers, content, "hit")

        # The company's page, for a buyer of its persona (key is None: not a buyer's request),
        # read with the persona's versions.
        secret = _csrf_secret(request)
        persona, company_key, shared = None, None, None
        if key is not None and query is not None and secret is not None:

            def company_of(persona: Persona) -> list[str]:
                assert query is not None
                return [company_page_key(request, store.id, store.content_version, query, persona)]

            persona, found = buyer_persona(
                request, store.id, kept=read.get(own_persona), also=company_of
            )
            if persona is not None:
                [company_key] = company_of(persona)
                shared = found.get(company_key)
        company = _state(shared)
        if company == FRESH and secret is not None:
            return self._company_page(request, shared, secret, COMPANY_HIT)

        if key is not None and (own == STALE_BUT_SERVABLE or company == STALE_BUT_SERVABLE):
            # Served as it was; made again once, after this response, for this buyer.
            if own == STALE_BUT_SERVABLE or secret is None:
                _expires, _depends_on, _stale_until, status, headers, content = entry
                response = _response(status, headers, content, "hit" + STALE)
            else:
                response = self._company_page(request, shared, secret, COMPANY_HIT + STALE)
            if request.method == "GET":
                # One refresh per page: the company's, when that is what went stale (it is
                # made again with the buyer's own), else the buyer's.
                page = company_key if company_key and company == STALE_BUT_SERVABLE else key
                self._refresh_after(response, request, page, persona, secret)
            return response

        return self._render(request, persona, secret)

    def _company_page(
        self, request: HttpRequest, shared: Any, secret: str, how: str
    ) -> HttpResponse:
        """The company's page with the requester's form tokens in place of the renderer's."""
        _expires, _depends_on, _stale_until, status, headers, content, tokens = shared
        request.META["CSRF_COOKIE"] = secret  # as CsrfViewMiddleware would have read it
        mine = get_token(request).encode()
        for token in tokens:
            content = content.replace(token, mine)
        return _response(status, headers, content, how)

    def _render(
        self, request: HttpRequest, persona: Persona | None, secret: str | None
    ) -> HttpResponse:
        """Render the page and keep it (for the session, and for the company where the view
        allows it and it was made for the persona)."""
        store = request.store  # type: ignore[attr-defined]
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
            and (query := served_query(request, store.id, store.content_version, self.kept_for))
            is not None
            and (key := page_key(request, store.id, store.content_version, query)) is not None
        ):
            headers = [(h, response[h]) for h in STORED_HEADERS if response.has_header(h)]
            now = time.time()
            expires, stale_until = now + self.timeout, now + self.max_age
            content = response.content
            entry = (expires, slot.depends_on, stale_until, response.status_code, headers, content)
            cache.set(key, entry, self.kept_for)
            response["X-Storefleet-Cache"] = "miss"
            if slot.shared and persona is not None and secret is not None:
                self._keep_for_company(request, slot, persona, secret, query, entry)
        return response

    def _refresh_after(
        self,
        response: HttpResponse,
        request: HttpRequest,
        page: str,
        persona: Persona | None,
        secret: str | None,
    ) -> None:
        """Have the page made again once ``response`` is sent, unless this process is already
        refreshing a page or another request holds this page's refresh lock."""
        if not _REFRESHERS.acquire(blocking=False):
            return
        lock = _refresh_lock_key(page)
        if not cache.add(lock, 1, REFRESH_LOCK_SECONDS):
            _REFRESHERS.release()
            return

        def refresh() -> None:
            try:
                # A request that read the page stale while another's refresh was finishing
                # takes the freed lock: the page is fresh now, there is nothing to do.
                if _state(cache.get(page)) != FRESH:
                    serve_in_store_locale(request, lambda r: self._render(r, persona, secret))
            except Exception:  # the stale page stays until its window ends; the next may try
                logger.exception("refreshing a buyer's page failed")
            finally:
                cache.delete(lock)
                _REFRESHERS.release()

        def start() -> None:
            if self.in_thread:
                threading.Thread(target=_in_own_connection(refresh), daemon=True).start()
            else:
                refresh()

        # Run by response.close(), which the server calls once the response is sent.
        response._resource_closers.append(start)  # type: ignore[attr-defined]  # Django's own

    def _keep_for_company(
        self,
        request: HttpRequest,
        slot: _Slot,
        persona: Persona,
        secret: str,
        query: str,
        entry: tuple[float, dict[str, object], float, int, list[tuple[str, str]], bytes],
    ) -> None:
        """Keep the page for the persona's company too, if it was made for that persona: the
        buyer's versions the view read are the persona's (nothing of theirs changed since)."""
        store = request.store  # type: ignore[attr-defined]
        if any(slot.depends_on.get(k, v) != v for k, v in persona.depends_on.items()):
            return
        if request.META.get("CSRF_COOKIE") != secret:
            return  # the page's tokens are of a secret the request did not bring
        expires, depends_on, stale_until, status, headers, content = entry
        # The company's page depends on what the persona does not cover; the renderer's own
        # version is checked through the persona of whoever is served.
        shared_on = {k: v for k, v in depends_on.items() if not k.startswith("buyer:v:user:")}
        tokens = _tokens_of(content, secret)
        key = company_page_key(request, store.id, store.content_version, query, persona)
        kept = (expires, shared_on, stale_until, status, headers, content, tokens)
        cache.set(key, kept, self.kept_for)

    @staticmethod
    def _sets_cookies(request: HttpRequest, response: HttpResponse) -> bool:
        """Any cookie but the CSRF cookie sent again as it was (Django refreshes it on every
        page with a form) means the page changed something of the buyer's: don't keep it."""
        csrf = settings.CSRF_COOKIE_NAME
        return any(
            name != csrf or morsel.value != request.COOKIES.get(csrf)
            for name, morsel in response.cookies.items()
        )


def _in_own_connection(work: Callable[[], None]) -> Callable[[], None]:
    """``work`` for a thread of its own: its database connections are closed after it."""

    def run() -> None:
        try:
            work()
        finally:
            close_old_connections()
            from django.db import connections

            connections.close_all()

    return run
