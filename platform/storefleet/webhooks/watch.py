"""Watched SKUs: ``price_or_availability.changed``.

The ERP tells nobody when a price list or the stock moves, and prices are per customer: so a
subscription that asks for this event names the SKUs it watches, and every
``WEBHOOK_WATCH_SECONDS`` (beat) this module looks at them as the storefront would show them to
each company the subscription covers — the company's price for the product's smallest order and
what the store's warehouse can give now, in one batched ERP read per company and store — and
compares with what it saw last time (``WatchedOffer``). What changed is one event per SKU, to
that subscription only. The first look only records; a look at an ERP that can't answer (or
answers from its stale copy) records and emits nothing, so an outage is never reported as a
change. A change is seen within the gateway's price and stock life plus the watch period."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from storefleet.accounts.models import Company
from storefleet.catalog.offers import Offer, product_offers
from storefleet.catalog.selectors import product_list, store_assortment
from storefleet.tenants.models import Store
from storefleet.tenants.selectors import store_record_by_id

from .events import Event
from .models import Subscription, WatchedOffer
from .services import emit

logger = logging.getLogger("storefleet.webhooks")

# A partner subscription watches for each company and store its key reaches, up to this many.
MAX_PAIRS = 50


def seen_of(offer: Offer) -> dict[str, Any]:
    """What a buyer of the company would see of the product: price and availability now."""
    price = offer.price.unit_price if offer.price is not None else None
    available = offer.stock.available_now if offer.stock is not None else None
    return {
        "quantity": str(offer.quantity),
        "unit_price": None if price is None else str(price.amount),
        "currency": None if price is None else price.currency,
        "orderable": offer.orderable,
        "available_now": None if available is None else str(available.value),
        "unit": None if available is None else available.unit,
        "in_stock": offer.in_stock,
        "available_from": (
            offer.stock.available_from.isoformat()
            if offer.stock is not None and offer.stock.available_from is not None
            else None
        ),
    }


def _pairs(subscription: Subscription) -> Iterator[tuple[Company, Store]]:
    if subscription.partner_key_id is None:
        company, store = subscription.company, subscription.store
        if company is not None and store is not None:
            yield company, store
        return
    key = subscription.partner_key
    if key is None or key.revoked_at is not None or key.expires_at <= timezone.now():
        return
    companies = list(key.companies.all())
    stores = list(key.stores.all())
    pairs = [(company, store) for store in stores for company in companies][:MAX_PAIRS]
    yield from pairs


def _watching() -> list[Subscription]:
    candidates = Subscription.objects.filter(active=True, deleted_at__isnull=True).select_related(
        "partner_key", "company", "store"
    )
    return [
        s
        for s in candidates
        if s.watched_skus and Event.PRICE_OR_AVAILABILITY_CHANGED.value in s.events
    ]


def watch_look(subscription: Subscription, company: Company, store: Store) -> int:
    """Look at the subscription's SKUs for one company in one store; the events emitted."""
    record = store_record_by_id(store.id)
    if record is None:
        return 0
    products = list(
        product_list(assortment=store_assortment(store=record))
        .filter(sku__in=subscription.watched_skus)
        .order_by("sku")
    )
    offers = product_offers(store=record, customer=company.code, products=products)
    if any(offer.unavailable or offer.stale for offer in offers):
        logger.info(
            "webhook watch skipped subscription=%s company=%s store=%s: the ERP did not answer",
            subscription.id,
            company.code,
            store.slug,
        )
        return 0
    known = {
        w.sku: w
        for w in WatchedOffer.objects.filter(
            subscription=subscription, company=company, store=store
        )
    }
    now = timezone.now()
    emitted = 0
    with transaction.atomic():
        for offer in offers:
            sku = offer.product.sku
            seen = seen_of(offer)
            before = known.get(sku)
            if before is None:
                WatchedOffer.objects.create(
                    subscription=subscription,
                    company=company,
                    store=store,
                    sku=sku,
                    seen=seen,
                    seen_at=now,
                )
                continue
            if before.seen == seen:
                continue
            emit(
                event=Event.PRICE_OR_AVAILABILITY_CHANGED,
                company=company,
                store_id=store.id,
                store_slug=store.slug,
                subject=f"sku:{sku}",
                payload={
                    "sku": sku,
                    "name": offer.product.name,
                    "before": before.seen,
                    "now": seen,
                },
                only=subscription,
            )
            WatchedOffer.objects.filter(id=before.id).update(seen=seen, seen_at=now)
            emitted += 1
    return emitted


def watches_look() -> int:
    """One look for every watching subscription (beat, every WEBHOOK_WATCH_SECONDS); the
    events emitted."""
    emitted = 0
    for subscription in _watching():
        for company, store in _pairs(subscription):
            emitted += watch_look(subscription, company, store)
    return emitted
