"""Calendar months as integers: ``YYYY-MM`` ↔ months since year 0, and the default horizon."""

from __future__ import annotations

import re

from calc.core.constants import MONTHS_PER_YEAR
from calc.core.errors import CapcalcError, clean_text

__all__ = ["DEFAULT_UNTIL", "month_index", "month_label"]

#: The horizon timelines run to unless asked otherwise.
DEFAULT_UNTIL = "2030-12"

#: A calendar month exactly as capcalc writes one: four ASCII digits, a hyphen, two more.
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$", re.ASCII)


def month_index(text: str, *, key: str | None = None) -> int:
    """Months since year 0 of a calendar month written ``YYYY-MM``, and nothing else.

    A year alone, a day, spaces, signs or other digits than 0-9 are refused, so
    ``2030`` is not silently January 2030 nor ``2025-+6`` June 2025.

    Examples
    --------
    >>> month_index("2024-10") - month_index("2024-01")
    9
    >>> month_label(month_index("2026-07"))
    '2026-07'
    >>> month_index("2024- 9")
    Traceback (most recent call last):
    ...
    calc.core.errors.CapcalcError: '2024- 9' is not a month; write YYYY-MM (e.g. 2027-12)
    """
    match = _MONTH.fullmatch(str(text))
    month = int(match.group(2)) if match else 0
    if not match or not 1 <= month <= 12:
        raise CapcalcError(f"{clean_text(str(text), limit=40)!r} is not a month; write YYYY-MM "
                           "(e.g. 2027-12)", key=key)
    return int(match.group(1)) * MONTHS_PER_YEAR + month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` of a month index (the inverse of :func:`month_index`).

    >>> month_label(2024 * 12 + 9)
    '2024-10'
    """
    year, month = divmod(int(index), MONTHS_PER_YEAR)
    return f"{year:04d}-{month + 1:02d}"
