"""Celery tasks of ordering: carrying an order into the ERP, and the outbox sweeper."""

from __future__ import annotations

from celery import shared_task

from storefleet.erp.errors import ErpUnavailable

from .services import outbox_process, outbox_sweep


@shared_task(
    name="storefleet.ordering.outbox_process",
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
    """Submit the order of one outbox message to the ERP (idempotent: its key is the order's
    number). Retried with backoff while the ERP is unreachable, for as long as it takes."""
    order = outbox_process(message_id=message_id)
    return order.status if order else None


@shared_task(name="storefleet.ordering.outbox_sweep", acks_late=True, time_limit=120)
def outbox_sweep_task() -> int:
    """Re-send outbox messages whose task was lost (broker restart, killed worker)."""
    return outbox_sweep()
