"""Taking messages up and carrying them into the ERP: the claim, the lease and the sweeper's
re-queue. ``services`` and ``tasks`` build on this; it sends no task itself.

Runs of one message never overlap: a run takes the message up (and leases it) only if it is
pending and either nobody has taken it up since the run was sent — its ``claim`` is the number
of attempts the message had then — or whoever did let the lease run out. A task redelivered by
the broker, its retry and the sweeper's re-send may all arrive; one runs the handler."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from storefleet.erp.errors import ErpError, ErpUnavailable

from . import registry
from .models import Message, State
from .registry import Outcome

logger = logging.getLogger("storefleet.outbox")


class Deferred(ErpUnavailable):
    """The ERP can't take the message now. ``claim`` is what the retry presents to take the
    message up again before the sweeper does."""

    def __init__(self, detail: str, *, claim: int) -> None:
        super().__init__(detail)
        self.claim = claim


def lease() -> datetime.timedelta:
    """How long a run holds a message before the sweeper may send it again."""
    return datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def message_claim(*, message_id: int, claim: int | None = None) -> Message | None:
    """Take the message up for one run (attempts + 1, leased), or None when it is not this
    run's to take: done, or held by another run. Without ``claim`` (called by hand) it is
    taken whenever it is pending."""
    now = timezone.now()
    takeable = Message.objects.filter(id=message_id, state=State.PENDING)
    if claim is not None:
        takeable = takeable.filter(Q(attempts=claim) | Q(next_try_at__lte=now))
    until = now + lease()
    # One conditional UPDATE: of two runs racing for the message, the second matches nothing.
    if not takeable.update(attempts=F("attempts") + 1, leased_until=until, next_try_at=until):
        return None
    return Message.objects.get(id=message_id)


def message_process(*, message_id: int, claim: int | None = None) -> Outcome | None:
    """Carry one message into the ERP through its kind's handler. None when the run may not
    take it up (see ``message_claim``). Raises ``Deferred`` when the ERP can't take it now;
    the error is noted on the message and the lease stands until the retry or the sweeper.
    A PENDING outcome (the handler's own retry schedule) leaves it to be taken up again at its
    ``retry_at``."""
    message = message_claim(message_id=message_id, claim=claim)
    if message is None:
        return None
    handler = registry.kind(message.kind).handler
    try:
        outcome = handler(message)
    except ErpError as error:
        # An answer we don't understand is not a refusal either: the message is tried again.
        detail = error.detail if isinstance(error, ErpUnavailable) else error.message
        Message.objects.filter(id=message.id).update(last_error=detail or error.message)
        raise Deferred(detail, claim=message.attempts) from error
    if outcome.state == State.PENDING:
        # The kind's own schedule: released now, taken up again from ``retry_at``.
        Message.objects.filter(id=message.id, state=State.PENDING).update(
            next_try_at=outcome.retry_at or timezone.now() + lease(),
            leased_until=timezone.now(),
            last_error=outcome.note,
        )
        return outcome
    Message.objects.filter(id=message.id, state=State.PENDING).update(
        state=outcome.state, done_at=timezone.now(), last_error=outcome.note
    )
    return outcome


def messages_due(*, limit: int = 500) -> list[tuple[int, int]]:
    """Lease to the sweeper what is owed to the ERP and nobody is working on (the lease ran
    out: its task was lost with a broker or a killed worker): (id, claim) of each, to send."""
    now = timezone.now()
    due = list(
        Message.objects.filter(state=State.PENDING, next_try_at__lte=now)
        .order_by("next_try_at")
        .values_list("id", "attempts")[:limit]
    )
    leased = []
    for message_id, attempts in due:
        # Unless a run took it up since it was read.
        if Message.objects.filter(
            id=message_id, attempts=attempts, state=State.PENDING, next_try_at__lte=now
        ).update(next_try_at=now + lease()):
            leased.append((message_id, attempts))
    return leased


def message_wake(*, kind: str, subject: object) -> int | None:
    """Make the pending message of ``kind`` about ``subject`` due now, unless a run holds it:
    its claim (to send its task with), or None when there is nothing to wake."""
    now = timezone.now()
    found = (
        Message.objects.filter(kind=kind, subject=str(subject), state=State.PENDING)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .values_list("id", "attempts")
        .first()
    )
    if found is None:
        return None
    message_id, attempts = found
    if not Message.objects.filter(id=message_id, attempts=attempts, state=State.PENDING).update(
        next_try_at=now + lease()
    ):
        return None
    return attempts
