"""Celery tasks of webhooks: the log's daily purge and the watched SKUs' look (deliveries go
through the outbox's task)."""

from __future__ import annotations

from celery import shared_task

from .services import deliveries_purge
from .watch import watches_look


@shared_task(name="storefleet.webhooks.purge", acks_late=True, soft_time_limit=240, time_limit=300)
def deliveries_purge_task() -> int:
    """Forget deliveries and their log older than WEBHOOK_LOG_DAYS (30)."""
    return deliveries_purge()


@shared_task(name="storefleet.webhooks.watch", acks_late=True, soft_time_limit=240, time_limit=300)
def watches_look_task() -> int:
    """Look at every watched SKU (beat, every WEBHOOK_WATCH_SECONDS): the events emitted."""
    return watches_look()
