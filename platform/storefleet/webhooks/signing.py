"""The signature a receiver checks: ``Storefleet-Signature: v1=<hex>`` where ``<hex>`` is
HMAC-SHA256, keyed by the subscription's secret, of ``"<timestamp>.<body>"`` (the
``Storefleet-Timestamp`` header, Unix seconds, then the raw body). While a secret rotation is
under way the header carries two ``v1=`` values, the current secret's first: a receiver
accepts the request when any of them matches a secret it knows."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret


def secret_new() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secrets_: list[str], timestamp: int, body: bytes) -> str:
    return ",".join(f"v1={signature(secret=s, timestamp=timestamp, body=body)}" for s in secrets_)


def signature_valid(*, header: str, secret: str, timestamp: int, body: bytes) -> bool:
    """What a receiver does (and the tests' receiver): does any ``v1=`` value match?"""
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    values = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
    return any(hmac.compare_digest(expected, value) for value in values)
