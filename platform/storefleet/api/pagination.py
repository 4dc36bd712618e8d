"""Opaque cursors: what a list answered last, signed so that a client can hand it back but not
forge one (a tampered or foreign cursor is a 422 problem, never a query on junk)."""

from __future__ import annotations

from typing import Any

from django.core import signing

from .problems import ApiProblem

SALT = "storefleet.api.cursor"
MAX_CURSOR = 512


def cursor_encode(kind: str, position: Any) -> str:
    return signing.dumps({"k": kind, "p": position}, salt=SALT, compress=True)


def cursor_decode(kind: str, cursor: str | None) -> Any:
    """The position a cursor of this list holds; None without a cursor."""
    if not cursor:
        return None
    try:
        if len(cursor) > MAX_CURSOR:
            raise signing.BadSignature
        data = signing.loads(cursor, salt=SALT)
        if not isinstance(data, dict) or data.get("k") != kind:
            raise signing.BadSignature
    except signing.BadSignature:
        raise ApiProblem(
            "invalid-request",
            "The cursor is not one this list gave: start again without it.",
            errors=[{"loc": ["query", "cursor"], "msg": "unknown cursor"}],
        ) from None
    return data["p"]
