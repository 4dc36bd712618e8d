"""Parsing quick-order lines and CSV files: every row gets a value or a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.ordering.quick_order import (
    CsvError,
    QuickOrderRefused,
    QuickRow,
    parse_csv,
    parse_lines,
    suggestion_query,
)


def test_lines_in_the_formats_buyers_paste():
    rows = parse_lines("BRG-1002 10\n\nFAS-1003;250\nfas-1005,2,5\nHYD-1001\t3\n")
    assert rows == [
        QuickRow(1, "BRG-1002", Decimal(10)),
        QuickRow(3, "FAS-1003", Decimal(250)),
        QuickRow(4, "fas-1005", Decimal("2.5")),
        QuickRow(5, "HYD-1001", Decimal(3)),
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("BRG-1002", "Add a quantity after the SKU."),
        ("BRG-1002 ten", "“ten” is not a quantity: write a number such as 10 or 2.5."),
        ("BRG-1002 0", "The quantity must be more than 0."),
        ("BRG-1002 -4", "The quantity must be more than 0."),
        ("BRG-1002 1.23456", "Use at most 4 decimals in a quantity (the smallest is 0.0001)."),
        ("BRG-1002 10 5", "“10 5” is not a quantity: write a number such as 10 or 2.5."),
        ("BRG-1002 NaN", "Enter the quantity as a number, such as 10 or 2.5."),
        ("BRG-1002 Infinity", "Enter the quantity as a number, such as 10 or 2.5."),
        ("BRG-1002 1e-20", "Use at most 4 decimals in a quantity (the smallest is 0.0001)."),
        (
            "BRG-1002 999999999999.9999",
            "You can order at most 1,000,000 in one line: enter a smaller quantity, or ask us "
            "for a quote.",
        ),
        (
            "BRG-1002 " + "9" * 41,
            "“99999999999999999999…” is not a quantity: write a number such as 10 or 2.5.",
        ),
        (
            "A" * 65 + " 5",
            "“AAAAAAAAAAAAAAAAAAAAAAAA…” is too long for a SKU (at most 64 characters): check "
            "the number, e.g. FAS-1001.",
        ),
        (";10", "The SKU is missing."),
    ],
)
def test_each_bad_line_says_what_is_wrong(line, error):
    [row] = parse_lines(line)
    assert (row.ok, row.error) == (False, error)


def test_csv_with_a_header_in_any_column_order_and_semicolons():
    data = "Menge;SKU;Comment\n10;BRG-1002;x\n;FAS-1003;\n2,5;FAS-1005;\n".encode("utf-8-sig")
    assert parse_csv(data) == [
        QuickRow(2, "BRG-1002", Decimal(10)),
        QuickRow(3, "FAS-1003", None, "Add a quantity after the SKU."),
        QuickRow(4, "FAS-1005", Decimal("2.5")),
    ]


def test_csv_without_a_header_uses_the_first_two_columns():
    assert parse_csv(b"BRG-1002,10\r\nFAS-1003,250\r\n") == [
        QuickRow(1, "BRG-1002", Decimal(10)),
        QuickRow(2, "FAS-1003", Decimal(250)),
    ]


def test_csv_in_latin_1_is_read():
    [row] = parse_csv("sku,quantity\nGRÜN-1,4\n".encode("latin-1"))
    assert (row.sku, row.quantity) == ("GRÜN-1", Decimal(4))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"sku,price\nBRG-1002,10\n", "The header row must name both"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "doesn't look like a CSV file"),
        (b"a,1\n" * 400_000, "larger than 1 MB"),
        (b"sku,quantity\r\n", "The file has only its header row: add one row per product"),
        (b"sku,quantity\n" + b"A" * 200_000 + b",1\n", "Row 2 has a cell far too long"),
        (bytes(range(256)) * 4, "That doesn't look like a CSV file"),
        (b"\xff\xfe\x00\xd8", "That doesn't look like a CSV file"),
    ],
)
def test_files_that_cannot_be_read_say_what_to_do(data, message):
    with pytest.raises(CsvError) as error:
        parse_csv(data)
    assert message in str(error.value)


def test_at_most_500_lines_or_nothing():
    assert len(parse_lines("\n".join(f"SKU-{n} 1" for n in range(500)))) == 500
    with pytest.raises(QuickOrderRefused) as refused:
        parse_lines("\n".join(f"SKU-{n} 1" for n in range(600)))
    assert str(refused.value) == (
        "You entered 600 lines; quick order takes at most 500 at a time: enter the first 500, "
        "then the rest."
    )


@pytest.mark.parametrize("ending", [b"\r", b"\n", b"\r\n"])
def test_csv_with_any_line_ending(ending):
    data = ending.join([b"sku,quantity", b"FAS-1001,2", b"BRG-1001,3"]) + ending
    assert parse_csv(data) == [
        QuickRow(2, "FAS-1001", Decimal(2)),
        QuickRow(3, "BRG-1001", Decimal(3)),
    ]


def test_csv_in_utf_16_from_a_spreadsheet_is_read():
    [row] = parse_csv("sku\tquantity\r\nFAS-1001\t4\r\n".encode("utf-16"))
    assert (row.sku, row.quantity) == ("FAS-1001", Decimal(4))


def test_csv_row_numbers_count_blank_rows():
    rows = parse_csv(b"sku,quantity\n\nFAS-1001,x\n")
    assert rows == [
        QuickRow(3, "FAS-1001", None, "“x” is not a quantity: write a number such as 10 or 2.5.")
    ]


def test_csv_over_500_rows_is_refused_whole():
    data = b"sku,quantity\n" + b"FAS-1001,1\n" * 501
    with pytest.raises(CsvError) as refused:
        parse_csv(data)
    assert str(refused.value) == (
        "The file has 501 rows; quick order takes at most 500 at a time: split it into files "
        "of at most 500 rows."
    )


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("  fas-10  ", "fas-10"),
        ("\x00FAS\x1b-1\u200b0\u202e", "FAS-10"),
        ("\uff26\uff21\uff33\uff0d\uff11", "FAS-1"),  # full width, as an IME types it
        ("Grün", "Grün"),
        ("A" * 64, "A" * 64),
    ],
)
def test_suggestion_queries_are_cleaned_before_they_reach_the_database(typed, query):
    assert suggestion_query(typed) == query


@pytest.mark.parametrize("typed", ["A" * 65, "x" * 70_000, "\u200b" * 10 + "B" * 65])
def test_a_suggestion_query_longer_than_a_sku_is_refused(typed):
    with pytest.raises(QuickOrderRefused) as refused:
        suggestion_query(typed)
    assert str(refused.value) == "Type at most 64 characters of a SKU or product name."
