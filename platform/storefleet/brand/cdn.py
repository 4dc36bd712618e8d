"""CloudFront for the storefront: when a store's pages or media change, the paths its
distribution may have cached are invalidated — batched per store and transaction, sent by a
Celery task (``storefleet.brand.cdn_invalidate``) once the change is committed.

Which distribution serves a store comes from ``STOREFLEET_CDN_DISTRIBUTIONS`` (slug → id, the
``distributionId`` output the pulumi driver records) or, failing that, from CloudFront itself:
the distribution whose aliases include the store's hostname (remembered for an hour)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import boto3
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from storefleet.tenants.selectors import store_for_site

logger = logging.getLogger("storefleet.brand.cdn")

# CloudFront allows 15 wildcard paths in progress per distribution; past a handful of paths one
# "/*" is cheaper (billed as one path) and as good.
MAX_PATHS = 10
EVERYTHING = "/*"


@dataclass(frozen=True)
class Invalidation:
    slug: str
    distribution_id: str
    paths: tuple[str, ...]
    caller_reference: str
    invalidation_id: str


def cloudfront_client() -> Any:
    return boto3.client(
        "cloudfront", endpoint_url=getattr(settings, "STOREFLEET_AWS_ENDPOINT_URL", None) or None
    )


def distribution_for(slug: str, hostname: str) -> str | None:
    configured = getattr(settings, "STOREFLEET_CDN_DISTRIBUTIONS", {}) or {}
    if slug in configured:
        return str(configured[slug])
    key = f"cdn:distribution:{hostname}"
    found = cache.get(key)
    if found is None:
        found = ""
        pages = cloudfront_client().get_paginator("list_distributions").paginate()
        for page in pages:
            for item in page.get("DistributionList", {}).get("Items", []):
                if hostname in item.get("Aliases", {}).get("Items", []):
                    found = item["Id"]
        cache.set(key, found, timeout=3600)
    return found or None


def batch_paths(paths: Iterable[str]) -> tuple[str, ...]:
    unique = sorted({p if p.startswith("/") else f"/{p}" for p in paths})
    if EVERYTHING in unique or len(unique) > MAX_PATHS:
        return (EVERYTHING,)
    return tuple(unique)


def store_cdn_invalidate(
    *, slug: str, hostname: str, paths: Iterable[str], batch_id: str
) -> Invalidation | None:
    """Invalidate ``paths`` on the distribution of the store ``slug`` on ``hostname`` (given,
    not looked up: no database needed). ``batch_id`` makes the request's CallerReference: a task
    delivered twice sends the same one, and CloudFront answers with the invalidation it already
    has instead of making a second."""
    distribution_id = distribution_for(slug, hostname.lower())
    if distribution_id is None:
        logger.warning("cdn: no CloudFront distribution serves %s; skipped", hostname)
        return None
    batch = batch_paths(paths)
    reference = f"storefleet-{slug}-{batch_id}"
    response = cloudfront_client().create_invalidation(
        DistributionId=distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": len(batch), "Items": list(batch)},
            "CallerReference": reference,
        },
    )
    invalidation = Invalidation(
        slug=slug,
        distribution_id=distribution_id,
        paths=batch,
        caller_reference=reference,
        invalidation_id=response["Invalidation"]["Id"],
    )
    logger.info("cdn: %s", invalidation)
    return invalidation


# -- collecting changes until the transaction commits -------------------------------------------
_pending = threading.local()


def _flush() -> None:
    from .tasks import cdn_invalidate

    batches: dict[tuple[str, str], set[str]] = getattr(_pending, "paths", {})
    _pending.paths = {}
    for (slug, hostname), paths in sorted(batches.items()):
        # One id per batch, fixed now: retries and redeliveries reuse it (idempotent).
        cdn_invalidate.delay(slug, hostname, sorted(paths), uuid.uuid4().hex)


def cdn_paths_changed(*, site_id: int, paths: Iterable[str]) -> None:
    """Note that ``paths`` of the store on ``site_id`` changed; one task per store is sent when
    the transaction commits (at once outside one). Off unless ``STOREFLEET_CDN_INVALIDATION``."""
    if not getattr(settings, "STOREFLEET_CDN_INVALIDATION", False):
        return
    store = store_for_site(site_id)
    if store is None:
        return
    batches: dict[tuple[str, str], set[str]] | None = getattr(_pending, "paths", None)
    if batches is None:
        batches = _pending.paths = {}
    batches.setdefault((store.slug, store.site.hostname.lower()), set()).update(paths)
    # Registered on every call, not only the first: after a rollback the first registration
    # is gone with its transaction, and paths noted then must not wait forever. The first
    # flush of a commit drains everything; later ones find nothing. Paths from a rolled-back
    # transaction go out with the next commit — a harmless extra invalidation.
    transaction.on_commit(_flush)


def page_paths(*, url_path: str, root_url_path: str) -> tuple[str, ...]:
    """The page and everything under it, and the home page (teasers and navigation)."""
    relative = "/" + url_path.removeprefix(root_url_path).lstrip("/")
    return tuple(sorted({"/", relative + "*" if relative != "/" else "/*"}))


def media_paths(*, file_url: str, is_image: bool) -> tuple[str, ...]:
    """The file as served, and for an image its renditions (``images/<stem>.<filter>.<ext>``)."""
    path = urlparse(file_url).path
    paths = {path}
    if is_image and "/original_images/" in path:
        stem = path.replace("/original_images/", "/images/").rsplit(".", 1)[0]
        paths.add(f"{stem}.*")
    return tuple(sorted(paths))
