"""The embedded default provider: a hosted payment page served by the platform itself, for
tests and local demos only (production settings refuse it). Its Pay and Decline buttons
produce events shaped and signed exactly as Stripe's, which go through the same webhook
handling as Stripe's own."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import stripe
from django.urls import reverse

from storefleet.money import Money

from .base import (
    CheckoutRequest,
    CheckoutSession,
    InvalidEvent,
    ProviderEvent,
    event_from_stripe_shape,
    json_loads,
    to_minor,
)

TOLERANCE_SECONDS = 300

OUTCOMES = {
    "pay": "checkout.session.completed",
    "decline": "checkout.session.async_payment_failed",
    "expire": "checkout.session.expired",
}


@dataclass(frozen=True, slots=True)
class SignedEvent:
    payload: bytes
    signature: str  # a Stripe-Signature header: t=…,v1=…


class SandboxProvider:
    name = "sandbox"

    def __init__(self, *, webhook_secret: str) -> None:
        self.webhook_secret = webhook_secret

    def checkout_create(self, *, request: CheckoutRequest) -> CheckoutSession:
        """A session id derived from the idempotency key (the same key, the same session),
        and the local page on the store's own host."""
        digest = hashlib.blake2b(request.idempotency_key.encode(), digest_size=12).hexdigest()
        session_id = f"cs_sandbox_{digest}"
        origin = urlsplit(request.success_url)
        path = reverse("billing:sandbox_page", args=[session_id])
        return CheckoutSession(
            session_id=session_id, url=f"{origin.scheme}://{origin.netloc}{path}"
        )

    def event_sign(
        self,
        *,
        outcome: str,
        session_id: str,
        payment_id: int,
        amount: Money,
        event_id: str | None = None,
        timestamp: int | None = None,
    ) -> SignedEvent:
        """The event the hosted page sends for ``outcome`` (pay, decline, expire)."""
        payment_status = "paid" if outcome == "pay" else "unpaid"
        event = {
            "id": event_id or f"evt_sandbox_{secrets.token_hex(12)}",
            "object": "event",
            "type": OUTCOMES[outcome],
            "created": int(time.time()),
            "data": {
                "object": {
                    "id": session_id,
                    "object": "checkout.session",
                    "mode": "payment",
                    "payment_status": payment_status,
                    "amount_total": to_minor(amount),
                    "currency": amount.currency.lower(),
                    "metadata": {"payment_id": str(payment_id)},
                }
            },
        }
        payload = json.dumps(event).encode()
        header = stripe.WebhookSignature.generate_signature_header(
            payload.decode(), self.webhook_secret, timestamp=timestamp
        )
        return SignedEvent(payload=payload, signature=header)

    def event_parse(self, *, payload: bytes, signature: str) -> ProviderEvent:
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, self.webhook_secret, TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as error:
            raise InvalidEvent(str(error)) from error
        return event_from_stripe_shape(json_loads(payload))
