"""Payment providers behind one interface, chosen by ``settings.BILLING_PROVIDER``.

``sandbox`` is the embedded default (a local, test-only hosted page); ``stripe`` uses Stripe
Checkout. Both deliver their outcome as events signed the way Stripe signs webhooks, so the
platform handles every outcome through the same code path."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import (
    CheckoutLine,
    CheckoutRequest,
    CheckoutSession,
    EventKind,
    InvalidEvent,
    PaymentProvider,
    ProviderEvent,
    ProviderUnavailable,
)

__all__ = [
    "CheckoutLine",
    "CheckoutRequest",
    "CheckoutSession",
    "EventKind",
    "InvalidEvent",
    "PaymentProvider",
    "ProviderEvent",
    "ProviderUnavailable",
    "get_provider",
]


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider ``name`` (default: the configured one), built from settings."""
    name = name or settings.BILLING_PROVIDER
    if name == "sandbox":
        from .sandbox import SandboxProvider

        return SandboxProvider(webhook_secret=settings.BILLING_SANDBOX_WEBHOOK_SECRET)
    if name == "stripe":
        from .stripe_checkout import StripeProvider

        return StripeProvider(
            api_key=settings.STRIPE_API_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET
        )
    raise ImproperlyConfigured(f"Unknown BILLING_PROVIDER {name!r}: use 'sandbox' or 'stripe'.")
