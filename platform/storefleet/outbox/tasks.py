"""Celery tasks of the outbox: carrying one message into the ERP, and the sweeper."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.utils import timezone

from .models import Message, State
from .processing import Deferred, message_process, messages_due

logger = logging.getLogger("storefleet.outbox")

# A run must be over before its lease on the message is: after that the sweeper sends the
# message again, and a second run may submit while a first is still at it. (Enforced by the
# prefork pool; the solo pool of the embedded default runs one task at a time anyway.)
_LEASE = settings.OUTBOX_LEASE_SECONDS


@shared_task(
    bind=True,
    name="storefleet.outbox.process",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    soft_time_limit=max(1, int(_LEASE * 0.8)),
    time_limit=_LEASE,
)
def message_process_task(self, message_id: int, claim: int | None = None) -> str | None:
    """Carry one outbox message into the ERP (idempotent: the ERP dedupes by its key).
    Retried with backoff and jitter while the ERP is unreachable, for as long as it takes;
    the retry carries the claim that lets it, and only it, take the message up again."""
    try:
        outcome = message_process(message_id=message_id, claim=claim)
    except Deferred as deferred:
        countdown = get_exponential_backoff_interval(
            factor=2, retries=self.request.retries, maximum=60, full_jitter=True
        )
        raise self.retry(
            kwargs={"message_id": message_id, "claim": deferred.claim},
            countdown=countdown,
            exc=deferred,
        ) from deferred
    if outcome is not None and outcome.state == State.PENDING and outcome.retry_at is not None:
        # The kind's own schedule: a retry due within the lease is this task's (the broker
        # holds it that long at most); a later one is the sweeper's, once it is due.
        wait = (outcome.retry_at - timezone.now()).total_seconds()
        if wait < _LEASE:
            raise self.retry(
                kwargs={"message_id": message_id, "claim": claim_after(message_id)},
                countdown=max(wait, 0),
            )
    return outcome.state if outcome else None


def claim_after(message_id: int) -> int:
    """The claim a retry of the message presents: the attempts it has now."""
    return Message.objects.filter(id=message_id).values_list("attempts", flat=True).first() or 0


def dispatch(message_id: int, *, claim: int) -> None:
    """Send the message's task; a broker that is away is the sweeper's to make up for."""
    try:
        message_process_task.delay(message_id, claim=claim)
    except Exception:
        # The message is safe in the outbox, and the sweeper sends it once its lease is over.
        logger.exception("could not enqueue outbox message id=%s; the sweeper will", message_id)


def messages_sweep(*, limit: int = 500) -> int:
    """Send again what is owed to the ERP and nobody is working on. Returns how many."""
    due = messages_due(limit=limit)
    for message_id, claim in due:
        dispatch(message_id, claim=claim)
    return len(due)


# Both limits: with only ``time_limit`` the global soft limit (CELERY_TASK_SOFT_TIME_LIMIT, 240)
# would be above it, and Celery refuses to send the task at all (beat: "Couldn't apply").
@shared_task(name="storefleet.outbox.sweep", acks_late=True, soft_time_limit=100, time_limit=120)
def messages_sweep_task() -> int:
    """Re-send outbox messages whose task was lost (broker restart, killed worker)."""
    return messages_sweep()
