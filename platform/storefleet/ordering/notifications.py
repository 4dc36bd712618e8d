"""E-mails about orders: the confirmation with the ERP's reference, and a refusal to the buyer
and to the store's service team. Each is sent once per order, whoever calls first."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from storefleet.brand.selectors import brand_contact
from storefleet.tenants.locale import store_locale

from .models import Order, OrderStatus

logger = logging.getLogger("storefleet.ordering")


def _order_url(order: Order) -> str:
    # Sent by the worker, with no request: the store's canonical address.
    return f"{order.store.base_url}/orders/{order.number}/"


def order_outcome(*, order: Order, resend: bool = False) -> bool:
    """Tell the buyer (and, on a refusal, the service team) how the ERP answered. Returns
    whether this call sent it (False: already sent, or nothing to tell yet). ``resend``: a
    service agent asks for the buyer's e-mail again on purpose (and records it); the team is
    not told twice."""
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.REFUSED):
        return False
    claimed = Order.objects.filter(id=order.id, buyer_notified_at__isnull=True).update(
        buyer_notified_at=timezone.now()
    )
    if not claimed and not resend:
        return False
    contact = brand_contact(site=order.store.site)
    sales = list(order.sales.all())
    context = {
        "order": order,
        "lines": list(order.lines.select_related("ship_to")),
        "sales": sales,
        "store": order.store,
        "contact": contact,
        "url": _order_url(order),
        # What the ERP will invoice, once each of its sales has its total.
        "invoiced_total": (
            sum((s.erp_total or Decimal(0) for s in sales), Decimal(0))
            if sales and all(s.erp_total is not None for s in sales)
            else None
        ),
    }
    buyer = order.placed_by.email if order.placed_by else ""
    kind = "confirmed" if order.status == OrderStatus.CONFIRMED else "refused"
    messages = []
    if buyer:
        # The buyer reads it in the store's language, amounts and dates as the storefront shows.
        with store_locale(order.store):
            subject = (
                _("Order %(number)s confirmed") % {"number": order.number}
                if kind == "confirmed"
                else _("Order %(number)s: we could not accept it") % {"number": order.number}
            )
            messages.append(
                EmailMessage(
                    f"{order.store.name}: {subject}",
                    render_to_string(f"ordering/email/order_{kind}.txt", context),
                    to=[buyer],
                    reply_to=[contact.email] if contact.email else None,
                )
            )
    if kind == "refused" and claimed:
        team = contact.email or settings.ORDERING_SERVICE_EMAIL
        messages.append(
            EmailMessage(
                f"[{order.store.name}] ERP refused web order {order.number} ({order.company.code})",
                render_to_string("ordering/email/order_refused_team.txt", context),
                to=[team],
            )
        )
    for message in messages:
        try:
            message.send()
        except Exception:
            logger.exception("could not send e-mail about order %s to %s", order.number, message.to)
    return True
