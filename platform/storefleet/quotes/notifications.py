"""E-mails about quotes: every step of a negotiation goes to the other side. What the store's
side does (a quotation, an agent's answer, a salesperson's edit in the ERP) goes to the buyer,
in the store's language; what the buyer does (a request, a revision request, a decline, an
acceptance) goes to the store's service agents, in English like their console. A mail that
can't be sent is logged: the step itself stands (it is on the quote's timeline)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from storefleet.brand.selectors import brand_contact
from storefleet.tenants.locale import store_locale

from .models import EventKind, QuoteEvent, QuoteRequest

logger = logging.getLogger("storefleet.quotes")

# What the buyer's e-mail subject says for each step of the store's side.
BUYER_SUBJECTS = {
    EventKind.QUOTED: gettext_noop("Your quote %(number)s is ready"),
    EventKind.ANSWERED: gettext_noop("New version of your quote %(number)s"),
    EventKind.ERP_CHANGED: gettext_noop("New version of your quote %(number)s"),
    EventKind.ORDERED: gettext_noop("Your quote %(number)s is now an order"),
    EventKind.REFUSED: gettext_noop("Your quote %(number)s was refused"),
}
# What the agents' e-mail subject says for each step of the buyer's side.
AGENT_SUBJECTS = {
    EventKind.REQUESTED: "New quote request from {company}",
    EventKind.REVISION_REQUESTED: "{company} asks for a revision of quote {number}",
    EventKind.DECLINED: "{company} declined quote {number}",
    EventKind.ACCEPTED: "{company} accepted quote {number}",
    EventKind.ANSWER_REFUSED: "The ERP refused your answer to quote {number} of {company}",
    EventKind.REFUSED: "The ERP refused quote {number} of {company}",
}


def buyer_url(quote: QuoteRequest) -> str:
    # Written by the worker too, with no request: the store's canonical address.
    return f"{quote.store.base_url}/quotes/{quote.id}/"


def agent_url(quote: QuoteRequest) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("service_quote", args=[quote.id])


def _reference(quote: QuoteRequest) -> str:
    return quote.erp_number or f"RFQ {quote.id}"


def buyer_notify(*, event: QuoteEvent) -> bool:
    """Tell the buyer who asked for (or first acted on) the quote about a step of the store's
    side. False when there is nobody to tell."""
    quote = event.quote
    buyer = quote.created_by
    if buyer is None or not buyer.is_active or not buyer.email:
        return False
    contact = brand_contact(site=quote.store.site)
    context = _context(quote, event) | {"url": buyer_url(quote), "contact": contact}
    with store_locale(quote.store):
        subject = _(BUYER_SUBJECTS[EventKind(event.kind)]) % {"number": _reference(quote)}
        message = EmailMessage(
            f"{quote.store.name}: {subject}",
            render_to_string("quotes/email/to_buyer.txt", context),
            to=[buyer.email],
            reply_to=[contact.email] if contact.email else None,
        )
    return _send(message, quote)


def agents_notify(*, event: QuoteEvent) -> bool:
    """Tell the store's service agents about a step of the buyer's side (the brand's contact
    address, or the platform's service address, when the store has no agent yet)."""
    from storefleet.service.selectors import store_agents

    quote = event.quote
    emails = sorted({u.email for u in store_agents(store_id=quote.store_id) if u.email})
    if not emails:
        emails = [brand_contact(site=quote.store.site).email or settings.ORDERING_SERVICE_EMAIL]
    subject = AGENT_SUBJECTS[EventKind(event.kind)].format(
        company=f"{quote.company.name} ({quote.company.code})", number=_reference(quote)
    )
    message = EmailMessage(
        f"[{quote.store.name}] {subject}",
        render_to_string(
            "quotes/email/to_agents.txt", _context(quote, event) | {"url": agent_url(quote)}
        ),
        to=emails,
    )
    return _send(message, quote)


def _context(quote: QuoteRequest, event: QuoteEvent) -> dict[str, object]:
    from .selectors import version_views

    shown = None
    if event.version_id is not None:
        views = version_views(quote=quote, visible_only=False)
        shown = next((v for v in views if v.version.id == event.version_id), None)
    return {"quote": quote, "event": event, "store": quote.store, "shown": shown}


def _send(message: EmailMessage, quote: QuoteRequest) -> bool:
    try:
        message.send()
    except Exception:
        logger.exception("could not send e-mail about quote %s to %s", quote.key, message.to)
        return False
    return True
