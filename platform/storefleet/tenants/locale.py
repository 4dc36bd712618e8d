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
from functools import lru_cache
from typing import Protocol

from babel.core import get_global
from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
    def country(self) -> str: ...

    @property
    def time_zone(self) -> str: ...


@contextlib.contextmanager
def store_locale(store: HasLocale) -> Iterator[str]:
    """The store's language and zone switched on inside the block (a request, an e-mail the
    worker writes for the store's buyer); yields the language."""
    language = storefront_language(store.default_language)
    zone = zone_for(country=store.country, time_zone=store.time_zone)
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        yield language


def serve_in_store_locale(
    request: HttpRequest, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Answer ``request`` with its store's language and zone switched on, and off again after:
    a thread serves other stores next."""
    store = getattr(request, "store", None)
    if store is None or request.path_info.startswith(NOT_STOREFRONT):
        return get_response(request)
    with store_locale(store) as language:
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
