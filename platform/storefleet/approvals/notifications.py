"""E-mails about approvals: to the approvers of the step a held order (or quote acceptance)
waits on, when it is their turn, and to the buyer when an approver rejects it. Sent after
commit, in the store's language."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from storefleet.brand.selectors import brand_contact
from storefleet.tenants.locale import store_locale

from . import chain
from .models import ApprovalRequest, ApprovalState

logger = logging.getLogger("storefleet.approvals")


def _load(request_id: int) -> ApprovalRequest:
    return ApprovalRequest.objects.select_related(
        "order", "quote", "store", "store__site", "company", "requested_by", "decided_by"
    ).get(id=request_id)


def _send(message: EmailMessage) -> None:
    try:
        message.send()
    except Exception:
        logger.exception("could not send approval e-mail to %s", message.to)


def approval_requested(*, request_id: int) -> None:
    """Tell the approvers of the step it waits on now (never the buyer who placed it, nor who
    approved a step before) that it is their turn."""
    request = _load(request_id)
    if request.state != ApprovalState.PENDING:
        return
    turns = chain.turns_of(request)
    turn = chain.current(turns)
    if turn is None:
        return
    out = chain.excluded(request, turns)
    to = [m.user.email for m in chain.deciders(request, turn, out) if m.user.email]
    if not to:
        return
    store = request.store
    contact = brand_contact(site=store.site)
    context = {
        "order": request.order,
        "request": request,
        "store": store,
        "position": turn.position,
        "steps": len(turns),
        "url": f"{store.base_url}/account/approvals/{request.reference}/",
    }
    with store_locale(store):
        if request.order is not None:
            subject = _("Order %(number)s waits for your approval") % {"number": request.reference}
        else:
            subject = _("Accepting quote %(number)s waits for your approval") % {
                "number": request.quote.erp_number if request.quote else request.reference
            }
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
    """Tell the buyer their order (or quote acceptance) was rejected, and why."""
    request = _load(request_id)
    buyer = request.requested_by.email if request.requested_by else ""
    if not buyer:
        return
    store = request.store
    path = (
        f"/orders/{request.reference}/"
        if request.order is not None
        else f"/quotes/{request.quote_id}/"
    )
    context = {
        "order": request.order,
        "quote": request.quote,
        "request": request,
        "store": store,
        "url": f"{store.base_url}{path}",
    }
    with store_locale(store):
        if request.order is not None:
            subject = _("Order %(number)s was not approved") % {"number": request.reference}
        else:
            subject = _("Accepting quote %(number)s was not approved") % {
                "number": request.quote.erp_number if request.quote else request.reference
            }
        body = render_to_string("approvals/email/rejected.txt", context)
    _send(EmailMessage(f"{store.name}: {subject}", body, to=[buyer]))
