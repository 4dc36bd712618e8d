"""Celery tasks of the partner API."""

from __future__ import annotations

from celery import shared_task

from .idempotency import records_purge


@shared_task(name="storefleet.api.idempotency_purge", acks_late=True, time_limit=300)
def idempotency_purge_task() -> int:
    """Forget the Idempotency-Key records past their keeping time (idempotent: a second run
    finds nothing to delete)."""
    return records_purge()
