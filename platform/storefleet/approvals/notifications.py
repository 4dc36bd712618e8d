"""E-mails about approvals: to the company's approvers when an order waits for them, and to
the buyer when an approver rejects their order. Sent after commit, in the store's language."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from storefleet.brand.selectors import brand_contact
from storefleet.tenants.locale import store_locale

from .models import ApprovalRequest
from .selectors import approvers_of

logger = logging.getLogger("storefleet.approvals")


def _load(request_id: int) -> ApprovalRequest:
    return ApprovalRequest.objects.select_related(
        "order", "order__store", "order__store__site", "order__company", "requested_by"
    ).get(id=request_id)


def _send(message: EmailMessage) -> None:
    try:
        message.send()
    except Exception:
        logger.exception("could not send approval e-mail to %s", message.to)


def approval_requested(*, request_id: int) -> None:
    """Tell the company's approvers (not the buyer who placed it) that an order waits."""
    request = _load(request_id)
    order = request.order
    to = approvers_of(company=order.company, except_user_id=order.placed_by_id)
    if not to:
        return
    store = order.store
    contact = brand_contact(site=store.site)
    context = {
        "order": order,
        "request": request,
        "store": store,
        "url": f"{store.base_url}/account/approvals/{order.number}/",
    }
    with store_locale(store):
        subject = _("Order %(number)s waits for your approval") % {"number": order.number}
        body = render_to_string("approvals/email/requested.txt", context)
    _send(
        EmailMessage(
            f"{store.name}: {subject}",
            body,
            to=to,
            reply_to=[contact.email] if contact.email else None,
        )
    )


def approval_rejected(*, request_id: int) -> None:
    """Tell the buyer their order was rejected, and why."""
    request = _load(request_id)
    order = request.order
    buyer = request.requested_by.email if request.requested_by else ""
    if not buyer:
        return
    store = order.store
    context = {
        "order": order,
        "request": request,
        "store": store,
        "url": f"{store.base_url}/orders/{order.number}/",
    }
    with store_locale(store):
        subject = _("Order %(number)s was not approved") % {"number": order.number}
        body = render_to_string("approvals/email/rejected.txt", context)
    _send(EmailMessage(f"{store.name}: {subject}", body, to=[buyer]))
