"""Each kind of mark of :mod:`calc.presentation.chart_spec` drawn on matplotlib axes.

One function per kind, as :mod:`calc.presentation.vega.marks` has for the
screen. Every artist is tagged with its kind (``gid``: ``line``, ``area``,
``bar``, ``bins``, ``point``, ``rule``, ``segment``, ``cells``; a marker's name ``label``;
a heatmap's colour bar ``colourbar``) so
a drawn figure can be read back and compared with the screen's spec.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_rgba
from matplotlib.ticker import FuncFormatter, PercentFormatter

from calc.presentation.chart_spec import (
    Area,
    Bars,
    Bins,
    Cells,
    Line,
    Points,
    Rule,
    Segments,
    Value,
    axis_title,
)
from calc.presentation.figure.style import MARKERS, dash, plain, points, when
from calc.presentation.label_places import PLACES

__all__ = ["Canvas", "draw_area", "draw_bars", "draw_bins", "draw_cells", "draw_line",
           "draw_points", "draw_rule", "draw_segments"]

_OFFSETS = {name: (dx, dy, align) for name, dx, dy, align in PLACES}


@dataclass
class Canvas:
    """A panel's axes: the main ones, the right-hand ones if any, the category positions."""

    ax: Axes
    right: Axes | None = None
    categories: dict[str, int] = field(default_factory=dict)
    #: Which axis holds the categories (``y``: horizontal bars), if any.
    along: str | None = None

    def axes_for(self, right: bool) -> Axes:
        return self.right if right and self.right is not None else self.ax


def _values(values: Sequence[float]) -> Any:
    return np.array([v if isinstance(v, int | float) and math.isfinite(v) else np.nan
                     for v in values], dtype=float)


def _xs(values: Sequence[Value]) -> Any:
    if values and isinstance(values[0], str):
        return np.array([when(v) for v in values])
    return np.asarray(values, dtype=float)


def draw_line(line: Line, canvas: Canvas) -> None:
    """A line (a step line held until the next point)."""
    (artist,) = canvas.axes_for(line.right).plot(
        _xs(line.x), _values(line.y), color=line.colour, linewidth=points(line.width),
        linestyle=dash(line.dash), drawstyle="steps-post" if line.step else "default",
        alpha=line.opacity, label=line.series or None)
    artist.set_gid("line")


def draw_area(area: Area, canvas: Canvas) -> None:
    """The area between low and high."""
    artist = canvas.ax.fill_between(_xs(area.x), _values(area.low), _values(area.high),
                                    step="post" if area.step else None, color=area.colour,
                                    alpha=area.opacity, linewidth=0, label=area.series or None)
    artist.set_gid("area")


def draw_bins(bins: Bins, canvas: Canvas) -> None:
    """A histogram's bars, bin by bin."""
    artist = canvas.ax.stairs(bins.heights, bins.edges, fill=True, color=bins.colour,
                              alpha=bins.opacity, label=bins.series or None)
    artist.set_gid("bins")


def draw_bars(bars: Bars, canvas: Canvas) -> None:
    """Bars from start to end in their category's band, side by side when grouped."""
    ax = canvas.ax
    series = list(dict.fromkeys(b.series for b in bars.bars)) if bars.grouped else [""]
    size = bars.thickness / len(series)
    horizontal = canvas.along == "y"
    for bar in bars.bars:
        slot = series.index(bar.series) if bars.grouped else 0
        pos = canvas.categories[bar.category] - bars.thickness / 2 + (slot + 0.5) * size
        length = bar.end - bar.start
        if horizontal:
            (patch,) = ax.barh([pos], [length], left=bar.start, height=size, color=bar.colour)
        else:
            (patch,) = ax.bar([pos], [length], bottom=bar.start, width=size, color=bar.colour)
        patch.set_gid("bar")
        if bar.error is not None:
            lo, hi = bar.error
            ax.plot([lo, hi] if horizontal else [pos, pos], [pos, pos] if horizontal
                    else [lo, hi], color="black", linewidth=0.8)
        if bar.label:
            up = bar.end >= bar.start
            if horizontal:
                ax.annotate(bar.label.replace("$", r"\$"), (bar.end, pos),
                            xytext=(3 if up else -3, 0), textcoords="offset points",
                            ha="left" if up else "right", va="center", fontsize=8)
            else:
                ax.annotate(bar.label.replace("$", r"\$"), (pos, bar.end),
                            xytext=(0, 3 if up else -3), textcoords="offset points",
                            ha="center", va="bottom" if up else "top", fontsize=9)


def draw_points(group: Points, canvas: Canvas) -> None:
    """Markers by shape (filled, hollow or faint), each named at its place when it has one."""
    ax = canvas.ax
    area = group.size * 0.5625  # px² → points²
    for shape in dict.fromkeys(p.shape for p in group.points):
        chosen = [p for p in group.points if p.shape == shape]
        faces = [to_rgba(p.colour, 1.0 if group.edge else p.fill) for p in chosen]
        edges = [group.edge or p.colour for p in chosen]
        artist = ax.scatter(_xs([p.x for p in chosen]), [p.y for p in chosen], s=area,
                            marker=MARKERS[shape], facecolors=faces, edgecolors=edges,
                            linewidths=1.2, zorder=4 if group.edge else 3)
        artist.set_gid("point")
    for p in group.points:
        if not p.label or p.place is None:
            continue
        dx, dy, align = _OFFSETS[p.place]
        away = group.away  # clear of a star, larger than a marker
        ax.annotate(p.label, (when(p.x), p.y), textcoords="offset points",
                    xytext=(points(dx) * away, -points(dy) * away), ha=align, va="center",
                    fontsize=8 if group.bold else 7.5,
                    fontweight="bold" if group.bold else "normal",
                    color="black" if group.bold else "#222222", zorder=5, gid="label")


def draw_rule(rule: Rule, canvas: Canvas) -> None:
    """A reference line across the panel, along a span, or within one category's band."""
    ax = canvas.ax
    style = {"color": rule.colour, "linewidth": points(rule.width),
             "linestyle": dash(rule.dash)}
    at = when(rule.at)
    artist: Any
    if rule.within:
        pos = canvas.categories[rule.within]
        artist = (ax.vlines if rule.axis == "x" else ax.hlines)(at, pos - 0.45, pos + 0.45,
                                                                  **style)
    elif rule.span is not None:
        artist = (ax.vlines if rule.axis == "x" else ax.hlines)(at, *rule.span, **style)
    else:
        artist = (ax.axvline if rule.axis == "x" else ax.axhline)(at, **style)
    artist.set_gid("rule")
    if not rule.label:
        return
    text = rule.label.replace("$", r"\$")
    weight = "bold" if rule.bold else "normal"
    if rule.axis == "y":
        ax.text(0.01, float(rule.at), text, transform=ax.get_yaxis_transform(), va="bottom",
                ha="left", fontsize=8, color=rule.colour, fontweight=weight)
    elif rule.label_angle == 90:
        ax.text(at, 0.98, text + " ", transform=ax.get_xaxis_transform(), va="top",
                ha="right", rotation=90, fontsize=7, color=rule.colour, fontweight=weight)
    else:
        ax.text(at, 0.98, " " + text, transform=ax.get_xaxis_transform(), va="top",
                ha="left", fontsize=8, color=rule.colour, fontweight=weight)


def draw_segments(group: Segments, canvas: Canvas) -> None:
    """Straight strokes; those with an arrow are headed at their end."""
    ax = canvas.ax
    for s in group.segments:
        x0, x1 = when(s.x[0]), when(s.x[1])
        if s.arrow:
            ax.annotate("", xy=(x1, s.y[1]), xytext=(x0, s.y[0]), gid="segment",
                        arrowprops={"arrowstyle": "->", "color": s.colour,
                                    "lw": points(max(group.width, 1.6)),
                                    "alpha": group.opacity})
        else:
            (artist,) = ax.plot([x0, x1], [s.y[0], s.y[1]], color=s.colour,
                                linewidth=points(group.width), alpha=group.opacity,
                                solid_capstyle="butt", zorder=1)
            artist.set_gid("segment")


def _edges(values: Sequence[Value]) -> Any:
    """A heatmap's cell edges along an axis: its numbers, or around each category's place."""
    if values and isinstance(values[0], str):
        return np.arange(len(values) + 1) - 0.5
    return np.asarray(values, dtype=float)


def draw_cells(cells: Cells, canvas: Canvas) -> None:
    """A heatmap: a mesh of cells coloured through the cells' sequential scale (blended in
    RGB, as on screen), empty where a value is not finite, and its colour bar."""
    ax = canvas.ax
    grid = np.array([[v if math.isfinite(v) else np.nan for v in row] for row in cells.values],
                    dtype=float)
    scale = LinearSegmentedColormap.from_list("cells", list(cells.colours))
    mesh = ax.pcolormesh(_edges(cells.x), _edges(cells.y), np.ma.masked_invalid(grid),
                         cmap=scale, vmin=cells.domain[0], vmax=cells.domain[1],
                         shading="flat", zorder=0)
    mesh.set_gid("cells")
    factor, title = axis_title(cells.scale, [v for _i, _j, v in cells.cells()])
    bar = ax.figure.colorbar(mesh, ax=ax, pad=0.02, fraction=0.05)
    bar.set_label(title.replace("$", r"\$"), fontsize=9)
    bar.ax.set_gid("colourbar")
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0) if cells.kind == "share"
                                     else FuncFormatter(lambda v, _p: plain(v / factor)))
