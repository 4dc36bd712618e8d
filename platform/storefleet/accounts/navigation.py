"""The buyer's navigation: one row, the same on every buyer page of every store.

The entries are listed here once (``BUYER_NAV``) and drawn by one template
(``accounts/_buyer_nav.html``) in the storefront's shell, below its header: this app registers
the row with ``brand.shell``, which never imports accounts. An entry whose URL name does not
resolve on this host is left out, not drawn dead: an app that is not installed yet (saved lists
before ``storefleet.lists`` is merged) or a host without storefront URLs simply has no entry.
The catalog is a Wagtail page of the store, not a URL name: it is found per store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_noop

CATALOG = "catalog"  # the store's live catalog page, not a URL name


@dataclass(frozen=True, slots=True)
class NavEntry:
    """One entry: ``url_name`` is reversed on the request's URLconf (``CATALOG`` for the
    store's catalog page); ``also`` are further path prefixes the entry is current on."""

    key: str
    label: str  # in English, translated when drawn (the active language is the store's)
    url_name: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NavLink:
    key: str
    label: str
    href: str
    current: bool


BUYER_NAV: tuple[NavEntry, ...] = (
    NavEntry("catalog", gettext_noop("Catalog"), CATALOG),
    NavEntry("quick_order", gettext_noop("Quick order"), "ordering:quick_order"),
    NavEntry("lists", gettext_noop("Lists"), "lists:index"),
    NavEntry("orders", gettext_noop("Orders"), "ordering:orders", also=("/returns/",)),
    NavEntry(
        "invoices", gettext_noop("Invoices"), "billing:invoices", also=("/account/payments/",)
    ),
    NavEntry("account", gettext_noop("Account"), "accounts:home"),
)


def _catalog_href(request: HttpRequest) -> str | None:
    from storefleet.catalog.selectors import catalog_page_for_store

    store = getattr(request, "store", None)
    page = catalog_page_for_store(store=store) if store is not None else None
    return page.get_url(request) if page is not None else None


def entry_href(entry: NavEntry, request: HttpRequest) -> str | None:
    """Where the entry leads on this host, or None when it leads nowhere here (the entry is
    then left out)."""
    if entry.url_name == CATALOG:
        return _catalog_href(request)
    try:
        return reverse(entry.url_name, urlconf=getattr(request, "urlconf", None))
    except NoReverseMatch:
        return None


def buyer_navigation(
    request: HttpRequest, entries: Sequence[NavEntry] = BUYER_NAV
) -> list[NavLink]:
    """The entries that lead somewhere on this host, in their order; the one whose address
    is the longest prefix of the request's path is current (``/account/invoices/`` is
    Invoices, not Account)."""
    found = [(entry, href) for entry in entries if (href := entry_href(entry, request))]
    path = request.path
    best, best_length = None, 0
    for entry, href in found:
        for prefix in (href, *entry.also):
            if prefix != "/" and path.startswith(prefix) and len(prefix) > best_length:
                best, best_length = entry.key, len(prefix)
    return [
        NavLink(key=entry.key, label=gettext(entry.label), href=href, current=entry.key == best)
        for entry, href in found
    ]


def buyer_links(request: HttpRequest | None) -> list[NavLink]:
    """The row's links for a signed-in user whose company buys in this store; none for
    anyone else (a brand editor previewing, a buyer of another store's company). Worked out
    once per request: the brand's menu and the row both ask."""
    from .selectors import company_for_member

    if request is None:
        return []
    known: list[NavLink] | None = getattr(request, "_buyer_nav_links", None)
    if known is not None:
        return known
    store = getattr(request, "store", None)
    user = getattr(request, "user", None)
    links: list[NavLink] = []
    if (
        store is not None
        and user is not None
        and user.is_authenticated
        and company_for_member(user=user, store_id=store.id) is not None
    ):
        links = buyer_navigation(request)
    request._buyer_nav_links = links  # type: ignore[attr-defined]
    return links


def buyer_nav_render(context: template.Context) -> str:
    """The row below the storefront's header (``brand.shell`` place ``below_header``) for a
    signed-in user whose company buys in this store; nothing for anyone else."""
    request = context.get("request")
    links = buyer_links(request)
    if not links:
        return ""
    engine = context.template.engine if context.template is not None else None
    row = (engine or template.Engine.get_default()).get_template("accounts/_buyer_nav.html")
    return row.render(
        context.new(
            {
                "links": links,
                "cart_count": context.get("cart_count"),
                "csrf_token": context.get("csrf_token"),
                "request": request,
            }
        )
    )


def menu_taken(request: HttpRequest) -> list[str]:
    """Where the buyer's row leads: the brand's menu leaves those places out."""
    return [link.href for link in buyer_links(request)]
