"""Calendar months as integers: ``YYYY-MM`` ↔ months since year 0, and the default horizon."""

from __future__ import annotations

import re

from calc.core.constants import MONTHS_PER_YEAR
from calc.core.errors import CapcalcError

__all__ = ["DEFAULT_UNTIL", "month_index", "month_label"]

#: The horizon timelines run to unless asked otherwise.
DEFAULT_UNTIL = "2030-12"

_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def month_index(text: str, *, key: str | None = None) -> int:
    """Months since year 0 of a ``YYYY-MM`` date (``YYYY-MM-DD`` and ``YYYY`` read as their month).

    Examples
    --------
    >>> month_index("2024-10") - month_index("2024-01")
    9
    >>> month_label(month_index("2026-07"))
    '2026-07'
    """
    match = _MONTH.match(str(text).strip())
    month = int(match.group(2) or 1) if match else 0
    if not match or not 1 <= month <= 12:
        raise CapcalcError(f"{str(text)[:40]!r} is not a month; write YYYY-MM (e.g. 2027-12)",
                           key=key)
    return int(match.group(1)) * MONTHS_PER_YEAR + month - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` of a month index (the inverse of :func:`month_index`).

    >>> month_label(2024 * 12 + 9)
    '2024-10'
    """
    year, month = divmod(int(index), MONTHS_PER_YEAR)
    return f"{year:04d}-{month + 1:02d}"
