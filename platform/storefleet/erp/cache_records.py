"""The gateway's cached batches of prices and stock as compact records: one tuple of plain
values (strings, booleans, day numbers) per line instead of pickled dataclasses, kept as one
JSON text named by its digest.

Unpickling a dataclass with ``slots`` runs a Python ``__setstate__`` per object, and a quote is
two objects (the quote and its ``Money``): a warm 100-product API read of prices, volume breaks
and stock unpickled about 1,400 of them per request (tests/bench/api_prices.py). Tuples of
strings parse in C, and building the records from them again is a plain constructor call.
Decimals travel as their ``str``, which gives back the same value and exponent ("2.0000" stays
"2.0000").

A process also keeps the records of the batches it wrote or read last, by the digest of their
text: the same text read again (the same page, the same API read, until the batch is written
anew) is not parsed again, and every reader gets the same frozen records. The cache entry
still decides what is current (generations, age): the digest only names the text."""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from storefleet.money import Money, Quantity

from .types import Availability, PriceQuote

R = TypeVar("R")
# A batch as the cache keeps it: the digest of the text, and the rows as JSON.
Packed = tuple[str, str]
# How many records (quotes, stock lines) of recent batches a process keeps decoded: some
# thirty 100-product API reads with their volume breaks, or a hundred catalog pages; about
# ten megabytes at most.
RECENT_RECORDS = 20_000

# sku, quantity, amount, currency, unit, known, stale (amount and currency "" without a price)
PriceRow = tuple[str, str, str, str, str | None, bool, bool]
# sku, warehouse, requested, available now, its unit, known, available from (an ordinal day,
# 0: none), stale (available now and its unit "" when the ERP does not know the SKU)
StockRow = tuple[str, str, str, str, str, bool, int, bool]


def price_rows(quotes: Iterable[PriceQuote]) -> tuple[PriceRow, ...]:
    return tuple(
        (
            q.sku,
            str(q.quantity),
            "" if q.unit_price is None else str(q.unit_price.amount),
            "" if q.unit_price is None else q.unit_price.currency,
            q.unit,
            q.known,
            q.stale,
        )
        for q in quotes
    )


def price_quotes(rows: Sequence[PriceRow]) -> list[PriceQuote]:
    return [
        PriceQuote(
            sku,
            Decimal(quantity),
            Money(Decimal(amount), currency) if amount else None,
            unit,
            known,
            stale,
        )
        for sku, quantity, amount, currency, unit, known, stale in rows
    ]


def stock_rows(answers: Iterable[Availability]) -> tuple[StockRow, ...]:
    return tuple(
        (
            a.sku,
            a.warehouse,
            str(a.requested),
            "" if a.available_now is None else str(a.available_now.value),
            "" if a.available_now is None else a.available_now.unit,
            a.known,
            0 if a.available_from is None else a.available_from.toordinal(),
            a.stale,
        )
        for a in answers
    )


def availabilities(rows: Sequence[StockRow]) -> list[Availability]:
    fromordinal = datetime.date.fromordinal
    return [
        Availability(
            sku,
            warehouse,
            Decimal(requested),
            Quantity(Decimal(now), unit) if now else None,
            known,
            fromordinal(day) if day else None,
            stale,
        )
        for sku, warehouse, requested, now, unit, known, day, stale in rows
    ]


_recent: dict[str, tuple[Any, ...]] = {}
_recent_size = 0
_recent_lock = threading.Lock()


def _remember(digest: str, records: tuple[Any, ...]) -> None:
    global _recent_size
    with _recent_lock:
        if digest in _recent:
            return
        while _recent and _recent_size + len(records) > RECENT_RECORDS:
            _recent_size -= len(_recent.pop(next(iter(_recent))))  # the oldest first
        _recent[digest] = records
        _recent_size += len(records)


def packed(records: Sequence[R], rows: Callable[[Sequence[R]], tuple[Any, ...]]) -> Packed:
    """``records`` as a batch entry keeps them (remembered here too: the writer reads next)."""
    text = json.dumps(rows(records), separators=(",", ":"))
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    _remember(digest, tuple(records))
    return digest, text


def unpacked(entry: Packed, decode: Callable[[Any], list[R]]) -> list[R]:
    """The records of a batch entry: the ones this process decoded from the same bytes, or
    decoded now."""
    digest, text = entry
    records = _recent.get(digest)
    if records is None:
        records = tuple(decode(json.loads(text)))
        _remember(digest, records)
    return list(records)
