"""The e-mail that tells a visitor their enquiry arrived, in the store's language, from the
store (its contact address to reply to). A mail that can't be sent is logged: the lead stands."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from storefleet.brand.selectors import brand_contact
from storefleet.tenants.locale import language_url, store_locale

from .models import Lead

logger = logging.getLogger("storefleet.marketing")


def lead_acknowledge(*, lead_id: int) -> bool:
    """Send the acknowledgement of lead ``lead_id``; False when it could not be sent."""
    lead = Lead.objects.select_related("store__site", "page").filter(id=lead_id).first()
    if lead is None:
        return False
    store = lead.store
    contact = brand_contact(site=store.site)
    # In the visitor's language where the store speaks it (the page they wrote from), else
    # the store's own.
    language = lead.language if lead.language in (store.languages or []) else None
    with store_locale(store, language) as shown:
        subject = _("%(store)s: we have received your message") % {"store": store.name}
        body = render_to_string(
            "marketing/email/lead_acknowledgement.txt",
            {
                "lead": lead,
                "store": store,
                "contact": contact,
                "page_title": lead.page.title if lead.page else "",
                # The store's home in the mail's language, on that language's host.
                "home_url": language_url(store, shown, "/"),
            },
        )
    message = EmailMessage(
        subject,
        body,
        to=[lead.email],
        reply_to=[contact.email] if contact.email else None,
    )
    try:
        message.send()
    except Exception:  # any transport failure: the lead stands, the mail is lost
        logger.exception("lead %s: acknowledgement to %s not sent", lead.id, lead.email)
        return False
    return True
