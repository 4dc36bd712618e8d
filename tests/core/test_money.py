"""Money as people read it: the currency's digits, the language's notation, and unit prices
at the ERP's precision per 1, 100 or 1,000 units (``storefleet.money``)."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from babel.dates import format_date, format_skeleton
from django.template import Context, Template
from django.utils import timezone, translation

from storefleet.dates import format_day, format_day_time, format_month_day
from storefleet.money import (
    format_money,
    format_number,
    format_unit_price,
    round_to_currency,
    unit_price_basis,
)

NBSP = "\xa0"
NNBSP = "\u202f"  # CLDR's French group separator


@pytest.mark.parametrize(
    ("language", "amount", "currency", "text"),
    [
        ("de", "1234.56", "EUR", f"1.234,56{NBSP}€"),
        ("en", "1234.56", "USD", "$1,234.56"),
        ("en", "137.2272", "EUR", "€137.23"),  # an amount is shown in the currency's digits
        ("de", "0.125", "EUR", f"0,12{NBSP}€"),  # half to even, as the ERP rounds
        ("en", "1000.4", "JPY", "¥1,000"),  # a currency without decimals
        # CLDR: French groups with a narrow no-break space, Japanese writes the full-width yen.
        ("fr", "1234.5", "EUR", f"1{NNBSP}234,50{NBSP}€"),
        ("fr", "1234.5", "USD", f"1{NNBSP}234,50{NBSP}$US"),
        ("ja", "1234.5", "EUR", "€1,234.50"),
        ("ja", "1234.6", "JPY", "￥1,235"),
    ],
)
def test_amounts_in_the_currencys_digits_and_the_languages_notation(
    language, amount, currency, text
):
    with translation.override(language):
        assert format_money(Decimal(amount), currency) == text


def test_no_amount_is_no_text():
    assert format_money(None, "EUR") == ""
    assert format_unit_price(None, "EUR", "Unit") == ""


@pytest.mark.parametrize(
    ("amount", "amount_shown", "per"),
    [
        ("27.20", "27.20", 1),  # fits the cents: per unit
        ("4.048", "404.80", 100),  # a tenth of a cent: per 100
        ("137.2272", "137.23", 1),  # a pump: per unit, in cents, never "per 100 pumps"
        ("9.9995", "999.95", 100),  # below 10 a fraction of a cent is a share of the price
        ("0.00125", "1.25", 1000),
        ("0.00012", "0.12", 1000),  # finer still: per 1000, rounded (never per unit, wrong)
    ],
)
def test_a_low_unit_price_is_shown_per_as_many_units_as_keep_it_exact(amount, amount_shown, per):
    basis = unit_price_basis(Decimal(amount), "EUR")
    assert (basis.amount, basis.per) == (Decimal(amount_shown), per)


def test_unit_prices_are_labelled_with_their_basis_and_unit():
    # The ERP's unit names are said in the store's language ("Unit" is "Stück" in German).
    with translation.override("de"):
        assert format_unit_price(Decimal("4.048"), "EUR", "Unit") == f"404,80{NBSP}€ / 100 Stück"
        assert format_unit_price(Decimal("0.00125"), "EUR", "Unit") == (
            f"1,25{NBSP}€ / 1.000 Stück"
        )
    with translation.override("en"):
        assert format_unit_price(Decimal("27.2"), "USD", "Unit") == "$27.20 / Unit"


def test_quantities_lose_trailing_zeros_and_group_by_language():
    with translation.override("de"):
        assert format_number(Decimal("1250.0000")) == "1.250"
        assert format_number(Decimal("0.5000")) == "0,5"
    with translation.override("en"):
        assert format_number(Decimal("1250.0000")) == "1,250"


def test_round_to_currency_rounds_half_to_even():
    assert round_to_currency(Decimal("0.125"), "EUR") == Decimal("0.12")
    assert round_to_currency(Decimal("0.135"), "EUR") == Decimal("0.14")


def test_the_template_tags_use_the_same_formatting():
    template = Template(
        "{% load catalog_tags %}{{ total|money:'EUR' }}|{% unit_price price 'EUR' 'Unit' %}|"
        "{{ quantity|qty }}"
    )
    context = Context(
        {"total": Decimal("1234.5"), "price": Decimal("4.048"), "quantity": Decimal("6.000")}
    )
    with translation.override("de"):
        assert template.render(context) == f"1.234,50{NBSP}€|404,80{NBSP}€ / 100 Stück|6"
    with translation.override("en"):
        assert template.render(context) == "€1,234.50|€404.80 / 100 Unit|6"

    with translation.override("fr"):
        assert template.render(context) == f"1{NNBSP}234,50{NBSP}€|404,80{NBSP}€ / 100 Unité|6"
    with translation.override("ja"):
        yen = Template("{% load catalog_tags %}{{ total|money:'JPY' }}|{{ total|money:'EUR' }}")
        assert yen.render(context) == "￥1,234|€1,234.50"  # half to even, as the ERP rounds


def test_quantities_in_french_and_japanese():
    with translation.override("fr"):
        assert format_number(Decimal("1250.5000")) == f"1{NNBSP}250,5"
    with translation.override("ja"):
        assert format_number(Decimal("1250.5000")) == "1,250.5"


DAY = datetime.date(2026, 12, 6)
MOMENT = datetime.datetime(2026, 12, 6, 13, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "day", "day_time", "month_day"),
    [
        ("en", "6 Dec 2026", "6 Dec 2026, 14:05", "6 Dec"),  # the storefront's compact day
        ("de", "6 Dez 2026", "6 Dez 2026, 14:05", "6 Dez"),
        ("fr", "6 décembre 2026", "6 décembre 2026, 14:05", "6 décembre"),
        ("ja", "2026年12月6日", "2026年12月6日 14:05", "12月6日"),
    ],
)
def test_dates_in_the_languages_notation(language, day, day_time, month_day):
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        assert format_day(DAY) == day
        assert format_day(MOMENT) == day  # a moment's day in the active zone
        assert format_day_time(MOMENT) == day_time
        assert format_day_time(MOMENT, zone=True) == f"{day_time} CET"
        assert format_month_day(DAY) == month_day
        assert format_day(None) == format_day_time(None) == format_month_day(None) == ""
        template = Template(
            "{% load catalog_tags %}{{ day|day }}|{{ moment|day_time }}|{{ day|month_day }}|"
            "{{ none|day|default:'—' }}"
        )
        rendered = template.render(Context({"day": DAY, "moment": MOMENT, "none": None}))
        assert rendered == f"{day}|{day_time}|{month_day}|—"


@pytest.mark.parametrize("language", ["fr", "ja"])
def test_french_and_japanese_dates_are_cldrs(language):
    """Where the storefront does not keep its compact day, it writes CLDR's long date."""
    with translation.override(language):
        assert format_day(DAY) == format_date(DAY, "long", locale=language)
        skeleton = "MMMMd" if language == "fr" else "MMMd"
        assert format_month_day(DAY) == format_skeleton(skeleton, DAY, locale=language)
