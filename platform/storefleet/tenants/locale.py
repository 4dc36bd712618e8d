"""A store's language and time zone, switched on for each storefront request.

A store has a default language and a country (its declared state, ``brands/<slug>``); the
storefront speaks that language and shows times in the store's zone, so a German buyer reads
"Bestellt am 5. Dez. 2026, 22:15" in Berlin time rather than an English page in UTC. The admin
and Django's admin keep the editor's own language (Wagtail's per-user preference) and the
platform's zone: they are not the store's storefront."""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, Protocol

from babel.core import get_global
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import LocalePrefixPattern, URLResolver, get_urlconf, set_urlconf
from django.utils import timezone, translation

# The zone most of a country's people live in, where the CLDR lists several without an order.
MAIN_ZONES = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "MX": "America/Mexico_City",
    "RU": "Europe/Moscow",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "DE": "Europe/Berlin",
}

# Paths of a store's host that are not the storefront.
NOT_STOREFRONT = ("/admin/", "/django-admin/")


@lru_cache(maxsize=512)
def is_time_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=256)
def zone_for(*, country: str, time_zone: str = "") -> str:
    """The store's zone: its own if set, else its country's main one, else the platform's."""
    if time_zone and is_time_zone(time_zone):
        return time_zone
    country = country.upper()
    if country in MAIN_ZONES:
        return MAIN_ZONES[country]
    zones = get_global("territory_zones").get(country) or ()
    return next((zone for zone in zones if is_time_zone(zone)), settings.TIME_ZONE)


def storefront_language(language: str) -> str:
    """The store's language if the platform has a catalogue for it, else the default."""
    known = {code for code, _name in settings.LANGUAGES}
    code = (language or "").lower()
    if code in known:
        return code
    base = code.split("-")[0]
    return base if base in known else settings.LANGUAGE_CODE


class HasLocale(Protocol):
    """A store as a model or a ``StoreRecord`` (read-only: a frozen dataclass fits too)."""

    @property
    def default_language(self) -> str: ...

    @property
    def all_languages(self) -> tuple[str, ...]: ...

    @property
    def country(self) -> str: ...

    @property
    def time_zone(self) -> str: ...


# --- a language per URL prefix -------------------------------------------------------------------
# The store's default language is served unprefixed (``/catalog/``), each other language it
# declares under its code (``/fr/catalog/``). Django's own i18n_patterns leaves only
# settings.LANGUAGE_CODE unprefixed; here it is the store's default, which the store middleware
# (or ``store_locale`` in a task) makes current.

_store_default: ContextVar[str | None] = ContextVar("storefleet_store_default", default=None)
ROOT_URLCONF = "storefleet.urls"


def current_default_language() -> str:
    """The unprefixed language of the store being served (the platform's outside a store)."""
    return _store_default.get() or settings.LANGUAGE_CODE


class StoreLocalePrefixPattern(LocalePrefixPattern):
    """The active language's prefix, none for the store's default language. With
    ``default_language`` fixed (one URLconf per default language, ``storefleet.urls``) reversed
    URLs are cached per URLconf and language; without it, the current store's is read."""

    def __init__(self, default_language: str | None = None) -> None:
        super().__init__(prefix_default_language=False)
        self.default_language = default_language

    @property
    def language_prefix(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        default = self.default_language or current_default_language()
        return "" if language == default else f"{language}/"


def store_language_patterns(*urls: Any, default_language: str | None = None) -> list[URLResolver]:
    """``urls`` under the active language's prefix (none for the store's default)."""
    return [URLResolver(StoreLocalePrefixPattern(default_language), list(urls))]


def store_urlconf(default_language: str) -> str | None:
    """The URLconf of a store whose default language is ``default_language``; None when the
    root URLconf is not the platform's (a test's own)."""
    if settings.ROOT_URLCONF != ROOT_URLCONF:
        return None
    from storefleet import urls

    return urls.store_urlconf(default_language)


def language_path(path: str, *, language: str, default_language: str) -> str:
    """``path`` (of the default language, unprefixed) as it is in ``language``."""
    if language == default_language or not path.startswith("/"):
        return path
    return f"/{language}{path}"


def unprefixed_path(path: str, *, languages: tuple[str, ...]) -> str:
    """``path`` without its language prefix (``/fr/cart/`` → ``/cart/``)."""
    first, _, rest = path.lstrip("/").partition("/")
    if first in languages[1:]:
        return "/" + rest
    return path


def path_language(store: HasLocale, path: str) -> tuple[str, str]:
    """The language ``path`` asks for on ``store`` and what to do: ``"serve"``, ``"unprefix"``
    (the default language's own prefix: redirect to the unprefixed path) or ``"refuse"`` (a
    language the store does not speak: 404, never another language's or store's content)."""
    default = storefront_language(store.default_language)
    first = path.lstrip("/").split("/", 1)[0]
    languages = store.all_languages
    if first == default and path.startswith(f"/{first}/"):
        return default, "unprefix"
    if first in languages and first != default:
        return first, "serve"
    if first in {code for code, _name in settings.LANGUAGES}:
        return default, "refuse"
    return default, "serve"


@contextlib.contextmanager
def store_locale(store: HasLocale, language: str | None = None) -> Iterator[str]:
    """The store's language (or ``language``, one it declares) and zone switched on inside the
    block (a request, an e-mail the worker writes for the store's buyer), with the store's URLs
    (its default language unprefixed); yields the language."""
    default = storefront_language(store.default_language)
    language = storefront_language(language) if language else default
    zone = zone_for(country=store.country, time_zone=store.time_zone)
    token = _store_default.set(default)
    previous = get_urlconf()
    urlconf = store_urlconf(default)
    if urlconf is not None:
        set_urlconf(urlconf)
    try:
        with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
            yield language
    finally:
        set_urlconf(previous)
        _store_default.reset(token)


def serve_in_store_locale(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Answer ``request`` in the language its path asks for (the store's default unprefixed)
    and the store's zone, switched off again after: a thread serves other stores next. A
    language the store does not speak is its branded 404."""
    store = getattr(request, "store", None)
    if store is None or request.path_info.startswith(NOT_STOREFRONT):
        return get_response(request)
    language, verdict = path_language(store, request.path_info)
    with store_locale(store, language) as language:
        request.LANGUAGE_CODE = language
        urlconf = store_urlconf(current_default_language())
        if urlconf is not None:
            request.urlconf = urlconf  # type: ignore[attr-defined]
        if verdict == "unprefix":
            path = request.get_full_path()[len(language) + 1 :]
            return HttpResponsePermanentRedirect(path)
        if verdict == "refuse":
            # The store's 404 (the project's handler404), drawn in the store's language.
            raise Http404("This store does not speak that language.")
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
