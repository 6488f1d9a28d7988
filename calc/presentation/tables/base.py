"""A chart's data as a small column table that knows its units; its CSV; its provenance line.

Every chart declaration (:mod:`calc.presentation.charts`) draws from one of these
tables and saves it as its CSV, so a chart and its data cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from calc.core.version import __version__
from calc.presentation.csvtext import csv_text

__all__ = ["Table", "provenance"]


@dataclass(frozen=True)
class Table:
    """Columns of equal length, each with a unit; ``caption`` carries provenance."""

    name: str
    title: str
    columns: Mapping[str, Sequence[Any]]
    units: Mapping[str, str] = field(default_factory=dict)
    caption: str = ""

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def rows(self) -> list[dict[str, Any]]:
        """The table as a list of row dicts (the form Vega-Lite takes)."""
        names = list(self.columns)
        return [dict(zip(names, values, strict=True)) for values in zip(
            *self.columns.values(), strict=True)]

    def to_csv(self) -> str:
        """CSV text: a header with units, then the rows (nothing before the header, so
        ``pandas.read_csv`` reads it with its defaults; the title and provenance are
        described beside a saved file, in :mod:`calc.presentation.datapackage`).

        Text is cleaned of control characters (as on a terminal), so a title or a
        source read from a file cannot drive the terminal of whoever views the CSV,
        and a cell a spreadsheet would run as a formula is written as text
        (:mod:`calc.presentation.csvtext`).
        """
        header = [f"{name} [{self.units[name]}]" if self.units.get(name) else name
                  for name in self.columns]
        return csv_text([header, *zip(*self.columns.values(), strict=True)])


def provenance(scenarios: Sequence[str], baseline: str, extra: str = "") -> str:
    """One caption line: scenarios, baseline, capcalc version (and ``extra``)."""
    parts = [f"Scenarios: {', '.join(scenarios)}", f"baseline: {baseline}",
             "H100e = dense 8-bit FLOP/s ÷ 1.979e15", f"capcalc {__version__}"]
    if extra:
        parts.insert(2, extra)
    return " · ".join(parts)
