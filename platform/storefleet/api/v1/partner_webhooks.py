"""A partner key's own webhook subscriptions, at ``/api/v1/partner/webhooks/``: the ones
platform IT makes for it in the admin, made, listed, deleted, rotated and enabled by the
partner itself, with the delivery log and resend. One subscription covers every company the
key was granted, in every store it works on; the log shows only deliveries about the
companies and stores it is granted now. A company key is refused here (403); a partner key
finds no other key's subscription or delivery (404)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from storefleet.errors import ApplicationError
from storefleet.webhooks import selectors, services
from storefleet.webhooks.events import Event
from storefleet.webhooks.models import Delivery, DeliveryState, Subscription

from ..auth import PartnerCaller, PartnerKeyAuth
from ..models import Scope
from ..problems import ApiProblem
from ..schemas import ERRORS
from .webhooks import (
    DeliveryOut,
    DeliveryPage,
    ResendOut,
    SecretOut,
    SubscriptionIn,
    SubscriptionOut,
    delivery_page,
    invalid,
    resend_one,
    resend_since_time,
    subscription_out,
)

router = Router(tags=["partner webhooks"], auth=PartnerKeyAuth(Scope.WEBHOOKS))
NO_SUBSCRIPTION = "This partner key has no such webhook subscription."
NO_DELIVERY = "This partner key has no such webhook delivery."


class PartnerSubscriptionIn(SubscriptionIn):
    contact_email: str = Field(
        max_length=254, description="Who is told when the endpoint is disabled after failures"
    )


class PartnerSubscriptionOut(SubscriptionOut):
    contact_email: str


class PartnerSubscriptionCreatedOut(PartnerSubscriptionOut):
    secret: str = Field(description="The signing secret, shown only now: store it.")


def _partner(request: HttpRequest) -> PartnerCaller:
    return request.auth  # type: ignore[attr-defined]


def _partner_subscription_out(s: Subscription) -> dict[str, Any]:
    return {**subscription_out(s), "contact_email": s.contact_email}


def _partner_subscription(caller: PartnerCaller, subscription_id: int) -> Subscription:
    if not 0 < subscription_id < 2**63:
        raise ApiProblem("not-found", NO_SUBSCRIPTION)
    found = (
        selectors.partner_subscriptions(partner_key_id=caller.key.pk)
        .filter(id=subscription_id)
        .first()
    )
    if found is None:
        raise ApiProblem("not-found", NO_SUBSCRIPTION)
    return found


def _partner_deliveries(caller: PartnerCaller) -> QuerySet[Delivery]:
    return selectors.partner_deliveries(
        partner_key_id=caller.key.pk,
        company_ids=caller.key.companies.values("id"),
        store_ids=caller.key.stores.values("id"),
    )


@router.get(
    "/subscriptions",
    response={200: list[PartnerSubscriptionOut], **ERRORS},
    summary="The partner key's own webhook subscriptions (every store and company it serves)",
)
def partner_subscription_list(request: HttpRequest) -> list[dict[str, Any]]:
    caller = _partner(request)
    return [
        _partner_subscription_out(s)
        for s in selectors.partner_subscriptions(partner_key_id=caller.key.pk)
    ]


@router.post(
    "/subscriptions",
    response={201: PartnerSubscriptionCreatedOut, **ERRORS},
    summary="Subscribe an https endpoint to the events of every company the key was granted, "
    "in every store it works on (the signing secret is shown only now)",
)
def partner_subscription_create(
    request: HttpRequest, body: PartnerSubscriptionIn
) -> Status[dict[str, Any]]:
    caller = _partner(request)
    try:
        validate_email(body.contact_email)
    except DjangoValidationError:
        raise ApiProblem(
            "invalid-request",
            "contact_email is an e-mail address: who is told when the endpoint is disabled.",
            errors=[{"loc": ["body", "contact_email"], "msg": "not an e-mail address"}],
        ) from None
    try:
        made, secret = services.subscription_create(
            url=body.url,
            events=body.events,
            description=body.description,
            watched_skus=body.watched_skus,
            partner_key_id=caller.key.pk,
            contact_email=body.contact_email,
        )
    except ApplicationError as error:
        raise invalid(error) from error
    return Status(201, {**_partner_subscription_out(made), "secret": secret})


@router.delete(
    "/subscriptions/{subscription_id}",
    response={204: None, **ERRORS},
    summary="Delete one of the key's subscriptions (its pending deliveries are dead-lettered)",
)
def partner_subscription_delete(request: HttpRequest, subscription_id: int) -> Status[None]:
    subscription = _partner_subscription(_partner(request), subscription_id)
    services.subscription_delete(subscription=subscription)
    return Status(204, None)


@router.post(
    "/subscriptions/{subscription_id}/rotate",
    response={200: SecretOut, **ERRORS},
    summary="A new signing secret; the old one also signs for 24 hours (two v1= values)",
)
def partner_subscription_rotate(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    subscription = _partner_subscription(_partner(request), subscription_id)
    secret = services.subscription_secret_rotate(subscription=subscription)
    return dict(secret=secret, previous_secret_valid_until=subscription.previous_secret_until)


@router.post(
    "/subscriptions/{subscription_id}/enable",
    response={200: PartnerSubscriptionOut, **ERRORS},
    summary="Enable one of the key's subscriptions disabled after days of failures",
)
def partner_subscription_enable(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    subscription = _partner_subscription(_partner(request), subscription_id)
    services.subscription_enable(subscription=subscription)
    subscription.refresh_from_db()
    return _partner_subscription_out(subscription)


@router.get(
    "/deliveries",
    response={200: DeliveryPage, **ERRORS},
    summary="The delivery log of the key's subscriptions (30 days), newest first",
)
def partner_delivery_list(
    request: HttpRequest,
    state: DeliveryState | None = None,
    event: Event | None = None,
    cursor: str | None = Query(default=None, max_length=512),
    limit: int = Query(default=50, ge=1, le=200),
) -> dict[str, Any]:
    return delivery_page(_partner_deliveries(_partner(request)), state, event, cursor, limit)


@router.post(
    "/deliveries/{delivery_id}/resend",
    response={202: DeliveryOut, **ERRORS},
    summary="Send one of the key's deliveries again (as a new delivery id, the same body)",
)
def partner_delivery_resend(request: HttpRequest, delivery_id: str) -> Status[dict[str, Any]]:
    return resend_one(_partner_deliveries(_partner(request)), delivery_id, NO_DELIVERY)


@router.post(
    "/resend",
    response={202: ResendOut, **ERRORS},
    summary="Send again every delivery of the key's subscriptions made since a time "
    "(not the pending ones)",
)
def partner_resend_since(request: HttpRequest, since: datetime.datetime) -> Status[dict[str, Any]]:
    return resend_since_time(_partner_deliveries(_partner(request)), since)
