"""Writes of webhooks: subscriptions (made, rotated, enabled, deleted), events emitted by the
services that change things, resends, and the log's purge.

``emit`` is called by ordering and billing inside the transaction that makes the change: it
writes one ``Delivery`` per matching subscription and one outbox message per delivery, so an
event is delivered exactly when the change commits (and never when it rolls back)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from storefleet.accounts.models import Company
from storefleet.errors import ApplicationError
from storefleet.outbox import services as outbox
from storefleet.tenants.models import Store

from .addresses import url_check
from .delivery import DELIVER, envelope
from .events import RESERVED, Event
from .models import Delivery, DeliveryState, Subscription
from .signing import secret_new

MAX_SUBSCRIPTIONS = 20
MAX_DESCRIPTION = 200
MAX_WATCHED = 500
MAX_SKU = 64


def events_checked(events: Iterable[Any]) -> list[str]:
    chosen = list(events) if isinstance(events, list | tuple) else None
    if not chosen or not all(isinstance(e, str) for e in chosen):
        raise ApplicationError(
            "Choose at least one event from the catalogue: "
            + ", ".join(e.value for e in Event)
            + ".",
            field="events",
        )
    known = {e.value for e in Event}
    unknown = sorted({e[:64] for e in chosen} - known)
    if unknown:
        raise ApplicationError(
            f"Unknown events {unknown}: choose from " + ", ".join(sorted(known)) + ".",
            field="events",
        )
    return sorted(set(chosen))


def watched_skus_checked(value: Any, *, events: Iterable[str]) -> list[str]:
    """The SKUs a subscription watches, as given (a list of SKUs): trimmed, each once. Asked
    for with ``price_or_availability.changed``, and only then."""
    watching = Event.PRICE_OR_AVAILABILITY_CHANGED.value in set(events)
    if value in (None, "", []):
        if watching:
            raise ApplicationError(
                "Name the SKUs to watch (watched_skus) for price_or_availability.changed: "
                f"up to {MAX_WATCHED}.",
                field="watched_skus",
            )
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(sku, str) for sku in value):
        raise ApplicationError(
            'watched_skus is a list of SKUs, such as ["BRG-1002", "FAS-1003"].',
            field="watched_skus",
        )
    if not watching:
        raise ApplicationError(
            "Watched SKUs go with the event price_or_availability.changed: choose it too, or "
            "leave watched_skus empty.",
            field="watched_skus",
        )
    skus = list(dict.fromkeys(sku.strip() for sku in value if sku.strip()))
    if not skus:
        raise ApplicationError(_("Name at least one SKU to watch."), field="watched_skus")
    if len(skus) > MAX_WATCHED:
        raise ApplicationError(
            _("Watch at most %(n)d SKUs per subscription: split them.") % {"n": MAX_WATCHED},
            field="watched_skus",
        )
    too_long = [sku[:20] for sku in skus if len(sku) > MAX_SKU or "\x00" in sku]
    if too_long:
        raise ApplicationError(
            _("These are not SKUs (too long, or with control characters): %(skus)s.")
            % {"skus": too_long[:5]},
            field="watched_skus",
        )
    return skus


def subscription_create(
    *,
    url: str,
    events: Iterable[str],
    company: Company | None = None,
    store_id: int | None = None,
    partner_key_id: int | None = None,
    contact_email: str = "",
    description: str = "",
    created_by: Any = None,
    watched_skus: Any = None,
) -> tuple[Subscription, str]:
    """A subscription of a company in a store, or of a partner key; with its signing secret,
    which is shown only now."""
    if (company is None or store_id is None) == (partner_key_id is None):
        raise ValueError("a subscription is a company's in a store, or a partner key's")
    chosen = events_checked(events)
    watched = watched_skus_checked(watched_skus, events=chosen)
    url_check(url)
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise ApplicationError(
            _("Keep the description to %(n)d characters.") % {"n": MAX_DESCRIPTION},
            field="description",
        )
    owned = Subscription.objects.filter(deleted_at__isnull=True)
    if partner_key_id is not None:
        owned = owned.filter(partner_key_id=partner_key_id)
    else:
        owned = owned.filter(company=company, store_id=cast(int, store_id))  # checked above
    if owned.count() >= MAX_SUBSCRIPTIONS:
        raise ApplicationError(
            _("At most %(n)d subscriptions: delete one you no longer use first.")
            % {"n": MAX_SUBSCRIPTIONS}
        )
    secret = secret_new()
    subscription = Subscription.objects.create(
        company=company,
        store_id=store_id,
        partner_key_id=partner_key_id,
        contact_email=contact_email,
        url=url,
        events=chosen,
        watched_skus=watched,
        description=description,
        secret=secret,
        created_by=created_by,
    )
    return subscription, secret


def subscription_secret_rotate(*, subscription: Subscription) -> str:
    """A new secret; the old one keeps signing too (a second ``v1=``) for
    ``WEBHOOK_ROTATION_HOURS``, so the receiver can switch without losing a delivery."""
    secret = secret_new()
    until = timezone.now() + datetime.timedelta(hours=settings.WEBHOOK_ROTATION_HOURS)
    Subscription.objects.filter(id=subscription.id).update(
        previous_secret=subscription.secret, previous_secret_until=until, secret=secret
    )
    subscription.refresh_from_db()
    return secret


def subscription_enable(*, subscription: Subscription) -> None:
    """Turn a disabled subscription on again (its failures forgotten)."""
    Subscription.objects.filter(id=subscription.id, deleted_at__isnull=True).update(
        active=True, disabled_at=None, disabled_reason="", failing_since=None
    )


def subscription_delete(*, subscription: Subscription) -> None:
    """Stop it; its log is kept (30 days) and its pending deliveries are dead-lettered."""
    now = timezone.now()
    with transaction.atomic():
        Subscription.objects.filter(id=subscription.id).update(active=False, deleted_at=now)
        Delivery.objects.filter(
            subscription_id=subscription.id, state=DeliveryState.PENDING
        ).update(state=DeliveryState.DEAD, last_error="the subscription was deleted")


def _matching(*, company: Company, store_id: int) -> QuerySet[Subscription]:
    now = timezone.now()
    return (
        Subscription.objects.filter(active=True, deleted_at__isnull=True)
        .filter(
            Q(company=company, store_id=store_id)
            | Q(
                partner_key__stores=store_id,
                partner_key__companies=company,
                partner_key__revoked_at__isnull=True,
                partner_key__expires_at__gt=now,
            )
        )
        .distinct()
    )


def _deliver(delivery: Delivery) -> None:
    outbox.message_add(kind=DELIVER, subject=delivery.id, key=str(delivery.uuid))


def emit(
    *,
    event: Event | str,
    company: Company,
    store_id: int,
    subject: str,
    payload: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    store_slug: str | None = None,
    only: Subscription | None = None,
) -> list[Delivery]:
    """The ``event`` about ``subject`` happened for ``company`` in the store: one delivery
    (and its outbox message) per subscription that asked for it — or to ``only`` that one (an
    event only it watches for). Call it inside the transaction that makes the change; it is
    delivered once that commits. ``payload`` may be a function, called only when someone
    subscribed (one query when nobody did)."""
    event = Event(event)
    subscriptions = (
        [only]
        if only is not None
        else [s for s in _matching(company=company, store_id=store_id) if event in s.events]
    )
    if not subscriptions:
        return []
    if store_slug is None:
        store_slug = Store.objects.filter(id=store_id).values_list("slug", flat=True).get()
    data = payload() if callable(payload) else payload
    body = envelope(
        event=event.value,
        event_id=str(uuid.uuid4()),
        store=store_slug,
        company=company.code,
        subject=subject,
        data=dict(data),
    )
    with transaction.atomic():
        made = [
            Delivery.objects.create(
                subscription=s,
                company=company,
                store_id=store_id,
                event=event.value,
                subject=subject[:100],
                body=body,
            )
            for s in subscriptions
        ]
        for delivery in made:
            _deliver(delivery)
    return made


def delivery_resend(*, delivery: Delivery) -> Delivery:
    """The delivery again, as a new one (a new delivery id, the same body and event id)."""
    if delivery.subscription.deleted_at is not None or not delivery.subscription.active:
        raise ApplicationError(
            _("This subscription is disabled or deleted: enable it (or make a new one) first.")
        )
    with transaction.atomic():
        again = Delivery.objects.create(
            subscription=delivery.subscription,
            company_id=delivery.company_id,
            store_id=delivery.store_id,
            event=delivery.event,
            subject=delivery.subject,
            body=delivery.body,
            resend_of=delivery,
        )
        _deliver(again)
    return again


MAX_RESEND = 5000


def deliveries_resend_since(
    *, deliveries: QuerySet[Delivery], since: datetime.datetime
) -> list[Delivery]:
    """Resend every delivery (of ``deliveries``, already scoped to the caller) made since
    ``since`` that is not pending, oldest first: the new deliveries."""
    chosen = list(
        deliveries.filter(
            created_at__gte=since,
            resend_of__isnull=True,
            subscription__active=True,
            subscription__deleted_at__isnull=True,
        )
        .exclude(state=DeliveryState.PENDING)
        .select_related("subscription")
        .order_by("created_at", "id")[: MAX_RESEND + 1]
    )
    if len(chosen) > MAX_RESEND:
        raise ApplicationError(
            _("More than %(n)d deliveries since then: choose a later time and resend in steps.")
            % {"n": MAX_RESEND}
        )
    return [delivery_resend(delivery=delivery) for delivery in chosen]


def deliveries_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget deliveries (and their log) older than ``WEBHOOK_LOG_DAYS`` that are no longer
    pending; how many."""
    before = (now or timezone.now()) - datetime.timedelta(days=settings.WEBHOOK_LOG_DAYS)
    old = Delivery.objects.filter(created_at__lt=before).exclude(state=DeliveryState.PENDING)
    count, _by_model = old.delete()
    return count


__all__ = [
    "RESERVED",
    "deliveries_purge",
    "deliveries_resend_since",
    "delivery_resend",
    "emit",
    "subscription_create",
    "subscription_delete",
    "subscription_enable",
    "subscription_secret_rotate",
]
