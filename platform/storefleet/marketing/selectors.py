"""Reads of marketing: the leads a user of the admin may see (their own stores' only), with
where each stands on its way into the ERP."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest

from storefleet.outbox.models import Message, State
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import stores_editable_by

from .kinds import CREATE_LEAD
from .models import Lead, LeadFormPage


def lead_stores(*, user) -> QuerySet[Store]:
    """The stores whose leads ``user`` sees: the ones whose content they edit (the brand's
    marketing and sales team), every store for platform IT."""
    return stores_editable_by(user)


def lead_list(*, user, store_id: int | None = None) -> QuerySet[Lead]:
    """The leads of the user's stores (of ``store_id`` only, when it is one of them), newest
    first. Another store's id gives nothing, as an unknown one does."""
    stores = lead_stores(user=user)
    if store_id is not None:
        stores = stores.filter(pk=store_id)
    return (
        Lead.objects.filter(store__in=stores.values("pk"))
        .select_related("store", "page")
        .order_by("-submit_time", "-id")
    )


def lead_get(*, user, lead_id: int) -> Lead | None:
    return lead_list(user=user).filter(pk=lead_id).first()


@dataclass(frozen=True, slots=True)
class LeadStanding:
    """Where a lead stands: in the ERP (its number and state there), on its way, or refused."""

    state: str  # "sent", "waiting", "refused"
    erp_number: str
    erp_state: str
    note: str


def lead_standings(leads: list[Lead]) -> dict[int, LeadStanding]:
    """By lead id, in one query for the page of leads."""
    messages = {
        int(subject): (state, error)
        for subject, state, error in Message.objects.filter(
            kind=CREATE_LEAD, subject__in=[str(lead.id) for lead in leads]
        ).values_list("subject", "state", "last_error")
    }
    standings = {}
    for lead in leads:
        state, error = messages.get(lead.id, (State.PENDING, ""))
        if lead.sent_at is not None:
            word = "sent"
        elif state == State.FAILED:
            word = "refused"
        else:
            word = "waiting"
        standings[lead.id] = LeadStanding(word, lead.erp_number, lead.erp_state, error)
    return standings


def contact_page_for(*, root_page_id: int) -> LeadFormPage | None:
    """The store's first live "contact sales" form page (the one its Contact links lead to)."""
    from wagtail.models import Page

    from .models import LeadPurpose

    root = Page.objects.filter(pk=root_page_id).first()
    if root is None:
        return None
    forms = LeadFormPage.objects.live().public().descendant_of(root).order_by("path")
    return forms.filter(purpose=LeadPurpose.CONTACT_SALES).first() or forms.first()


CONTACT_TTL_SECONDS = 3600


def contact_url(*, request: HttpRequest | None) -> str:
    """The address of the store's contact sales form page ("" when it has none), for the
    storefront shell's "Contact sales" links: read once per store content version (a publish
    moves it on), so a warm page asks the database nothing for it."""
    store = getattr(request, "store", None)
    if request is None or store is None:
        return ""
    key = f"marketing:contact:v1:{store.id}:{store.content_version}"
    known = cache.get(key)
    if known is None:
        page = contact_page_for(root_page_id=store.root_page_id)
        known = (str(page.relative_url(None, request) or "") if page else "",)
        cache.set(key, known, CONTACT_TTL_SECONDS)
    return str(known[0])
