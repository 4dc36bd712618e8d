"""Mirror the ERP's master data (products, customers with addresses) and the customers' sales
into the platform.

Incremental by the ERP's write date, in bounded batches; each batch is upserted and the cursor
moved on in one transaction, so a sync stopped anywhere (worker killed, ERP down) resumes
after the last batch it committed and never applies a batch twice in a way that matters
(upserts are idempotent)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from storefleet.accounts.services import companies_upsert
from storefleet.catalog.services import products_upsert
from storefleet.ordering.sales_mirror import sale_records_upsert

from .gateway import get_gateway
from .models import SyncState
from .types import SyncCursor

logger = logging.getLogger("storefleet.erp")

LOCK_SECONDS = 15 * 60


@dataclass(frozen=True)
class SyncReport:
    name: str
    records: int
    batches: int
    seconds: float
    skipped: bool = False  # another sync of the same kind was running


class _Kind:
    def __init__(
        self,
        name: str,
        fetch: Callable[[SyncCursor, int | None], Any],
        upsert: Callable[..., int],
    ) -> None:
        self.name, self.fetch, self.upsert = name, fetch, upsert


def _kinds() -> dict[str, _Kind]:
    gateway = get_gateway()
    return {
        "products": _Kind(
            "products",
            lambda cursor, limit: gateway.products_changed_since(cursor=cursor, limit=limit),
            lambda records: products_upsert(records=records),
        ),
        "customers": _Kind(
            "customers",
            lambda cursor, limit: gateway.customers_changed_since(cursor=cursor, limit=limit),
            lambda records: companies_upsert(records=records),
        ),
        # The customers' sales for their "My orders" pages (storefleet.ordering's mirror).
        "sales": _Kind(
            "sales",
            lambda cursor, limit: gateway.sales_changed_since(cursor=cursor, limit=limit),
            lambda records: sale_records_upsert(records=records),
        ),
    }


def erp_sync(
    *, name: str, full: bool = False, batch_size: int | None = None, max_batches: int | None = None
) -> SyncReport:
    """Run one incremental (or, with ``full``, complete) sync of ``products``, ``customers`` or
    ``sales``.

    Only one sync of a kind runs at a time across all workers (a cache lock); a second one
    returns at once with ``skipped=True``."""
    kind = _kinds()[name]
    lock = f"erp:sync:lock:{name}"
    if not cache.add(lock, "1", LOCK_SECONDS):
        return SyncReport(name=name, records=0, batches=0, seconds=0.0, skipped=True)
    started = time.perf_counter()
    state, _ = SyncState.objects.get_or_create(name=name)
    state.last_started_at = timezone.now()
    state.save(update_fields=["last_started_at"])
    cursor = SyncCursor() if full else SyncCursor(state.cursor_write_date, state.cursor_erp_id)
    records = batches = 0
    try:
        while max_batches is None or batches < max_batches:
            batch = kind.fetch(cursor, batch_size)
            with transaction.atomic():
                records += kind.upsert(batch.records)
                cursor = batch.next_cursor
                SyncState.objects.filter(pk=state.pk).update(
                    cursor_write_date=cursor.write_date, cursor_erp_id=cursor.erp_id
                )
            batches += 1
            if batch.complete:
                break
    except Exception as error:
        SyncState.objects.filter(pk=state.pk).update(last_error=f"{type(error).__name__}: {error}")
        logger.warning("erp.sync failed", extra={"sync": name, "records": records})
        raise
    finally:
        cache.delete(lock)
    seconds = time.perf_counter() - started
    SyncState.objects.filter(pk=state.pk).update(
        last_finished_at=timezone.now(), last_count=records, last_error=""
    )
    logger.info(
        "erp.sync done",
        extra={"sync": name, "records": records, "batches": batches, "ms": round(seconds * 1000)},
    )
    return SyncReport(name=name, records=records, batches=batches, seconds=seconds)


def erp_sync_all(
    *, full: bool = False, names: Sequence[str] = ("products", "customers")
) -> list[SyncReport]:
    return [erp_sync(name=name, full=full) for name in names]
