"""The files' renderer: a :class:`~calc.presentation.chart_spec.Chart` as a matplotlib Figure.

:func:`draw` lays the chart's panels out one under the other (or side by
side), draws each mark with its function of :mod:`calc.presentation.figure.marks`,
titles the axes as the screen does, and writes the legend (every series once,
then the marker keys), the title, the notes and the provenance line. It never
shows or saves: :mod:`calc.presentation.export` saves, with the provenance in
the file's metadata too.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from calc.presentation.chart_spec import (
    Area,
    Bars,
    Bins,
    Cells,
    Chart,
    Key,
    LegendEntry,
    Line,
    Panel,
    Points,
    Rule,
    Segments,
    legend,
    panel_values,
)
from calc.presentation.figure import marks as draw_marks
from calc.presentation.figure.style import (
    MARKERS,
    category_ticks,
    dash,
    figure,
    points,
    set_axis,
)

__all__ = ["draw"]

_DRAW: dict[type, Callable[[Any, draw_marks.Canvas], None]] = {
    Line: draw_marks.draw_line, Area: draw_marks.draw_area, Bins: draw_marks.draw_bins,
    Bars: draw_marks.draw_bars, Points: draw_marks.draw_points, Rule: draw_marks.draw_rule,
    Segments: draw_marks.draw_segments, Cells: draw_marks.draw_cells,
}
#: Pixels of the screen's panels per inch of the saved figure's.
_PX_PER_INCH = 80.0


def _months(panel: Panel) -> list[str]:
    out: list[str] = []
    for mark in panel.marks:
        if isinstance(mark, Line | Area):
            out += [x for x in mark.x if isinstance(x, str)]
        elif isinstance(mark, Points):
            out += [p.x for p in mark.points if isinstance(p.x, str)]
    return sorted(set(out))


def _panel(ax: Any, panel: Panel, first: bool) -> None:
    """One panel on ``ax``: its marks, then its axes (scales, titles, ticks) and grid."""
    canvas = draw_marks.Canvas(ax)
    for which, axis in (("x", panel.x), ("y", panel.y)):
        if axis.kind == "category":
            canvas.along = which
            canvas.categories = {name: i for i, name in enumerate(axis.categories)}
    if panel.y2 is not None:
        canvas.right = ax.twinx()
    for mark in panel.marks:
        _DRAW[type(mark)](mark, canvas)
    set_axis(ax, "x", panel.x, panel_values(panel, "x"), _months(panel))
    set_axis(ax, "y", panel.y, panel_values(panel, "y"))
    for which, axis in (("x", panel.x), ("y", panel.y)):
        if axis.kind == "category":
            category_ticks(ax, which, axis.categories)
    if canvas.right is not None and panel.y2 is not None:
        set_axis(canvas.right, "y", panel.y2, panel_values(panel, "y2"))
        canvas.right.spines[["top"]].set_visible(False)
    if panel.title and not first:  # the first panel sits under the chart's own title
        ax.set_title(panel.title, fontsize=10, loc="left")
    grid = "x" if canvas.along == "y" else "y" if canvas.along == "x" else "both"
    ax.grid(True, axis=grid, which="major", linewidth=0.4, alpha=0.5)
    ax.spines[["top", "right"] if canvas.right is None else ["top"]].set_visible(False)


def _handle(entry: LegendEntry) -> Any:
    if entry.symbol == "area":
        return Patch(facecolor=entry.colour, label=entry.name)
    if entry.symbol == "point":
        return Line2D([], [], marker=MARKERS[entry.shape], color=entry.colour,
                      linestyle="none", markersize=7, label=entry.name)
    return Line2D([], [], color=entry.colour, linewidth=points(2), linestyle=dash(entry.dash),
                  label=entry.name)


def _key(key: Key) -> Any:
    return Line2D([], [], marker=MARKERS[key.shape], color="#555555",
                  markeredgecolor="#555555", markerfacecolor=(0.33, 0.33, 0.33, key.fill),
                  linestyle="none",
                  markersize=7, label=key.name)


def draw(chart: Chart) -> Figure:
    """``chart`` drawn as a matplotlib Figure (unattached to pyplot), ready to save."""
    heights = [panel.height for panel in chart.panels] or [200]
    column = chart.layout == "column"
    tall = (sum(heights) if column else max(heights)) / _PX_PER_INCH
    fig = figure(chart.width, 1.6 + tall)
    if chart.panels:
        axes = fig.subplots(len(heights) if column else 1, 1 if column else len(heights),
                            squeeze=False, height_ratios=heights if column else None)
        for i, (ax, panel) in enumerate(zip(axes.flat, chart.panels, strict=True)):
            _panel(ax, panel, first=i == 0)
    handles = [_handle(entry) for entry in legend(chart)] + [_key(key) for key in chart.keys]
    if handles:
        fig.legend(handles=handles, fontsize=8, loc="outside right upper", frameon=False)
    fig.suptitle("\n".join(textwrap.wrap(chart.heading, 110)).replace("$", r"\$"), fontsize=12)
    notes = [chart.notes_title] if chart.notes_title else []
    notes += [line for note in chart.notes
              for line in textwrap.wrap(note, 150, initial_indent="• " if chart.notes_title
                                        else "", subsequent_indent="  ")]
    if chart.empty:
        notes.append(chart.empty)
    text = "\n".join([*notes, *([""] if notes else []), *textwrap.wrap(chart.caption, 170)])
    fig.supxlabel(text.replace("$", r"\$"), fontsize=7, color="#555555", ha="left", x=0.01)
    return fig
