"""What the storefront's shell (``brand/base.html``) shows of the apps above brand, registered by
those apps in their ``AppConfig.ready``: parts drawn in named places of the page (service's
acting banner at the top, accounts' buyer row below the header), addresses the shell links to
(marketing's contact sales form) and what leaves the brand's menu (the places accounts' buyer
row already leads to). The shell loads only brand's own tags and names no other app's template,
so brand stays below the apps it serves; an app that isn't installed simply shows nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

# (the template's context) -> HTML, already escaped (a rendered template).
Part = Callable[[template.Context], str]
# (the template's context) -> an address, "" for none.
Address = Callable[[template.Context], str]
# (the request) -> addresses the brand's menu need not lead to.
Taken = Callable[[HttpRequest], Sequence[str]]

_parts: dict[str, dict[str, Part]] = {}
_addresses: dict[str, Address] = {}
_taken: dict[str, Taken] = {}


def register_part(place: str, name: str, render: Part) -> None:
    """Draw ``render``'s HTML in ``place`` of every storefront page (``name`` is the app's:
    registering it again replaces it; parts of one place are drawn in name order)."""
    _parts.setdefault(place, {})[name] = render


def register_address(name: str, read: Address) -> None:
    """Say where the shell's link ``name`` leads (the last registration wins)."""
    _addresses[name] = read


def register_menu_taken(name: str, read: Taken) -> None:
    """Leave out of the brand's menu the places ``read`` says something else on the page
    already leads to."""
    _taken[name] = read


def part_template(template_name: str) -> Part:
    """A part that is one template, drawn as ``{% include %}`` would draw it: with the page's
    context (the acting agent, the CSRF token)."""

    def render(context: template.Context) -> str:
        engine = context.template.engine if context.template is not None else None
        found = (engine or template.Engine.get_default()).get_template(template_name)
        with context.push():
            return found.render(context)

    return render


def parts_render(*, place: str, context: template.Context) -> SafeString:
    """The parts registered for ``place``, drawn in name order (a part that is not already
    safe HTML is escaped)."""
    parts = sorted(_parts.get(place, {}).items())
    return format_html_join("", "{}", ((render(context),) for _name, render in parts))


def address_read(*, name: str, context: template.Context) -> str:
    read = _addresses.get(name)
    return read(context) if read is not None else ""


def menu_taken(*, request: HttpRequest | None) -> set[str]:
    if request is None:
        return set()
    return {href for read in _taken.values() for href in read(request)}


def menu_without_taken(*, request: HttpRequest | None, links: Any) -> list[Any]:
    """The brand's primary links (``NavigationSettings.primary_links``) less those leading
    where the page already leads (the buyer's row: its catalog), so a buyer sees "Catalog"
    once."""
    items = list(links or ())
    taken = menu_taken(request=request)
    if not taken:
        return items
    kept = []
    for item in items:
        page = item.value.get("page")
        href = (page.get_url(request=request) if page is not None else item.value.get("url")) or ""
        if href not in taken:
            kept.append(item)
    return kept
