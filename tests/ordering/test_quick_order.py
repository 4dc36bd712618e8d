"""Parsing quick-order lines and CSV files: every row gets a value or a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storefleet.ordering.quick_order import CsvError, QuickRow, parse_csv, parse_lines


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
        ("BRG-1002 1.23456", "Use at most 4 decimals in a quantity."),
        ("BRG-1002 10 5", "“10 5” is not a quantity: write a number such as 10 or 2.5."),
        ("BRG-1002 NaN", "The quantity must be more than 0."),
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
    ],
)
def test_files_that_cannot_be_read_say_what_to_do(data, message):
    with pytest.raises(CsvError) as error:
        parse_csv(data)
    assert message in str(error.value)


def test_at_most_500_rows():
    rows = parse_lines("\n".join(f"SKU-{n} 1" for n in range(600)))
    assert len(rows) == 501 and rows[-1].error == "Only 500 lines at a time."
