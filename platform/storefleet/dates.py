"""Dates as a buyer reads them: the storefront's one format for a day, a moment and a day of
the month, in the active language (the store's, ``tenants.locale.store_locale``).

English, German and Spanish keep the storefront's compact "6 Dec 2026". A three-letter month
is no French ("Déc" is Django's title-cased abbreviation) and no Japanese ("6 12月 2026"), so
those languages get CLDR's own order and month names: ``6 décembre 2026``, ``2026年12月6日``
(babel's long date format; tests/core/test_money.py holds them to it). Django's named formats
(SHORT_DATE_FORMAT) are not used for this: Wagtail's exports and forms read them too."""

from __future__ import annotations

import datetime

from django.utils import dateformat, timezone
from django.utils.translation import get_language

# Django date format strings per language; a language not listed uses "".
DAY = {"": "j M Y", "fr": "j F Y", "ja": "Y年n月j日"}
DAY_TIME = {"": "j M Y, H:i", "fr": "j F Y, H:i", "ja": "Y年n月j日 H:i"}
MONTH_DAY = {"": "j M", "fr": "j F", "ja": "n月j日"}


def _pattern(patterns: dict[str, str]) -> str:
    language = (get_language() or "").split("-")[0]
    return patterns.get(language, patterns[""])


def _local(value: datetime.date) -> datetime.date:
    """A moment in the active zone (a calendar day stays as it is)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_day(value: datetime.date | None) -> str:
    """A calendar day, or a moment's day in the active zone: ``6 Dec 2026``; "" for none."""
    return dateformat.format(_local(value), _pattern(DAY)) if value else ""


def format_day_time(value: datetime.datetime | None, *, zone: bool = False) -> str:
    """A moment in the active zone: ``6 Dec 2026, 14:05`` (``… 14:05 CET`` with ``zone``)."""
    if not value:
        return ""
    pattern = _pattern(DAY_TIME) + (" T" if zone else "")
    return dateformat.format(_local(value), pattern)


def format_month_day(value: datetime.date | None) -> str:
    """A day this year or next (stock arriving): ``6 Dec``; "" for none."""
    return dateformat.format(_local(value), _pattern(MONTH_DAY)) if value else ""
