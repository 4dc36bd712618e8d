"""Writes of marketing: taking a lead in (kept, acknowledged, owed to the ERP in the same
transaction) and the outbox handler that carries it into the ERP as a lead."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from storefleet.erp.errors import ErpRejected
from storefleet.erp.gateway import get_gateway
from storefleet.erp.types import LeadRequest
from storefleet.errors import ApplicationError
from storefleet.outbox import services as outbox
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome
from storefleet.tenants.locale import language_origin, store_locale
from storefleet.tenants.selectors import StoreRecord

from . import notifications
from .forms import HONEYPOT, LEAD_FIELDS
from .kinds import CREATE_LEAD
from .models import Lead, LeadFormPage

logger = logging.getLogger("storefleet.marketing")


def _rate_key(store_id: int, address: str | None) -> str:
    return f"marketing:lead-rate:{store_id}:{address or 'unknown'}"


def lead_rate_take(*, store_id: int, address: str | None) -> None:
    """Count one submission from ``address`` to the store; ``ApplicationError`` once the
    address has sent ``MARKETING_LEAD_RATE_LIMIT`` within the window. Counted per store and
    address in the shared cache, so every web process counts together."""
    key = _rate_key(store_id, address)
    window = settings.MARKETING_LEAD_RATE_WINDOW_SECONDS
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    if count > settings.MARKETING_LEAD_RATE_LIMIT:
        raise ApplicationError(
            _(
                "We have received several messages from your connection in the last minutes. "
                "Please try again in %(minutes)s minutes, or call us."
            )
            % {"minutes": max(1, window // 60)},
            code="rate_limited",
        )


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


@transaction.atomic
def lead_submit(
    *,
    store: StoreRecord,
    page: LeadFormPage,
    data: Mapping[str, Any],
    address: str | None,
    language: str,
) -> Lead | None:
    """Take in a lead form's cleaned ``data`` sent to ``store``: kept, acknowledged by e-mail
    on commit, and owed to the ERP (outbox kind ``lead.create``). None when the honeypot was
    filled in (a bot: nothing is kept, and it is told nothing different). Raises
    ``ApplicationError`` when the sender's address has sent too much lately (nothing kept)."""
    lead_rate_take(store_id=store.id, address=address)
    if data.get(HONEYPOT):
        logger.info("lead form %s: honeypot filled in from %s, dropped", page.pk, address)
        return None
    if not page.path.startswith(_root_path(store)):
        raise ApplicationError(_("This form belongs to another store."), code="wall")
    answers = {name: value for name, value in data.items() if name != HONEYPOT}
    lead = Lead.objects.create(
        page=page,
        store_id=store.id,
        form_data=answers,
        key=uuid.uuid4().hex,
        purpose=page.purpose,
        name=_text(answers.get("name")),
        email=_text(answers.get("email")),
        company_name=_text(answers.get("company")),
        language=language,
    )
    outbox.message_add(kind=CREATE_LEAD, subject=lead.id, key=lead.key)
    transaction.on_commit(lambda: notifications.lead_acknowledge(lead_id=lead.id))
    return lead


def _root_path(store: StoreRecord) -> str:
    from wagtail.models import Page

    return Page.objects.filter(pk=store.root_page_id).values_list("path", flat=True).first() or "-"


def lead_request(lead: Lead) -> LeadRequest:
    """What the ERP is told of ``lead``: who asked, and the editor's questions with their
    labels, in the form's order."""
    data = lead.form_data
    page = lead.page.specific if lead.page is not None else None
    labels: dict[str, str] = {}
    if isinstance(page, LeadFormPage):
        labels = {field.clean_name: field.label for field in page.form_fields.all()}
    store = lead.store
    written_in = page.locale.language_code if page is not None and page.locale_id else ""
    language = written_in if written_in in store.all_languages else None
    # The form's address as its language's host writes it (unprefixed on a language's own).
    with store_locale(store, language) as shown:
        path = (page.relative_url(store.site) or "/") if page is not None else ""
    origin = language_origin(store, shown)
    details: list[tuple[str, str]] = []
    if data.get("message"):
        details.append(("Message", _text(data["message"])))
    for name, value in data.items():
        if name in LEAD_FIELDS:
            continue
        details.append((labels.get(name, name), _text(value)))
    return LeadRequest(
        idempotency_key=lead.key,
        title=lead.get_purpose_display() if lead.purpose else "Lead",
        contact_name=lead.name,
        email=lead.email,
        company_name=lead.company_name,
        phone=_text(data.get("phone")),
        store=store.name,
        source_url=f"{origin}{path}" if path else "",
        language=lead.language,
        details=tuple(details),
    )


def lead_send(message: Message) -> Outcome:
    """The outbox handler of ``lead.create``: make the lead in the ERP (once per key, however
    often it is sent) and note its number and state. A refusal is recorded on the message;
    an ``ErpError`` other than a refusal goes back to the outbox, which tries again."""
    lead = (
        Lead.objects.select_related("store__site", "page").filter(id=int(message.subject)).first()
    )
    if lead is None:  # deleted by hand before it reached the ERP: nothing to carry
        return Outcome(state=State.FAILED, note="The lead was deleted before it reached the ERP.")
    try:
        with _english():
            request = lead_request(lead)
        result = get_gateway().create_lead(lead=request)
    except ErpRejected as refusal:
        logger.warning("lead %s refused by the ERP: %s", lead.id, refusal.message)
        return Outcome(state=State.FAILED, note=refusal.message, value=lead)
    Lead.objects.filter(id=lead.id).update(
        erp_number=result.number, erp_state=result.state, sent_at=timezone.now()
    )
    logger.info("lead %s is %s %s in the ERP", lead.id, result.state, result.number)
    return Outcome(value=lead)


def _english() -> Any:
    # The sales team reads the ERP in the platform's language, whatever the visitor's.
    from django.utils import translation

    return translation.override(settings.LANGUAGE_CODE)
