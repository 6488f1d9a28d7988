"""Shared look of capcalc's charts: figure, caption and tick formatting."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # charts are files; the dashboard draws its own interactive charts

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from calc.presentation.formatting import format_value
from calc.presentation.tables import Table

# The colours are the dashboard's: calc.presentation.colours.
__all__ = ["caption", "figure", "ticks"]


def figure(width: float, height: float) -> Figure:
    """A new, unattached Figure with constrained layout (never pyplot's global state)."""
    return Figure(figsize=(width, height), layout="constrained", dpi=100)


def caption(fig: Figure, table: Table) -> None:
    """Write ``table``'s provenance line under the figure."""
    fig.supxlabel(table.caption, fontsize=7, color="#555555", wrap=True)


def ticks(unit: str) -> FuncFormatter:
    """Tick labels written like the tables: SI prefixes, dollars, thousands separators."""
    def label(value: float, _pos: int) -> str:
        text = format_value(float(value), unit, digits=2)
        return "0" if float(value) == 0 else text

    return FuncFormatter(label)
