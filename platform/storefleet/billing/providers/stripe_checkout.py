"""Stripe Checkout: a hosted page per payment (card data never reaches the platform, SAQ-A),
one line per invoice, the payment's id in the session's metadata, and the payment's
idempotency key on the request so a retried call never opens a second session."""

from __future__ import annotations

import stripe

from .base import (
    CheckoutRequest,
    CheckoutSession,
    InvalidEvent,
    ProviderEvent,
    ProviderUnavailable,
    event_from_stripe_shape,
    to_minor,
)


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(api_key, http_client=http_client, max_network_retries=2)

    def checkout_create(self, *, request: CheckoutRequest) -> CheckoutSession:
        metadata = {"payment_id": str(request.payment_id), "reference": request.reference}
        params: dict[str, object] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": line.amount.currency.lower(),
                        "unit_amount": to_minor(line.amount),
                        "product_data": {"name": f"Invoice {line.invoice_number}"},
                    },
                }
                for line in request.lines
            ],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "client_reference_id": request.reference,
            "customer_email": request.customer_email,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "expires_at": int(request.expires_at.timestamp()),
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]
                options={"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            raise ProviderUnavailable(error.user_message or str(error)) from error
        if not session.url:
            raise ProviderUnavailable("Stripe opened a session without a payment page")
        return CheckoutSession(session_id=session.id, url=session.url)

    def event_parse(self, *, payload: bytes, signature: str) -> ProviderEvent:
        try:
            event = stripe.Webhook.construct_event(payload, signature, self.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise InvalidEvent(str(error)) from error
        return event_from_stripe_shape(event.to_dict())
