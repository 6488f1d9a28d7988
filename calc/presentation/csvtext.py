"""CSV text as capcalc writes it: one writer, and no cell a spreadsheet would run.

A spreadsheet opening a CSV file runs a cell that begins with ``=``, ``+``, ``-``
or ``@`` as a formula (``=HYPERLINK(…)`` becomes a live link, ``=cmd|…`` a
command in some programs). Sources, notes and names come from files anyone can
write, so every text cell that begins so (after leading spaces) is written with a
``'`` before it, the OWASP rule for CSV injection: spreadsheets then show it as
text. A cell that is a plain number (``-5``, ``+1e3``) is left as it is, and
control characters are escaped as on a terminal. JSON output and
``datapackage.json`` keep the original text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from calc.core.errors import clean_text

__all__ = ["FORMULA_STARTS", "csv_cell", "csv_text"]

#: What a cell begins with that a spreadsheet reads as a formula (OWASP's list; a tab
#: and a carriage return are escaped as control characters before the check).
FORMULA_STARTS = ("=", "+", "-", "@")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell: floats at full precision, text made safe to open.

    Examples
    --------
    >>> csv_cell('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    >>> csv_cell("-5"), csv_cell(-5.0), csv_cell("H100"), csv_cell("line\\nbreak")
    ('-5', '-5.0', 'H100', 'line\\\\nbreak')
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if text.lstrip(" ").startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """CSV text of ``rows`` (the first is the header), every cell through :func:`csv_cell`.

    >>> print(csv_text([["name", "value [MW]"], ["@SUM(A1)", 1.5]]), end="")
    name,value [MW]
    '@SUM(A1),1.5
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()
