"""Celery tasks of ordering: carrying an order into the ERP, and the outbox sweeper."""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from .services import OutboxDeferred, outbox_process, outbox_sweep

# A run must be over before its lease on the message is: after that the sweeper sends the
# message again, and a second run may submit while a first is still at it. (Enforced by the
# prefork pool; the solo pool of the embedded default runs one task at a time anyway.)
_LEASE = settings.ORDERING_OUTBOX_LEASE_SECONDS


@shared_task(
    bind=True,
    name="storefleet.ordering.outbox_process",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    soft_time_limit=max(1, int(_LEASE * 0.8)),
    time_limit=_LEASE,
)
def outbox_process_task(self, message_id: int, claim: int | None = None) -> str | None:
    """Submit the order of one outbox message to the ERP (idempotent: its key is the order's
    number). Retried with backoff and jitter while the ERP is unreachable, for as long as it
    takes; the retry carries the claim that lets it, and only it, take the message up again."""
    try:
        order = outbox_process(message_id=message_id, claim=claim)
    except OutboxDeferred as deferred:
        countdown = get_exponential_backoff_interval(
            factor=2, retries=self.request.retries, maximum=60, full_jitter=True
        )
        raise self.retry(
            kwargs={"message_id": message_id, "claim": deferred.claim},
            countdown=countdown,
            exc=deferred,
        ) from deferred
    return order.status if order else None


# Both limits: with only ``time_limit`` the global soft limit (CELERY_TASK_SOFT_TIME_LIMIT, 240)
# would be above it, and Celery refuses to send the task at all (beat: "Couldn't apply").
@shared_task(
    name="storefleet.ordering.outbox_sweep", acks_late=True, soft_time_limit=100, time_limit=120
)
def outbox_sweep_task() -> int:
    """Re-send outbox messages whose task was lost (broker restart, killed worker)."""
    return outbox_sweep()
