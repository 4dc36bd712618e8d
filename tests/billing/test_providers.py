"""The Stripe provider at its boundary, with no network: the Checkout Session request it would
send (the stripe library's own request layer, with a stub HTTP client under it), and webhooks
signed offline with the library's own signing."""

from __future__ import annotations

import datetime
import json
import time
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import stripe

from storefleet.billing.providers import (
    CheckoutLine,
    CheckoutRequest,
    CheckoutSession,
    EventKind,
    InvalidEvent,
    ProviderEvent,
    ProviderUnavailable,
)
from storefleet.billing.providers.stripe_checkout import StripeProvider
from storefleet.money import Money

SECRET = "whsec_test_offline"
EXPIRES = datetime.datetime(2026, 11, 24, 12, 30, tzinfo=datetime.UTC)


class StubHttpClient(stripe.HTTPClient):
    """Answers every request with one canned response and keeps what was asked."""

    name = "stub"

    def __init__(self, body: dict, status: int = 200) -> None:
        super().__init__()
        self.body, self.status = body, status
        self.requests: list[tuple[str, str, dict, str]] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append((method, url, dict(headers or {}), post_data or ""))
        return json.dumps(self.body), self.status, {"request-id": "req_stub"}

    def close(self) -> None:
        pass


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def checkout_request() -> CheckoutRequest:
    return CheckoutRequest(
        payment_id=42,
        reference="P-ABCDEFGHJK",
        lines=(
            CheckoutLine("INV-00005", eur("1234.56")),
            CheckoutLine("INV-00010", eur("99.05")),
        ),
        total=eur("1333.61"),
        idempotency_key="storefleet-pay-0123",
        success_url="https://ferrum.example/account/payments/P-ABCDEFGHJK/",
        cancel_url="https://ferrum.example/account/invoices/",
        customer_email="buyer@c-1002.example",
        expires_at=EXPIRES,
    )


def test_checkout_session_request_has_a_line_per_invoice_and_the_idempotency_key():
    http = StubHttpClient(
        {
            "id": "cs_test_a1",
            "object": "checkout.session",
            "url": "https://checkout.stripe.com/c/pay/cs_test_a1",
        }
    )
    provider = StripeProvider(api_key="sk_test_offline", webhook_secret=SECRET, http_client=http)
    session = provider.checkout_create(request=checkout_request())
    assert session == CheckoutSession("cs_test_a1", "https://checkout.stripe.com/c/pay/cs_test_a1")
    ((method, url, headers, body),) = http.requests
    assert (method, url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert headers["Idempotency-Key"] == "storefleet-pay-0123"
    assert headers["Authorization"] == "Bearer sk_test_offline"
    assert parse_qs(body) == {
        "mode": ["payment"],
        "line_items[0][quantity]": ["1"],
        "line_items[0][price_data][currency]": ["eur"],
        "line_items[0][price_data][unit_amount]": ["123456"],
        "line_items[0][price_data][product_data][name]": ["Invoice INV-00005"],
        "line_items[1][quantity]": ["1"],
        "line_items[1][price_data][currency]": ["eur"],
        "line_items[1][price_data][unit_amount]": ["9905"],
        "line_items[1][price_data][product_data][name]": ["Invoice INV-00010"],
        "metadata[payment_id]": ["42"],
        "metadata[reference]": ["P-ABCDEFGHJK"],
        "payment_intent_data[metadata][payment_id]": ["42"],
        "payment_intent_data[metadata][reference]": ["P-ABCDEFGHJK"],
        "client_reference_id": ["P-ABCDEFGHJK"],
        "customer_email": ["buyer@c-1002.example"],
        "success_url": ["https://ferrum.example/account/payments/P-ABCDEFGHJK/"],
        "cancel_url": ["https://ferrum.example/account/invoices/"],
        "expires_at": [str(int(EXPIRES.timestamp()))],
    }


def test_a_refused_session_is_provider_unavailable():
    http = StubHttpClient(
        {"error": {"type": "invalid_request_error", "message": "No such price"}}, status=400
    )
    provider = StripeProvider(api_key="sk_test_offline", webhook_secret=SECRET, http_client=http)
    with pytest.raises(ProviderUnavailable):
        provider.checkout_create(request=checkout_request())
    assert len(http.requests) == 1


def stripe_event(event_type: str, *, payment_status: str = "paid") -> str:
    return json.dumps(
        {
            "id": "evt_1Offline",
            "object": "event",
            "api_version": "2025-03-31.basil",
            "created": int(time.time()),
            "type": event_type,
            "data": {
                "object": {
                    "id": "cs_test_a1",
                    "object": "checkout.session",
                    "amount_total": 133361,
                    "currency": "eur",
                    "payment_status": payment_status,
                    "metadata": {"payment_id": "42", "reference": "P-ABCDEFGHJK"},
                }
            },
        }
    )


@pytest.mark.parametrize(
    ("event_type", "payment_status", "kind"),
    [
        ("checkout.session.completed", "paid", EventKind.PAID),
        ("checkout.session.completed", "unpaid", EventKind.OTHER),
        ("checkout.session.async_payment_succeeded", "paid", EventKind.PAID),
        ("checkout.session.async_payment_failed", "unpaid", EventKind.FAILED),
        ("checkout.session.expired", "unpaid", EventKind.EXPIRED),
    ],
)
def test_webhook_signed_by_the_library_is_read(event_type, payment_status, kind):
    payload = stripe_event(event_type, payment_status=payment_status)
    header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    provider = StripeProvider(api_key="sk_test_offline", webhook_secret=SECRET)
    assert provider.event_parse(payload=payload.encode(), signature=header) == ProviderEvent(
        event_id="evt_1Offline",
        type=event_type,
        kind=kind,
        session_id="cs_test_a1",
        payment_id=42,
        amount=eur("1333.61"),
    )


def test_webhook_with_a_wrong_secret_a_changed_body_or_an_old_timestamp_is_refused():
    payload = stripe_event("checkout.session.completed")
    provider = StripeProvider(api_key="sk_test_offline", webhook_secret=SECRET)
    wrong = stripe.WebhookSignature.generate_signature_header(payload, "whsec_other")
    good = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    old = stripe.WebhookSignature.generate_signature_header(
        payload, SECRET, timestamp=int(time.time()) - 3600
    )
    for body, header in [
        (payload, wrong),
        (payload.replace("133361", "1"), good),
        (payload, old),
        (payload, ""),
        ("not json", stripe.WebhookSignature.generate_signature_header("not json", SECRET)),
    ]:
        with pytest.raises(InvalidEvent):
            provider.event_parse(payload=body.encode(), signature=header)
