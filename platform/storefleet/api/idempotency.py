"""``Idempotency-Key`` on the API's writes (placing and cancelling orders, filing returns).

A write is run once per (API key, operation, idempotency key): its answer is kept, and the same
key with the same body gets it again (an order placed answers 201 the first time, 200 after);
the same key with another body — or for another company — is the problem
``idempotency-key-reused`` (422), and a request while the first with its key is still running
``idempotency-key-in-use`` (409, retry). The claim is one INSERT under a unique constraint, so
of two racing requests exactly one runs. A write that fails leaves no record: nothing was
written, and the client may send the same key again once it has fixed what the problem says.

Records are kept at least ``API_IDEMPOTENCY_KEEP_HOURS`` (24 h) and then purged
(``records_purge``, on the beat)."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from ninja import Status

from .auth import Caller
from .models import IdempotentRequest
from .problems import ApiProblem

HEADER = "Idempotency-Key"
HEADER_DESCRIPTION = (
    "Required: a key you make for this write (a UUID, say), sent again when you retry it. The "
    "same key and body answer what the first request did; the key with another body is "
    "refused (idempotency-key-reused). Keys are remembered at least 24 hours."
)
MAX_KEY = 255
# A claim with no answer this long after it was made belongs to a request that died: the next
# request with its key runs again (the order's own submit token still makes it the same order).
ABANDONED_AFTER = datetime.timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a write answered: its status, its body, and the order it made or touched."""

    status: int
    body: dict[str, Any]
    order_id: int | None = None


def idempotency_key(text: str | None) -> str:
    """The request's ``Idempotency-Key``, or the problem saying how to send one."""
    if not text:
        raise ApiProblem(
            "idempotency-key-required",
            f"Send an {HEADER} header (a UUID you make for this request, say) with every "
            "write, and the same one again when you retry it.",
        )
    if len(text) > MAX_KEY or not text.isascii() or not text.isprintable():
        raise ApiProblem(
            "idempotency-key-required",
            f"The {HEADER} must be 1 to {MAX_KEY} printable ASCII characters (a UUID, say).",
        )
    return text


def body_digest(caller: Caller, payload: Any) -> str:
    """SHA-256 of the company acted for and the parsed body: a partner key reusing a key for
    another company is "another body"."""
    text = json.dumps(
        {"company": caller.company.code, "body": payload}, sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def submit_token(caller: Caller, key: str) -> str:
    """The order's submit token for this API key and idempotency key (at most 64 characters):
    the order table's own unique constraint then also makes one order per key."""
    return "api:" + hashlib.sha256(f"{caller.key.pk}:{key}".encode()).hexdigest()[:56]


def _claim(
    caller: Caller, operation: str, key: str, digest: str
) -> tuple[IdempotentRequest | None, Answer | None]:
    """Claim the key (the record to answer into), or the kept answer to replay."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return (
                    IdempotentRequest.objects.create(
                        api_key=caller.key,
                        operation=operation,
                        idempotency_key=key,
                        body_hash=digest,
                    ),
                    None,
                )
        except IntegrityError:
            found = IdempotentRequest.objects.filter(
                api_key=caller.key, operation=operation, idempotency_key=key
            ).first()
        if found is None:  # the other request failed and gave the key back: claim it
            continue
        if found.body_hash != digest:
            raise ApiProblem(
                "idempotency-key-reused",
                f"This {HEADER} was used for another request (another body or company): "
                "send a new key for a new request.",
            )
        if found.status is not None:
            return None, Answer(found.status, found.response or {}, found.order_id)
        if found.created_at > timezone.now() - ABANDONED_AFTER:
            raise ApiProblem(
                "idempotency-key-in-use",
                f"A request with this {HEADER} is still being processed: retry in a second "
                "to get its answer.",
                headers={"Retry-After": "1"},
            )
        IdempotentRequest.objects.filter(pk=found.pk, status__isnull=True).delete()
    raise ApiProblem(
        "idempotency-key-in-use",
        f"A request with this {HEADER} is being processed: retry in a second.",
        headers={"Retry-After": "1"},
    )


def run_once(
    key_text: str | None,
    *,
    caller: Caller,
    operation: str,
    payload: Any,
    run: Callable[[str], Answer],
    replay_status: dict[int, int] | None = None,
) -> Status[dict[str, Any]]:
    """Run ``run`` (given the idempotency key) once for the request's key and body, and answer
    with what it answered; a replay answers the kept body, its status mapped through
    ``replay_status`` (201 → 200: nothing new was made)."""
    key = idempotency_key(key_text)
    record, kept = _claim(caller, operation, key, body_digest(caller, payload))
    if kept is not None:
        return Status((replay_status or {}).get(kept.status, kept.status), kept.body)
    assert record is not None
    try:
        answer = run(key)
    except BaseException:
        record.delete()  # nothing was written: the key may be sent again
        raise
    IdempotentRequest.objects.filter(pk=record.pk).update(
        status=answer.status,
        response=json.loads(json.dumps(answer.body, default=str)),
        order_id=answer.order_id,
    )
    return Status(answer.status, answer.body)


def records_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the records older than ``API_IDEMPOTENCY_KEEP_HOURS``; how many went."""
    keep = datetime.timedelta(hours=max(24, settings.API_IDEMPOTENCY_KEEP_HOURS))
    deleted, _ = IdempotentRequest.objects.filter(
        created_at__lt=(now or timezone.now()) - keep
    ).delete()
    return deleted
