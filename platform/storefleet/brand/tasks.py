"""Celery tasks of the brand app."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task

from .cdn import store_cdn_invalidate


@shared_task(
    name="storefleet.brand.cdn_invalidate",
    acks_late=True,
    autoretry_for=(BotoCoreError, ClientError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=30,
    time_limit=60,
)
def cdn_invalidate(slug: str, hostname: str, paths: list[str], batch_id: str) -> str | None:
    """Invalidate ``paths`` of store ``slug`` (on ``hostname``) on its CloudFront distribution;
    idempotent per ``batch_id`` (CloudFront's CallerReference): a redelivery does no harm."""
    invalidation = store_cdn_invalidate(
        slug=slug, hostname=hostname, paths=paths, batch_id=batch_id
    )
    return invalidation.invalidation_id if invalidation else None
