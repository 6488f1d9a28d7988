"""The look of capcalc's saved charts: a figure, axes with units in their titles, tick labels.

The axes read as the dashboard's (:mod:`calc.presentation.vega.style`): the same
title with the unit in the prefix that suits the data
(:func:`calc.presentation.chart_spec.axis_title`), plain numbers on the ticks,
years on a time axis, per cent on a share axis, 1-2-5 ticks on a log axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: the dashboard draws its own interactive charts

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    LogLocator,
    MultipleLocator,
    NullFormatter,
    PercentFormatter,
)

from calc.presentation.chart_spec import Axis, axis_title

__all__ = ["MARKERS", "category_ticks", "dash", "figure", "plain", "points", "set_axis", "when"]

#: The declarations' marker shapes as matplotlib draws them.
MARKERS = {"circle": "o", "diamond": "D", "triangle-up": "^", "square": "s", "star": "*"}


def figure(width: float, height: float) -> Figure:
    """A new, unattached Figure with constrained layout (never pyplot's global state)."""
    return Figure(figsize=(width, height), layout="constrained", dpi=100)


def points(px: float) -> float:
    """A length in screen pixels (96 per inch) as matplotlib's points (72 per inch)."""
    return px * 0.75


def dash(pattern: Sequence[float]) -> Any:
    """A matplotlib line style from a dash pattern in pixels (``()``: solid)."""
    return (0, tuple(points(v) for v in pattern)) if pattern else "-"


def when(value: Any) -> Any:
    """A month ``YYYY-MM`` as a datetime64 (matplotlib's dates); a number unchanged."""
    return np.datetime64(value[:7], "M") if isinstance(value, str) else value


def plain(value: float) -> str:
    """A tick value as Vega's ``,~g`` writes it: grouped thousands, no trailing zeros."""
    if value == 0:
        return "0"
    text = f"{value:,.6g}"
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _log_label(factor: float) -> FuncFormatter:
    def label(value: float, _pos: int) -> str:
        if value <= 0:
            return ""
        mantissa = round(value / 10 ** math.floor(math.log10(value) + 1e-9))
        return plain(value / factor) if mantissa in (1, 2, 5) else ""

    return FuncFormatter(label)


def set_axis(ax: Axes, which: str, axis: Axis, values: Sequence[Any],
             months: Sequence[str] = ()) -> None:
    """Scale, title, ticks and range of ``ax``'s ``which`` axis (``x`` or ``y``)."""
    target = ax.xaxis if which == "x" else ax.yaxis
    numbers = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    factor, title = axis_title(axis, numbers)
    (ax.set_xlabel if which == "x" else ax.set_ylabel)(title.replace("$", r"\$"))
    limits = ax.set_xlim if which == "x" else ax.set_ylim
    if axis.kind == "category":
        return
    if axis.kind == "time":
        years = {m[:4] for m in months}
        if len(years) >= 3 or len(months) >= 24:
            target.set_major_locator(mdates.YearLocator())
            target.set_major_formatter(mdates.DateFormatter("%Y"))
        else:
            target.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
            target.set_major_formatter(mdates.DateFormatter("%b %Y"))
        return
    if axis.kind == "year":
        target.set_major_locator(MultipleLocator(1))
        target.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}"))
    elif axis.log:
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")
        decades = (math.log10(max(numbers) / min(numbers))
                   if numbers and min(numbers) > 0 else 0.0)
        target.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if decades <= 3 else (1.0,)))
        target.set_major_formatter(_log_label(factor))
        target.set_minor_formatter(NullFormatter())
    elif axis.kind == "share":
        target.set_major_formatter(PercentFormatter(1.0, decimals=0 if axis.domain else 1))
    else:
        target.set_major_formatter(FuncFormatter(lambda v, _p: plain(v / factor)))
    if axis.padding:
        if which == "x":
            ax.margins(x=0.2)
        else:
            ax.margins(y=0.2)
    if axis.domain is not None:
        limits(*axis.domain)
    elif axis.kind == "quantity" and not axis.log and axis.zero and numbers:
        low, high = (ax.get_xlim() if which == "x" else ax.get_ylim())
        limits(min(low, 0.0), max(high, 0.0))


def category_ticks(ax: Axes, which: str, categories: Sequence[str]) -> None:
    """The category names at positions 0, 1, …: top to bottom on y, left to right on x."""
    positions = list(range(len(categories)))
    if which == "y":
        ax.yaxis.set_major_locator(FixedLocator(positions))
        ax.set_yticks(positions, [c.replace("$", r"\$") for c in categories], fontsize=8)
        ax.set_ylim(len(categories) - 0.5, -0.5)
    else:
        ax.set_xticks(positions, [c.replace("$", r"\$") for c in categories], rotation=20,
                      ha="right", fontsize=9)
        ax.set_xlim(-0.5, len(categories) - 0.5)
