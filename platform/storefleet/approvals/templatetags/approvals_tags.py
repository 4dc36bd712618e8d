"""``{% order_approval order as approval %}``: an order's approval for ordering's pages, which
know nothing of approvals."""

from __future__ import annotations

from django import template

from storefleet.ordering.models import Order

from ..selectors import OrderApproval
from ..selectors import order_approval as approval_of

register = template.Library()


@register.simple_tag
def order_approval(order: Order) -> OrderApproval | None:
    return approval_of(order=order)
