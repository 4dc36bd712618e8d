"""Celery tasks of billing: recording paid payments in the ERP, and the outbox sweeper."""

from __future__ import annotations

from celery import shared_task

from storefleet.erp.errors import ErpUnavailable

from .services import outbox_process, outbox_sweep


@shared_task(
    name="storefleet.billing.outbox_process",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ErpUnavailable,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=None,
    soft_time_limit=120,
    time_limit=150,
)
def outbox_process_task(message_id: int) -> str | None:
    """Record the payment of one outbox message in the ERP (idempotent: its key is the
    payment's). Retried with backoff while the ERP is unreachable, for as long as it takes."""
    payment = outbox_process(message_id=message_id)
    return payment.status if payment else None


# Both limits: with only ``time_limit`` the global soft limit (240 s) is above it, and Celery
# refuses to send the task at all (beat logs "Couldn't apply" and the sweep never runs).
@shared_task(
    name="storefleet.billing.outbox_sweep", acks_late=True, soft_time_limit=100, time_limit=120
)
def outbox_sweep_task() -> int:
    """Re-send paid payments whose recording task was lost (broker restart, killed worker)."""
    return outbox_sweep()
