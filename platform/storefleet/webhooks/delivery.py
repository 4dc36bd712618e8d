"""Carrying a delivery to its endpoint: the outbox handler of ``webhook.deliver``.

At least once: a delivery is attempted until its endpoint answers 2xx, with exponential
backoff and full jitter between attempts (``backoff``), for ``WEBHOOK_RETRY_DAYS`` from the
first attempt; one still failing then is dead-lettered (resendable from the admin and the API).
An endpoint that has failed every attempt for ``WEBHOOK_DISABLE_AFTER_DAYS`` is disabled and
its owner told by e-mail.

In order per subject: a delivery is not attempted while an earlier delivery of the same
subscription about the same subject is pending; when one ends (delivered or dead) the next
waiting one is woken at once."""

from __future__ import annotations

import datetime
import json
import logging
import random
import time

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from storefleet.outbox import services as outbox
from storefleet.outbox.models import Message, State
from storefleet.outbox.registry import Outcome

from . import notifications
from .addresses import UnsafeUrl, url_check
from .models import Attempt, Delivery, DeliveryState, Subscription
from .signing import signature_header

logger = logging.getLogger("storefleet.webhooks")

DELIVER = "webhook.deliver"
USER_AGENT = "Storefleet-Webhooks/1"
LOGGED_BODY = 2000  # characters of a response body kept in the log
# How long after the earlier delivery of its subject is next tried a delivery held behind it
# looks again (it is woken as soon as that one ends; this is the fallback).
BEHIND_WAIT = datetime.timedelta(seconds=30)


def backoff(attempt: int, *, rng: random.Random | None = None) -> datetime.timedelta:
    """The wait after failed attempt number ``attempt`` (1, 2, …): full jitter, uniformly
    between 0 and ``base × 2^attempt`` capped at ``WEBHOOK_BACKOFF_MAX_SECONDS``."""
    ceiling = min(
        settings.WEBHOOK_BACKOFF_MAX_SECONDS,
        settings.WEBHOOK_BACKOFF_BASE_SECONDS * 2 ** min(attempt, 40),
    )
    return datetime.timedelta(seconds=(rng or random).uniform(0, ceiling))


def retry_span() -> datetime.timedelta:
    return datetime.timedelta(days=settings.WEBHOOK_RETRY_DAYS)


def signing_secrets(subscription: Subscription, now: datetime.datetime) -> list[str]:
    found = [subscription.secret]
    if (
        subscription.previous_secret
        and subscription.previous_secret_until
        and subscription.previous_secret_until > now
    ):
        found.append(subscription.previous_secret)
    return found


def _post(subscription: Subscription, delivery: Delivery, now: datetime.datetime) -> Attempt:
    """One HTTP attempt, logged; never raises."""
    body = delivery.body.encode()
    stamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Storefleet-Delivery": str(delivery.uuid),
        "Storefleet-Event": delivery.event,
        "Storefleet-Timestamp": str(stamp),
        "Storefleet-Signature": signature_header(
            secrets_=signing_secrets(subscription, now), timestamp=stamp, body=body
        ),
    }
    attempt = Attempt(
        delivery=delivery,
        number=delivery.attempts + 1,
        at=now,
        request_headers=headers,
    )
    started = time.monotonic()
    try:
        url_check(subscription.url)  # again: the host's addresses may have changed
        timeout = httpx.Timeout(
            settings.WEBHOOK_TIMEOUT_SECONDS, connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS
        )
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(subscription.url, content=body, headers=headers)
        attempt.response_status = response.status_code
        attempt.response_body = response.text[:LOGGED_BODY]
        if not 200 <= response.status_code < 300:
            attempt.error = f"answered {response.status_code}"
    except UnsafeUrl as error:
        attempt.error = error.message[:500]
    except httpx.TimeoutException:
        attempt.error = f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s"
    except httpx.HTTPError as error:
        attempt.error = f"could not connect: {type(error).__name__}: {error}"[:500]
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    attempt.save()
    return attempt


def _wake_next(delivery: Delivery) -> None:
    """The next delivery waiting behind this one (same subscription and subject), sent now."""
    waiting = (
        Delivery.objects.filter(
            subscription_id=delivery.subscription_id,
            subject=delivery.subject,
            state=DeliveryState.PENDING,
            id__gt=delivery.id,
        )
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if waiting is not None:
        outbox.message_wake_now(kind=DELIVER, subject=waiting)


def _end(delivery: Delivery, state: DeliveryState, note: str) -> Outcome:
    with transaction.atomic():
        Delivery.objects.filter(id=delivery.id).update(
            state=state,
            delivered_at=timezone.now() if state == DeliveryState.DELIVERED else None,
            next_attempt_at=None,
            last_error=note[:500],
        )
        _wake_next(delivery)
    done = state == DeliveryState.DELIVERED
    return Outcome(state=State.DONE if done else State.FAILED, note=note)


def _failing(subscription: Subscription, now: datetime.datetime) -> None:
    """Note a failed attempt against the endpoint; disable it once it has failed for days."""
    if subscription.failing_since is None:
        Subscription.objects.filter(id=subscription.id, failing_since__isnull=True).update(
            failing_since=now
        )
        return
    days = settings.WEBHOOK_DISABLE_AFTER_DAYS
    if now - subscription.failing_since < datetime.timedelta(days=days) or not subscription.active:
        return
    reason = f"Every delivery failed for {days} days (since {subscription.failing_since:%Y-%m-%d})."
    if Subscription.objects.filter(id=subscription.id, active=True).update(
        active=False, disabled_at=now, disabled_reason=reason
    ):
        logger.warning("webhook subscription %s disabled: %s", subscription.id, reason)
        subscription.refresh_from_db()
        transaction.on_commit(lambda: notifications.endpoint_disabled(subscription=subscription))


def delivery_send(message: Message) -> Outcome:
    """The outbox handler of ``webhook.deliver``: one attempt of the delivery (or none while
    an earlier one of its subject is pending). PENDING with ``retry_at`` while it is to be
    tried again; DONE once delivered; FAILED when dead-lettered."""
    delivery = Delivery.objects.select_related("subscription").filter(id=int(message.subject))
    found = delivery.first()
    if found is None or found.state != DeliveryState.PENDING:
        return Outcome(note="purged" if found is None else f"already {found.state}")
    delivery_ = found
    subscription = delivery_.subscription
    now = timezone.now()
    if not subscription.active or subscription.deleted_at is not None:
        return _end(delivery_, DeliveryState.DEAD, "the subscription is disabled or deleted")
    earlier = (
        Delivery.objects.filter(
            subscription_id=subscription.id,
            subject=delivery_.subject,
            state=DeliveryState.PENDING,
            id__lt=delivery_.id,
        )
        .order_by("id")
        .values_list("next_attempt_at", flat=True)[:1]
    )
    if earlier:
        # Woken as soon as the earlier one ends; else looked at again after its next attempt
        # (or shortly, should it be under way right now and miss waking this one).
        (its_next,) = earlier
        return Outcome(
            state=State.PENDING,
            note="waiting for an earlier delivery of the same subject",
            retry_at=its_next + BEHIND_WAIT if its_next and its_next > now else now + BEHIND_WAIT,
        )
    attempt = _post(subscription, delivery_, now)
    first = delivery_.first_attempt_at or now
    common = dict(
        attempts=attempt.number,
        first_attempt_at=first,
        last_attempt_at=now,
        last_status=attempt.response_status,
    )
    if not attempt.error:
        Delivery.objects.filter(id=delivery_.id).update(**common)
        if subscription.failing_since is not None:
            Subscription.objects.filter(id=subscription.id).update(failing_since=None)
        return _end(delivery_, DeliveryState.DELIVERED, "")
    _failing(subscription, now)
    deadline = first + retry_span()
    if now >= deadline:
        Delivery.objects.filter(id=delivery_.id).update(**common)
        return _end(
            delivery_,
            DeliveryState.DEAD,
            f"dead-lettered after {attempt.number} attempts over "
            f"{settings.WEBHOOK_RETRY_DAYS} days: {attempt.error}",
        )
    # The last try is at the deadline: attempts span the whole retry period, whatever the jitter.
    retry_at = min(now + backoff(attempt.number), deadline)
    Delivery.objects.filter(id=delivery_.id).update(
        **common, next_attempt_at=retry_at, last_error=attempt.error
    )
    return Outcome(state=State.PENDING, note=attempt.error, retry_at=retry_at)


def envelope(
    *, event: str, event_id: str, store: str, company: str, subject: str, data: object
) -> str:
    return json.dumps(
        {
            "event": event,
            "event_id": event_id,
            "created_at": timezone.now().isoformat(),
            "store": store,
            "company": company,
            "subject": subject,
            "data": data,
        },
        default=str,
        separators=(",", ":"),
    )
