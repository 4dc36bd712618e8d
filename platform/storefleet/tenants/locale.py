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
from django.http.request import split_domain_port
from django.urls import LocalePrefixPattern, URLResolver, get_urlconf, set_urlconf
from django.utils import timezone, translation

from storefleet.origins import public_base_url

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

    @property
    def hostname(self) -> str: ...

    # language → host of the languages served on their own host: a dict (the model) or
    # (language, host) pairs (``StoreRecord``).
    @property
    def language_hosts(self) -> Any: ...


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
    """``path`` without its language prefix (``/fr/cart/`` → ``/cart/``). Any of the store's
    languages: on a language's own host, Wagtail writes the default language's pages under
    their prefix too."""
    first, _, rest = path.lstrip("/").partition("/")
    if first in languages and path.startswith(f"/{first}/"):
        return "/" + rest
    return path


# --- a language on a host of its own --------------------------------------------------------------
# A store may serve a language on its own host (store.toml's ``[store.hosts]``): unprefixed there,
# as the default language is on the store's host. Where a language lives is (host, prefix):
# ``language_url`` writes it, ``path_language`` sends a request that asked elsewhere there.


def language_hosts(store: HasLocale) -> dict[str, str]:
    """language → its own host, for the languages the store serves on one."""
    return {language: str(host).lower() for language, host in dict(store.language_hosts).items()}


def language_host(store: HasLocale, language: str) -> str:
    """The host ``language`` is served on: its own, else the store's."""
    return language_hosts(store).get(language) or store.hostname.lower()


def unprefixed_language(store: HasLocale, language: str) -> str:
    """The language served unprefixed on the host that serves ``language``: itself on its own
    host, the store's default on the store's host."""
    if language in language_hosts(store):
        return language
    return storefront_language(store.default_language)


def language_origin(store: HasLocale, language: str) -> str:
    """The canonical origin of the host ``language`` is served on (its own, else the store's)."""
    return public_base_url(language_host(store, language))


def language_url(store: HasLocale, language: str, path: str = "/") -> str:
    """``path`` (unprefixed) in ``language``, absolute: on the language's host, under its prefix
    where it has one there (``https://ferrum.fr.example/cart/``, ``https://ferrum.example/en/cart/``)."""
    prefix = "" if unprefixed_language(store, language) == language else f"/{language}"
    return f"{language_origin(store, language)}{prefix}{path}"


def host_language(store: HasLocale, hostname: str) -> str | None:
    """The language whose own host ``hostname`` is (any case, with or without a port); None for
    the store's own host."""
    host = (split_domain_port(hostname)[0] or hostname).lower()
    return next((language for language, own in language_hosts(store).items() if own == host), None)


def host_languages(store: HasLocale, language: str | None) -> tuple[str, ...]:
    """The languages served on the host of ``language`` (None: the store's own host)."""
    if language is not None:
        return (language,)
    hosted = language_hosts(store)
    return tuple(code for code in store.all_languages if code not in hosted)


def path_language(store: HasLocale, path: str, host_language: str | None = None) -> tuple[str, str]:
    """The language ``path`` asks for on ``store``'s host (or on ``host_language``'s own host)
    and what to do: ``"serve"``, ``"unprefix"`` (the host's unprefixed language under its own
    prefix: redirect to the unprefixed path), ``"elsewhere"`` (a language of the store served
    on another host, or unprefixed there: redirect to it, ``language_url``) or ``"refuse"`` (a
    language the store does not speak: 404, never another language's or store's content)."""
    default = storefront_language(store.default_language)
    here = host_language or default
    first = path.lstrip("/").split("/", 1)[0]
    languages = store.all_languages
    if first == here and path.startswith(f"/{first}/"):
        return here, "unprefix"
    if first in languages and first != here:
        if host_language is not None or first in language_hosts(store):
            return first, "elsewhere"
        return first, "serve"
    if first in {code for code, _name in settings.LANGUAGES}:
        return here, "refuse"
    return here, "serve"


@contextlib.contextmanager
def store_locale(store: HasLocale, language: str | None = None) -> Iterator[str]:
    """The store's language (or ``language``, one it declares) and zone switched on inside the
    block (a request, an e-mail the worker writes for the store's buyer), with the store's URLs
    as the language's host has them (its default language unprefixed, or ``language`` on its
    own host); yields the language."""
    default = storefront_language(store.default_language)
    language = storefront_language(language) if language else default
    zone = zone_for(country=store.country, time_zone=store.time_zone)
    unprefixed = unprefixed_language(store, language)
    token = _store_default.set(unprefixed)
    previous = get_urlconf()
    urlconf = store_urlconf(unprefixed)
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
    """Answer ``request`` in the language its path asks for (the store's default unprefixed,
    or on a language's own host that language) and the store's zone, switched off again after:
    a thread serves other stores next. A language served on another host is redirected there;
    a language the store does not speak is its branded 404."""
    store = getattr(request, "store", None)
    if store is None or request.path_info.startswith(NOT_STOREFRONT):
        return get_response(request)
    on_host = host_language(store, request.get_host())
    language, verdict = path_language(store, request.path_info, on_host)
    if verdict == "elsewhere":
        # Permanent: the language's address is its host's (search engines move their entry).
        rest = request.get_full_path()[len(language) + 1 :]
        return HttpResponsePermanentRedirect(
            language_url(store, language, rest if rest.startswith("/") else "/" + rest)
        )
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
