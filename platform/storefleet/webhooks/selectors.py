"""Reads of webhooks, scoped to who asks: a company in a store (its own subscriptions, and
its own deliveries), or a partner key (its subscriptions' deliveries for a company)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from storefleet.accounts.models import Company

from .models import Delivery, Subscription


def company_subscriptions(*, company: Company, store_id: int) -> QuerySet[Subscription]:
    return Subscription.objects.filter(company=company, store_id=store_id, deleted_at__isnull=True)


def caller_deliveries(
    *, company: Company, store_id: int, partner_key_id: int | None = None
) -> QuerySet[Delivery]:
    """Deliveries about ``company`` in the store, of its own subscriptions there (and of the
    partner key's own subscriptions, when a partner key asks)."""
    own = Q(subscription__company=company, subscription__store_id=store_id)
    if partner_key_id is not None:
        own |= Q(subscription__partner_key_id=partner_key_id)
    return Delivery.objects.filter(own, company=company, store_id=store_id)


def anyone_subscribed() -> bool:
    """Whether any subscription is active (lets a batch of changes skip building events)."""
    return Subscription.objects.filter(active=True, deleted_at__isnull=True).exists()


def partner_subscriptions(*, partner_key_id: int) -> QuerySet[Subscription]:
    """A partner key's own subscriptions (across the stores it works on)."""
    return Subscription.objects.filter(partner_key_id=partner_key_id, deleted_at__isnull=True)


def partner_deliveries(
    *, partner_key_id: int, company_ids: QuerySet[Any], store_ids: QuerySet[Any]
) -> QuerySet[Delivery]:
    """The deliveries of a partner key's own subscriptions about the companies and in the
    stores it is granted now (``company_ids``, ``store_ids``: its grants' ids): a grant
    taken back hides what was sent about that company or store."""
    return Delivery.objects.filter(
        subscription__partner_key_id=partner_key_id,
        company_id__in=company_ids,
        store_id__in=store_ids,
    )
