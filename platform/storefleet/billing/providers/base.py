"""What crosses the payment-provider boundary: frozen dataclasses, an Enum, one Protocol."""

from __future__ import annotations

import datetime
import enum
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from storefleet.money import Money

# Currencies whose smallest unit is the unit itself (Stripe's zero-decimal currencies we sell in).
ZERO_DECIMAL = frozenset({"JPY", "KRW"})


class InvalidEvent(Exception):
    """A webhook that is not signed by the provider, too old, or not an event we can read."""


class ProviderUnavailable(Exception):
    """The provider could not be reached or refused the request; nothing was charged."""


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    invoice_number: str
    amount: Money


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    payment_id: int
    reference: str
    lines: tuple[CheckoutLine, ...]
    total: Money
    idempotency_key: str
    success_url: str  # absolute
    cancel_url: str  # absolute
    customer_email: str
    expires_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    session_id: str
    url: str


class EventKind(enum.StrEnum):
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    OTHER = "other"  # an event type we don't act on


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    event_id: str
    type: str  # the provider's own event type, e.g. checkout.session.completed
    kind: EventKind
    session_id: str
    payment_id: int | None  # from the session's metadata
    amount: Money | None


class PaymentProvider(Protocol):
    """A hosted payment page and the signed events that tell how it went."""

    name: str

    def checkout_create(self, *, request: CheckoutRequest) -> CheckoutSession:
        """Open a hosted payment session for ``request``; idempotent by its key."""
        ...

    def event_parse(self, *, payload: bytes, signature: str) -> ProviderEvent:
        """Verify a webhook's signature and read it; raises ``InvalidEvent``."""
        ...


def to_minor(amount: Money) -> int:
    places = 0 if amount.currency.upper() in ZERO_DECIMAL else 2
    return int((amount.amount * (10**places)).to_integral_value())


def from_minor(value: int, currency: str) -> Money:
    places = 0 if currency.upper() in ZERO_DECIMAL else 2
    return Money(Decimal(value).scaleb(-places), currency.upper())


_KINDS = {
    "checkout.session.completed": EventKind.PAID,
    "checkout.session.async_payment_succeeded": EventKind.PAID,
    "checkout.session.async_payment_failed": EventKind.FAILED,
    "checkout.session.expired": EventKind.EXPIRED,
}


def event_from_stripe_shape(event: Any) -> ProviderEvent:
    """Read an event about a Checkout Session shaped like Stripe's, as a plain dict (a
    ``stripe.Event`` is not one: pass ``.to_dict()``). A completed session whose payment is not
    settled yet (bank debits) is not paid."""
    try:
        session = event["data"]["object"]
        kind = _KINDS.get(event["type"], EventKind.OTHER)
        if kind is EventKind.PAID and session.get("payment_status") not in ("paid", None):
            kind = EventKind.OTHER
        metadata = session.get("metadata") or {}
        payment_id = metadata.get("payment_id")
        total = session.get("amount_total")
        currency = session.get("currency")
        return ProviderEvent(
            event_id=str(event["id"]),
            type=str(event["type"]),
            kind=kind,
            session_id=str(session["id"]),
            payment_id=int(payment_id) if payment_id else None,
            amount=from_minor(int(total), str(currency))
            if total is not None and currency
            else None,
        )
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise InvalidEvent(f"not a checkout session event: {error}") from error


def json_loads(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError as error:
        raise InvalidEvent("the payload is not JSON") from error
