"""Dates, numbers and percentages written the way the current language writes them (Babel, CLDR data)."""

from __future__ import annotations

import datetime as dt

from babel import dates, numbers

from consult import i18n


def format_date(value: dt.date | dt.datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_date(value, format=format, locale=i18n.current().locale)


def format_datetime(value: dt.datetime | None, format: str = "medium", tzinfo: str | None = None) -> str:
    if value is None:
        return ""
    return dates.format_datetime(value, format=format, tzinfo=tzinfo, locale=i18n.current().locale)


def format_number(value: float | int | None, decimals: int | None = None) -> str:
    if value is None:
        return ""
    if decimals is None:
        return numbers.format_decimal(value, locale=i18n.current().locale)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return numbers.format_decimal(value, format=pattern, locale=i18n.current().locale)


def format_percent(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return ""
    locale = i18n.current().locale
    # The locale's own pattern ("#,##0 %" in French, "#,##0%" in English), with the decimals asked for.
    pattern = locale.percent_formats[None].pattern
    if decimals:
        pattern = _with_decimals(locale.percent_formats[None].pattern, decimals)
    return numbers.format_percent(value, format=pattern, locale=locale)


def _with_decimals(pattern: str, decimals: int) -> str:
    """Add ``decimals`` zeros after the last integer digit of a number pattern."""
    last = pattern.rfind("0")
    return pattern[: last + 1] + "." + "0" * decimals + pattern[last + 1 :]
