"""Dates and times in the service console: one format for a day and one for a moment, in the
language and zone of the store the agent is looking at (``tenants.locale.store_locale``), so an
agent reads "5 Dec 2026, 22:15 CET" as the store's buyer reads their order page (both are
``storefleet.dates``), whatever zone the admin runs in. Money inside the same block follows
the store's notation (``money``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from storefleet import dates
from storefleet.tenants.locale import store_locale

register = template.Library()


@register.filter
def day(value: datetime.date | datetime.datetime | None) -> str:
    """A calendar day (a planned date, an invoice date), or a moment's day in the active
    zone; "" for none."""
    if value is None or value == "":
        return ""
    return dates.format_day(value)


@register.filter
def moment(value: datetime.datetime | None) -> str:
    """A point in time in the active zone, with the zone's name; "" for none."""
    if value is None or value == "":
        return ""
    return dates.format_day_time(value, zone=True)


class StoreLocaleNode(template.Node):
    def __init__(self, store: template.base.FilterExpression, nodelist: template.NodeList):
        self.store = store
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        store: Any = self.store.resolve(context)
        if store is None:
            return self.nodelist.render(context)
        with store_locale(store):
            return self.nodelist.render(context)


@register.tag("store_locale")
def do_store_locale(parser: template.base.Parser, token: template.base.Token) -> StoreLocaleNode:
    """``{% store_locale store %}…{% endstore_locale %}``: the block in the store's language
    and zone (the admin around it keeps the agent's)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("store_locale takes one argument: the store")
    nodelist = parser.parse(("endstore_locale",))
    parser.delete_first_token()
    return StoreLocaleNode(parser.compile_filter(bits[1]), nodelist)
