"""The gateway's cached batches as compact records: what goes in comes out equal (values,
exponents, missing prices and stock, dates, the stale mark), the cache entry holds only plain
values, and a process decodes the same batch once."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from storefleet.erp import cache_records
from storefleet.erp.cache_records import (
    availabilities,
    packed,
    price_quotes,
    price_rows,
    stock_rows,
    unpacked,
)
from storefleet.erp.types import Availability, PriceQuote
from storefleet.money import Money, Quantity

from .conftest import q

QUOTES = [
    PriceQuote("BRG-1001", Decimal("2.0000"), Money(Decimal("27.2000"), "EUR"), "Unit", True),
    PriceQuote("FAS-1002", Decimal("50"), Money(Decimal("0.0375"), "EUR"), "Unit", True),
    PriceQuote("GONE-1", Decimal("1"), None, None, False),
    PriceQuote("BRG-1002", Decimal("10"), Money(Decimal("0"), "USD"), "Kilogram", True, True),
]
STOCK = [
    Availability("BRG-1001", "WH-EU", Decimal("2.0000"), Quantity(Decimal("0"), "Unit"), True,
                 datetime.date(2027, 1, 15)),
    Availability("FAS-1002", "WH-EU", Decimal("50"), Quantity(Decimal("276.5"), "Unit"), True,
                 None, stale=True),
    Availability("GONE-1", "WH-EU", Decimal("1"), None, False, None),
]  # fmt: skip


@pytest.fixture(autouse=True)
def nothing_remembered(monkeypatch):
    monkeypatch.setattr(cache_records, "_recent", {})
    monkeypatch.setattr(cache_records, "_recent_size", 0)


def test_records_come_back_equal_with_their_exponents():
    quotes = price_quotes(price_rows(QUOTES))
    assert quotes == QUOTES
    assert [str(quote.quantity) for quote in quotes] == ["2.0000", "50", "1", "10"]
    assert str(quotes[1].unit_price.amount) == "0.0375"  # type: ignore[union-attr]
    assert availabilities(stock_rows(STOCK)) == STOCK


def test_a_packed_batch_is_plain_text_and_decoded_once_per_process(monkeypatch):
    digest, text = packed(QUOTES, price_rows)
    assert isinstance(digest, str) and isinstance(text, str)
    monkeypatch.setattr(cache_records, "_recent", {})  # another process: nothing decoded yet
    monkeypatch.setattr(cache_records, "_recent_size", 0)
    decoded = []

    def decode(rows):  # type: ignore[no-untyped-def]
        decoded.append(len(rows))
        return price_quotes(rows)

    first = unpacked((digest, text), decode)
    again = unpacked((digest, text), decode)
    assert first == again == QUOTES
    assert decoded == [4]
    assert first is not again  # each reader has its own list


def test_the_writer_reads_its_own_batch_without_decoding():
    entry = packed(STOCK, stock_rows)

    def decode(rows):  # type: ignore[no-untyped-def]
        raise AssertionError("decoded again")

    assert unpacked(entry, decode) == STOCK


def test_the_oldest_batches_are_forgotten_first(monkeypatch):
    monkeypatch.setattr(cache_records, "RECENT_RECORDS", 6)
    first = packed(QUOTES, price_rows)  # 4 records
    second = packed(STOCK, stock_rows)  # 3 more: the first is forgotten
    assert list(cache_records._recent) == [second[0]]
    assert cache_records._recent_size == 3
    assert unpacked(first, price_quotes) == QUOTES  # decoded again, from the text
    assert list(cache_records._recent) == [first[0]]


@pytest.mark.django_db
def test_the_cached_batch_holds_no_pickled_records(gateway):
    from django.core.cache import cache

    from storefleet.erp.gateway import _batch_key

    lines = [q("BRG-1002", 1), q("FAS-1002", 50)]
    quotes = gateway.prices(store="ferrum", customer="C-1001", lines=lines)
    _generation, _oldest, (digest, text) = cache.get(_batch_key("price", "ferrum", "C-1001", lines))
    assert isinstance(digest, str)
    assert price_quotes(json.loads(text)) == quotes
