"""Mirror what the ERP holds (products, customers with addresses, the customers' sales) into the
platform.

The app that owns a mirror registers its kind here, in its ``AppConfig.ready``: which gateway
read brings the changed records and which of its services writes them (catalog: ``products``,
accounts: ``customers``, ordering: ``sales``). The sync itself never imports those apps.

Incremental by the ERP's write date, in bounded batches; each batch is upserted and the cursor
moved on in one transaction, so a sync stopped anywhere (worker killed, ERP down) resumes
after the last batch it committed and never applies a batch twice in a way that matters
(upserts are idempotent)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .gateway import ErpGateway, get_gateway
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


class SyncBatch(Protocol):
    """What a ``…_changed_since`` read of the gateway answers (``ProductBatch`` and its kin)."""

    @property
    def records(self) -> Sequence[Any]: ...

    @property
    def next_cursor(self) -> SyncCursor: ...

    @property
    def complete(self) -> bool: ...


class SyncFetch(Protocol):
    """A gateway read of the records changed after ``cursor``, at most ``limit`` (or the
    configured batch size): ``ErpGateway.products_changed_since`` and its kin."""

    def __call__(
        self, gateway: ErpGateway, /, *, cursor: SyncCursor, limit: int | None
    ) -> SyncBatch: ...


class SyncUpsert(Protocol):
    """Writes a batch of records (idempotently: a batch may be applied again after a crash)
    and says how many it wrote."""

    def __call__(self, *, records: Sequence[Any]) -> int: ...


@dataclass(frozen=True, slots=True)
class SyncKind:
    name: str
    fetch: SyncFetch
    upsert: SyncUpsert


_kinds: dict[str, SyncKind] = {}


def register(
    name: str,
    *,
    fetch: SyncFetch,
    upsert: SyncUpsert,
) -> None:
    """Register the sync kind ``name`` (in the owning app's ``AppConfig.ready``); registering
    the same functions again is a no-op, other ones an error."""
    known = _kinds.get(name)
    if known is not None and (known.fetch, known.upsert) != (fetch, upsert):
        raise ValueError(f"ERP sync kind {name!r} is registered already, by {known.upsert!r}")
    _kinds[name] = SyncKind(name, fetch, upsert)


def sync_kind(name: str) -> SyncKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(
            f"no ERP sync registered as {name!r}: the app that owns it must register one in "
            f"its AppConfig.ready (known: {', '.join(sorted(_kinds)) or 'none'})"
        ) from None


def sync_kinds() -> tuple[SyncKind, ...]:
    return tuple(_kinds.values())


def erp_sync(
    *, name: str, full: bool = False, batch_size: int | None = None, max_batches: int | None = None
) -> SyncReport:
    """Run one incremental (or, with ``full``, complete) sync of a registered kind
    (``products``, ``customers``, ``sales``).

    Only one sync of a kind runs at a time across all workers (a cache lock); a second one
    returns at once with ``skipped=True``."""
    kind = sync_kind(name)
    gateway = get_gateway()
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
            batch = kind.fetch(gateway, cursor=cursor, limit=batch_size)
            with transaction.atomic():
                records += kind.upsert(records=batch.records)
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
