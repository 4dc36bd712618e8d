"""``{% order_approval order as approval %}``: an order's approval for ordering's pages, which
know nothing of approvals; ``{% quote_approval quote as approval %}`` the same for a quote's
page (a held acceptance: where it stands, and whom it waits on)."""

from __future__ import annotations

from django import template

from storefleet.ordering.models import Order
from storefleet.quotes.models import QuoteRequest

from ..selectors import OrderApproval
from ..selectors import order_approval as approval_of
from ..selectors import quote_approval as approval_of_quote

register = template.Library()


@register.simple_tag
def order_approval(order: Order) -> OrderApproval | None:
    return approval_of(order=order)


@register.simple_tag
def quote_approval(quote: QuoteRequest) -> OrderApproval | None:
    return approval_of_quote(quote_id=quote.pk, company=quote.company)
