"""Dates as peers.yaml writes them: calendar checks, the period a date can mean, decimal years."""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["calendar_date", "decimal_year", "ends_before", "period", "with_month"]

_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$", re.ASCII)


def calendar_date(text: str) -> str:
    """``text`` if it is a real calendar date written YYYY, YYYY-MM or YYYY-MM-DD in the digits
    0-9 (no month 13, no 31 June, no spaces or signs) between 1990 and 2100, else a ValueError
    saying so.

    >>> calendar_date("2024-02-29")
    '2024-02-29'
    >>> calendar_date("2099-99-99")
    Traceback (most recent call last):
    ...
    ValueError: '2099-99-99' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD
    """
    match = _DATE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        dt.date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date: write YYYY, YYYY-MM or "
                         "YYYY-MM-DD") from None
    if not 1990 <= int(match[1]) <= 2100:
        raise ValueError(f"{text!r} is outside 1990-2100")
    return text


def with_month(text: str) -> str:
    """``text`` if it is a calendar date that names its month (YYYY-MM or YYYY-MM-DD)."""
    if len(text.split("-")) < 2:
        raise ValueError(f"{text!r} needs a month: write YYYY-MM (a promise 'in {text}' "
                         f"falls due in {text}-12)")
    return text


def decimal_year(date: str) -> float:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date as a year with a fraction.

    A year stands for its middle and a month for its middle, so an undated
    snapshot is drawn half-way through its year, not on 1 January.

    >>> decimal_year("2026")
    2026.5
    >>> round(decimal_year("2024-09-02"), 3)
    2024.669
    """
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return parts[0] + 0.5
    if len(parts) == 2:
        return parts[0] + (parts[1] - 0.5) / 12
    day = dt.date(*parts)
    start = dt.date(parts[0], 1, 1)
    length = (dt.date(parts[0] + 1, 1, 1) - start).days
    return parts[0] + (day - start).days / length


def period(date: str) -> tuple[dt.date, dt.date]:
    """The first and last day a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date can mean."""
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)


def ends_before(later: str, earlier: str) -> bool:
    """Whether every day ``later`` can mean comes before every day ``earlier`` can mean.

    Dates of mixed precision compare as periods: "2024-10" is not before
    "2024-10-23" (the promise "by the end of this month" made that day).

    >>> ends_before("2024-10", "2024-10-23"), ends_before("2024-09", "2024-10-23")
    (False, True)
    """
    return period(later)[1] < period(earlier)[0]
