"""Wagtail pages in the language the URL asks for, and what tells the visitor about it.

``/fr/…`` serves a page's French translation once an editor has translated and published it;
until then the default language's page, with a notice in French that says so and the content
marked with its own language (``lang``): never a silent mix. Links to pages follow the visitor's
language the same way, and the language switcher offers each language the store speaks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from storefleet.origins import public_base_url
from storefleet.tenants.locale import (
    language_host,
    language_path,
    language_url,
    store_locale,
    unprefixed_language,
    unprefixed_path,
)


def _route(request: HttpRequest, path: str) -> Any:
    site = Site.find_for_request(request)
    if site is None:
        return None
    components = [part for part in path.split("/") if part]
    home = site.root_page
    store = getattr(request, "store", None)
    if store is not None and len(store.all_languages) < 2:
        # One language: its tree is the store's own (no Locale to look up).
        try:
            return home.specific.route(request, components)
        except Http404:
            return None
    localized = home.localized
    try:
        return localized.specific.route(request, components)
    except Http404:
        if localized.pk == home.pk:
            return None
    # The language's tree lacks the page (a draft, not translated yet): the default language's.
    try:
        return home.specific.route(request, components)
    except Http404:
        return None


def serve_page(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's serve, routed in the active language's tree and, where that has no live page
    at ``path``, in the default language's (shown with a notice, ``page_language_notice``)."""
    route = _route(request, path)
    store = getattr(request, "store", None)
    if route is not None and store is not None and len(store.all_languages) > 1:
        page = route[0]
        translated = page.localized
        if translated.pk != page.pk and not route[1] and not route[2]:
            # A live translation under another slug: its own address.
            url = translated.get_url(request)
            if url and url != request.path:
                return HttpResponseRedirect(url)
    request._wagtail_route_for_request = route  # type: ignore[attr-defined]
    return wagtail_serve(request, path)


def page_language(page: Any) -> str:
    """The language a page's content is written in ("" for what is not a Wagtail page)."""
    if not isinstance(page, Page) or not page.locale_id:
        return ""
    return str(page.locale.language_code)  # kept on the page once read


def language_name(code: str) -> str:
    """A language's name in the active language ("Französisch" in German)."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def local_name(code: str) -> str:
    """A language's name in itself ("Deutsch"), as a switcher offers it."""
    try:
        return str(translation.get_language_info(code)["name_local"])
    except KeyError:
        return code


@dataclass(frozen=True)
class LanguageNotice:
    """The page is shown in ``shown`` although the visitor asked for ``asked``."""

    asked: str
    shown: str
    asked_name: str
    shown_name: str


def page_language_notice(request: HttpRequest | None, page: Any) -> LanguageNotice | None:
    """A notice when ``page`` is not in the language the visitor asked for (its translation is
    not published yet); None when it is, or off the storefront."""
    store = getattr(request, "store", None)
    if store is None or len(store.all_languages) < 2:
        return None  # one language: every page is in it
    shown = page_language(page)
    asked = translation.get_language() or ""
    if not shown or not asked or shown == asked:
        return None
    return LanguageNotice(asked, shown, language_name(asked), language_name(shown))


def localized_page_url(page: Page, request: HttpRequest | None) -> str:
    """The address of ``page`` in the visitor's language: its published translation's, else
    its own under the language's prefix (shown with the notice)."""
    store = getattr(request, "store", None)
    if store is None or len(store.all_languages) < 2:
        return page.get_url(request=request) or ""
    target = page.localized
    url = target.get_url(request=request) or ""
    active = translation.get_language() or ""
    if store is None or not url.startswith("/") or page_language(target) == active:
        return url
    # Unprefixed on a language's own host (where Wagtail writes the default's under "/de/").
    return language_path(
        unprefixed_path(url, languages=store.all_languages),
        language=active,
        default_language=unprefixed_language(store, active),
    )


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in the language itself
    href: str
    current: bool


def language_links(request: HttpRequest | None, page: Any = None) -> list[LanguageLink]:
    """Each language the store speaks, linking to this page in it: the page's published
    translation where there is one, else the same path under the language's prefix. A language
    served on another host (its own, or the store's from a language's own) is linked there."""
    store = getattr(request, "store", None)
    if request is None or store is None or len(store.all_languages) < 2:
        return []
    languages = store.all_languages
    default = languages[0]
    active = translation.get_language() or default
    here = language_host(store, active)
    base = unprefixed_path(request.path, languages=languages)
    own: dict[str, str] = {}
    if isinstance(page, Page) and page.pk is not None:
        page_url = page.get_url(request=request) or ""
        if page_url.startswith("/") and request.path.startswith(page_url):
            suffix = request.path[len(page_url) :]
            for translated in page.get_translations(inclusive=True).live().select_related("locale"):
                code = translated.locale.language_code
                # Written as the language's own host writes it (unprefixed on its own host).
                with store_locale(store, code):
                    url = translated.get_url(request=request) or ""
                if url.startswith("/"):
                    own[code] = url + suffix
    links = []
    for code in languages:
        host = language_host(store, code)
        if code in own:
            href = own[code] if host == here else public_base_url(host) + own[code]
        elif host == here:
            href = language_path(
                base, language=code, default_language=unprefixed_language(store, code)
            )
        else:
            href = language_url(store, code, base)
        links.append(
            LanguageLink(code=code, name=local_name(code), href=href, current=code == active)
        )
    return links
