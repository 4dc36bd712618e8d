"""Webhook subscriptions and deliveries: make, list, delete a subscription (its signing
secret shown once), rotate its secret, enable it again; the delivery log; resend one delivery
or everything since a time. Two owners, each its own walls, through ``storefleet.webhooks``'
services and selectors:

- ``/webhooks/``: the company's subscriptions in this store (a company key, or a partner key
  acting for a company it was granted);
- ``/partner/webhooks/``: a partner key's own subscriptions (``partner_webhooks``), which
  share the shapes and the delivery log's helpers here."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from storefleet.errors import ApplicationError
from storefleet.webhooks import selectors, services
from storefleet.webhooks.events import Event
from storefleet.webhooks.models import Delivery, DeliveryState, Subscription

from ..auth import Caller, KeyAuth
from ..models import Scope
from ..pagination import cursor_decode, cursor_encode
from ..problems import ApiProblem
from ..schemas import ERRORS

router = Router(tags=["webhooks"], auth=KeyAuth(Scope.WEBHOOKS))
NO_SUBSCRIPTION = "This company has no such webhook subscription in this store."
NO_DELIVERY = "This company has no such webhook delivery in this store."


class SubscriptionIn(Schema):
    url: str = Field(max_length=500, description="https URL of your endpoint")
    events: list[str] = Field(
        min_length=1,
        max_length=len(Event),
        description="Events to receive: " + ", ".join(e.value for e in Event),
    )
    description: str = Field(default="", max_length=200)
    watched_skus: list[str] = Field(
        default_factory=list,
        max_length=500,
        description=(
            "With price_or_availability.changed: the SKUs whose price for your company or "
            "availability now you watch (up to 500)"
        ),
    )


class SubscriptionOut(Schema):
    id: int
    url: str
    events: list[str]
    watched_skus: list[str]
    description: str
    active: bool
    disabled_reason: str
    created_at: datetime.datetime
    secret_rotating_until: datetime.datetime | None


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="The signing secret, shown only now: store it.")


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret, shown only now.")
    previous_secret_valid_until: datetime.datetime


class AttemptOut(Schema):
    number: int
    at: datetime.datetime
    response_status: int | None
    response_body: str
    duration_ms: int
    error: str


class DeliveryOut(Schema):
    id: str
    subscription_id: int
    event: str
    subject: str
    state: str
    attempts: int
    last_status: int | None
    last_error: str
    next_attempt_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    created_at: datetime.datetime
    resend_of: str | None
    request_body: str
    log: list[AttemptOut]


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None


class ResendOut(Schema):
    resent: int
    deliveries: list[str]


def _caller(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined]


def subscription_out(s: Subscription) -> dict[str, Any]:
    rotating = s.previous_secret_until if s.previous_secret_until and s.previous_secret else None
    return dict(
        id=s.id,
        url=s.url,
        events=s.events,
        watched_skus=s.watched_skus,
        description=s.description,
        active=s.active,
        disabled_reason=s.disabled_reason,
        created_at=s.created_at,
        secret_rotating_until=rotating if rotating and rotating > timezone.now() else None,
    )


def _delivery_out(d: Delivery) -> dict[str, Any]:
    return dict(
        id=str(d.uuid),
        subscription_id=d.subscription_id,
        event=d.event,
        subject=d.subject,
        state=d.state,
        attempts=d.attempts,
        last_status=d.last_status,
        last_error=d.last_error,
        next_attempt_at=d.next_attempt_at,
        delivered_at=d.delivered_at,
        created_at=d.created_at,
        resend_of=str(d.resend_of.uuid) if d.resend_of_id and d.resend_of else None,
        request_body=d.body,
        log=[
            dict(
                number=a.number,
                at=a.at,
                response_status=a.response_status,
                response_body=a.response_body,
                duration_ms=a.duration_ms,
                error=a.error,
            )
            for a in d.log.all()
        ],
    )


def _own_subscription(caller: Caller, subscription_id: int) -> Subscription:
    if not 0 < subscription_id < 2**63:  # past a bigint: no such row (and no DataError)
        raise ApiProblem("not-found", NO_SUBSCRIPTION)
    found = (
        selectors.company_subscriptions(company=caller.company, store_id=caller.store.id)
        .filter(id=subscription_id)
        .first()
    )
    if found is None:
        raise ApiProblem("not-found", NO_SUBSCRIPTION)
    return found


def _deliveries(caller: Caller) -> QuerySet[Delivery]:
    return selectors.caller_deliveries(
        company=caller.company,
        store_id=caller.store.id,
        partner_key_id=caller.key.pk if caller.key.kind == "partner" else None,
    )


def invalid(error: ApplicationError) -> ApiProblem:
    field = error.field or "body"
    return ApiProblem(
        "invalid-request", error.message, errors=[{"loc": ["body", field], "msg": error.message}]
    )


@router.get(
    "/subscriptions",
    response={200: list[SubscriptionOut], **ERRORS},
    summary="The company's webhook subscriptions in this store",
)
def subscription_list(request: HttpRequest) -> list[dict[str, Any]]:
    caller = _caller(request)
    return [
        subscription_out(s)
        for s in selectors.company_subscriptions(company=caller.company, store_id=caller.store.id)
    ]


@router.post(
    "/subscriptions",
    response={201: SubscriptionCreatedOut, **ERRORS},
    summary="Subscribe an https endpoint to events (the signing secret is shown only now)",
)
def subscription_create(request: HttpRequest, body: SubscriptionIn) -> Status[dict[str, Any]]:
    caller = _caller(request)
    try:
        made, secret = services.subscription_create(
            url=body.url,
            events=body.events,
            description=body.description,
            watched_skus=body.watched_skus,
            company=caller.company,
            store_id=caller.store.id,
        )
    except ApplicationError as error:
        raise invalid(error) from error
    return Status(201, {**subscription_out(made), "secret": secret})


@router.delete(
    "/subscriptions/{subscription_id}",
    response={204: None, **ERRORS},
    summary="Delete a subscription (its pending deliveries are dead-lettered)",
)
def subscription_delete(request: HttpRequest, subscription_id: int) -> Status[None]:
    services.subscription_delete(subscription=_own_subscription(_caller(request), subscription_id))
    return Status(204, None)


@router.post(
    "/subscriptions/{subscription_id}/rotate",
    response={200: SecretOut, **ERRORS},
    summary="A new signing secret; the old one also signs for 24 hours (two v1= values)",
)
def subscription_rotate(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    subscription = _own_subscription(_caller(request), subscription_id)
    secret = services.subscription_secret_rotate(subscription=subscription)
    return dict(secret=secret, previous_secret_valid_until=subscription.previous_secret_until)


@router.post(
    "/subscriptions/{subscription_id}/enable",
    response={200: SubscriptionOut, **ERRORS},
    summary="Enable a subscription disabled after days of failures",
)
def subscription_enable(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    subscription = _own_subscription(_caller(request), subscription_id)
    services.subscription_enable(subscription=subscription)
    subscription.refresh_from_db()
    return subscription_out(subscription)


@router.get(
    "/deliveries",
    response={200: DeliveryPage, **ERRORS},
    summary="The delivery log (30 days), newest first",
)
def delivery_list(
    request: HttpRequest,
    state: DeliveryState | None = None,
    event: Event | None = None,
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=50, ge=1, le=200),
) -> dict[str, Any]:
    return delivery_page(_deliveries(_caller(request)), state, event, cursor, limit)


@router.post(
    "/deliveries/{delivery_id}/resend",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a delivery again (as a new delivery id, the same body)",
)
def delivery_resend(request: HttpRequest, delivery_id: str) -> Status[dict[str, Any]]:
    return resend_one(_deliveries(_caller(request)), delivery_id, NO_DELIVERY)


@router.post(
    "/resend",
    response={202: ResendOut, **ERRORS},
    summary="Send again every delivery made since a time (not the pending ones)",
)
def resend_since(request: HttpRequest, since: datetime.datetime) -> Status[dict[str, Any]]:
    return resend_since_time(_deliveries(_caller(request)), since)


# ------------------------------------------------------------------ shared with partner_webhooks
def delivery_page(
    deliveries: QuerySet[Delivery],
    state: DeliveryState | None,
    event: Event | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    deliveries = deliveries.select_related("resend_of")
    if state is not None:
        deliveries = deliveries.filter(state=state)
    if event is not None:
        deliveries = deliveries.filter(event=event.value)
    after = cursor_decode("webhook-deliveries", cursor)
    if isinstance(after, int):
        deliveries = deliveries.filter(id__lt=after)
    rows = list(deliveries.order_by("-id").prefetch_related("log")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return dict(
        items=[_delivery_out(d) for d in rows],
        next_cursor=cursor_encode("webhook-deliveries", rows[-1].id) if more else None,
    )


def resend_one(
    deliveries: QuerySet[Delivery], delivery_id: str, missing: str
) -> Status[dict[str, Any]]:
    try:
        wanted = uuid.UUID(delivery_id[:64])
    except ValueError:
        raise ApiProblem("not-found", missing) from None
    delivery = deliveries.select_related("subscription").filter(uuid=wanted).first()
    if delivery is None:
        raise ApiProblem("not-found", missing)
    try:
        again = services.delivery_resend(delivery=delivery)
    except ApplicationError as error:
        raise invalid(error) from error
    return Status(202, _delivery_out(again))


def resend_since_time(
    deliveries: QuerySet[Delivery], since: datetime.datetime
) -> Status[dict[str, Any]]:
    if since.tzinfo is None:
        since = timezone.make_aware(since, datetime.UTC)
    if since < timezone.now() - datetime.timedelta(days=31):
        raise ApiProblem(
            "invalid-request",
            "The log goes back 30 days: choose a later 'since'.",
            errors=[{"loc": ["query", "since"], "msg": "older than the log"}],
        )
    try:
        made = services.deliveries_resend_since(deliveries=deliveries, since=since)
    except ApplicationError as error:
        raise invalid(error) from error
    return Status(202, dict(resent=len(made), deliveries=[str(d.uuid) for d in made]))
