"""Celery tasks of the ERP integration: the master-data sync on a beat schedule."""

from __future__ import annotations

from celery import shared_task

from . import watch
from .errors import ErpUnavailable
from .sync import erp_sync


@shared_task(
    name="storefleet.erp.sync",
    acks_late=True,
    autoretry_for=(ErpUnavailable,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=600,
    time_limit=660,
)
def erp_sync_task(name: str, full: bool = False) -> dict[str, object]:
    """Incremental sync of ``products``, ``customers`` or ``sales``; safe to run twice
    (upserts, a lock)."""
    report = erp_sync(name=name, full=full)
    return {
        "name": report.name,
        "records": report.records,
        "batches": report.batches,
        "skipped": report.skipped,
    }


@shared_task(name="storefleet.erp.watch", ignore_result=True, soft_time_limit=60, time_limit=90)
def erp_watch_task() -> str:
    """One check of the ERP change watch (erp/watch.py): ``"changed"``, ``"checked"``, ..."""
    return watch.check()
