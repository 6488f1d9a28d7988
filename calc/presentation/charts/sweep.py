"""Declarations of a sweep's charts: any output as a heatmap over two axes with the target's
contour, and the chance of the target by a month over a build-out's power × slip; each
with the sweep's own scenario as a star, and a discovery's box outlined when given.

Both take the sweep's result as it is (:class:`~calc.analysis.sweep_result.SweepResult`)
and compute only the cells' means and the contour (numpy), so a view can
redraw them on every rerun; nothing here imports a drawing library.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from calc.analysis.sweep_result import SweepResult
from calc.core.errors import CapcalcError, quoted, suggest
from calc.presentation.chart_spec import (
    DASHED,
    Axis,
    Cells,
    Chart,
    Mark,
    Panel,
    Point,
    Points,
    Rule,
    Segment,
    Segments,
)
from calc.presentation.colours import SCENARIO_STAR, TARGET
from calc.presentation.contour import contour_segments
from calc.presentation.formatting import month_text
from calc.presentation.tables.sweep import (
    Grid,
    GridAxis,
    axis_name,
    finite_range,
    heatmap_table,
    sweep_grid,
)

__all__ = ["BOX", "DEFAULT_PROBABILITY", "Limits", "heatmap_chart", "reach_heatmap_chart",
           "shown_outputs"]

#: A box of scenario discovery as the charts take it: each input's (low, high).
Limits = Mapping[str, tuple[float, float]]
#: The box's outline in the legend.
BOX = "the box discovery found"

#: The chance a P(target) heatmap's contour marks unless told: the density ``capcalc
#: discover`` asks of a box by default, so the contour and the box speak of the same chance.
DEFAULT_PROBABILITY = 0.8
_P_BY = re.compile(r"^p_target_by_(\d{4}-\d{2})$")


def _plot_axis(axis: GridAxis, slipping: bool) -> Axis:
    """An axis of the heatmap; a phase's delay, where phases slip by a record, is the delay
    announced beyond that slip."""
    title = axis_name(axis.key)
    if slipping and axis.key.endswith(".delay_months"):
        title += " beyond the slip"
    if axis.category:
        return Axis(title, kind="category", categories=tuple(str(c) for c in axis.centres))
    return Axis(title, axis.unit, log=axis.log, zero=False,
                domain=(axis.edges[0], axis.edges[-1]))


def _contour(grid: Grid, level: float, series: str) -> Segments | None:
    """The line where the cells' values cross ``level``, through the cells' centres (in log
    along a log axis), in the target's colour; None where it does not cross."""
    if grid.x.category or grid.y.category:
        return None
    xs, ys = (np.log(a.centres) if a.log else np.asarray(a.centres, dtype=float)
              for a in (grid.x, grid.y))
    found = contour_segments(list(xs), list(ys), grid.values, level)
    if not found:
        return None

    def back(value: float, log: bool) -> float:
        return float(math.exp(value)) if log else float(value)

    return Segments(tuple(
        Segment((back(a[0], grid.x.log), back(b[0], grid.x.log)),
                (back(a[1], grid.y.log), back(b[1], grid.y.log)), series, TARGET)
        for a, b in found), width=2.5)


def _outline(grid: Grid, box: Limits) -> list[Rule]:
    """The box's edges along the two axes (dashed, black), where both are numbers."""
    if grid.x.category or grid.y.category or grid.x.key not in box or grid.y.key not in box:
        return []
    (x0, x1), (y0, y1) = box[grid.x.key], box[grid.y.key]
    return [Rule("x", x, series=BOX, colour="#000000", dash=DASHED, width=2.0, span=(y0, y1))
            for x in (x0, x1)] + \
        [Rule("y", y, series=BOX, colour="#000000", dash=DASHED, width=2.0, span=(x0, x1))
         for y in (y0, y1)]


def _scenario(result: SweepResult, grid: Grid) -> Points | None:
    """The sweep's own scenario where its values of the two axes put it: a star (numbers only)."""
    if grid.x.category or grid.y.category:
        return None
    x, y = result.reference.get(grid.x.key), result.reference.get(grid.y.key)
    if not isinstance(x, int | float) or not isinstance(y, int | float):
        return None
    name = f"{result.attrs.get('scenario', 'the scenario')} itself"
    return Points((Point(float(x), float(y), name, SCENARIO_STAR, shape="star"),), size=220,
                  edge="#000000")


def _no_line(grid: Grid, level: float, series: str) -> str:
    """Why a heatmap has no contour: an axis of names, or the level met everywhere or nowhere."""
    if grid.x.category or grid.y.category:
        return f"No contour is drawn across names: read the {series} from the cells."
    finite = grid.values[np.isfinite(grid.values)]
    where = "every cell" if finite.size and float(finite.min()) >= level else "no cell"
    return f"The {series} is met in {where} of the sweep."


def _axes(result: SweepResult, x: str | None, y: str | None) -> tuple[str, str]:
    if len(result.axes) < 2:
        raise CapcalcError(f"a heatmap needs a sweep of two axes or more (this one has "
                           f"{len(result.axes)}: {', '.join(result.axes)})", key="axes")
    return x or result.axes[0], y or next(k for k in result.axes if k != (x or result.axes[0]))


def _chart(result: SweepResult, values: Sequence[float], x: str, y: str, *, name: str,
           title: str, column: str, scale: str, unit: str, share: bool,
           level: float | None, series: str, box: Limits | None) -> Chart:
    """The heatmap of ``values`` over ``x`` × ``y``, its contour at ``level`` if given, and
    ``box`` outlined."""
    grid = sweep_grid(result, values, x, y)
    table = heatmap_table(result, grid, name, title, column, unit, level=level)
    domain = (0.0, 1.0) if share else finite_range([float(v) for v in grid.values.ravel()])
    cells = Cells(scale, unit, grid.x.centres if grid.x.category else grid.x.edges,
                  grid.y.centres if grid.y.category else grid.y.edges,
                  tuple(tuple(float(v) for v in row) for row in grid.values), domain,
                  kind="share" if share else "quantity")
    marks: list[Mark] = [cells]
    notes: list[str] = []
    line = _contour(grid, level, series) if level is not None else None
    if line is not None:
        marks.append(line)
    elif level is not None:
        notes.append(_no_line(grid, level, series))
    if box is not None:
        marks += _outline(grid, box)
    star = _scenario(result, grid)
    if star is not None:
        marks.append(star)
    slipping = result.attrs.get("slip", "none") != "none"
    panel = Panel(_plot_axis(grid.x, slipping), _plot_axis(grid.y, slipping), tuple(marks),
                  height=360)
    return Chart(table, (panel,), notes=tuple(notes))


def shown_outputs(result: SweepResult) -> tuple[str, ...]:
    """The kept columns a heatmap can show: numbers per point, not months."""
    return tuple(c for c in result.kept if c not in result.month_columns)


def heatmap_chart(result: SweepResult, output: str, x: str | None = None, y: str | None = None,
                  *, probability: float = DEFAULT_PROBABILITY, box: Limits | None = None
                  ) -> Chart:
    """``output`` of a sweep as a heatmap over axes ``x`` and ``y`` (default its first two),
    with the target's contour.

    The contour is where the compute multiple (or a quantile of it) equals the
    target multiple, or where P(target) — ``p_target_reached`` or a
    ``p_target_by_YYYY-MM`` column — equals ``probability``. Over a sweep of
    more axes each cell is the mean over the others (the CSV says how many
    points each holds). A point out of reach (an infinite value) leaves its cell empty.
    ``box`` (each axis's low and high, as :func:`calc.discover` finds them) is outlined.
    """
    if output not in result.columns or output in result.axes:
        raise CapcalcError(f"{quoted(output)} is not kept by this sweep; choose one of "
                           f"{', '.join(shown_outputs(result))}"
                           f"{suggest(output, shown_outputs(result))}", key="output")
    if output in result.month_columns:
        raise CapcalcError(f"{quoted(output)} is a month; a heatmap shows P(target by a "
                           "month): p_target_by_YYYY-MM", key="output")
    x, y = _axes(result, x, y)
    target = float(result.attrs.get("target_multiple", 0.0))
    unit = result.units.get(output, "")
    by = _P_BY.match(output)
    chance = output == "p_target_reached" or by is not None
    level: float | None = None
    series = ""
    if chance:
        level = probability
        when = f" by {by.group(1)}" if by else ""
        series = f"target {target:g}×{when} in {probability:.0%} of futures"
    elif output == "compute_multiple" or output.startswith("compute_multiple_p"):
        level, series = target, f"target {target:g}×"
    description = result.descriptions.get(output, output)
    scale = (f"Chance of {target:g}×{' by ' + month_text(by.group(1)) if by else ''}"
             if chance else description.split(":")[0].removesuffix(" at central values"))
    title = f"{scale if chance else description} across the sweep"
    return _chart(result, [float(v) for v in np.asarray(result[output], dtype=float)], x, y,
                  name=f"sweep-{output}".replace("_", "-"), title=title, column=output,
                  scale=scale, unit=unit, share=chance, level=level, series=series, box=box)


def reach_heatmap_chart(result: SweepResult, month: str | None = None, x: str | None = None,
                        y: str | None = None, *, probability: float = DEFAULT_PROBABILITY,
                        box: Limits | None = None) -> Chart:
    """P(the target multiple by ``month``) of a build-out sweep over two axes — its power and
    a slip, say — with the contour where it equals ``probability``.

    ``month`` is any month of the sweep's horizon (default the first with a
    ``p_target_by_`` column of its own, else the horizon). A sweep with samples
    gives each point's sampled chance; one at central values, 0 or 1. ``box`` is
    outlined, as in :func:`heatmap_chart`.
    """
    if not result.months:
        raise CapcalcError("P(target by a month) needs a sweep of a build-out (one that keeps "
                           "reach_month or p_target_by)", key="outputs")
    if month is None:
        own = [m.group(1) for c in result.kept if (m := _P_BY.match(c))]
        month = own[0] if own else result.months[-1]
    values = result.reached_by(month)
    x, y = _axes(result, x, y)
    target = float(result.attrs.get("target_multiple", 0.0))
    title = f"Chance of {target:g}× by {month_text(month)} across the sweep"
    return _chart(result, [float(v) for v in values], x, y,
                  name=f"sweep-p-target-by-{month}", title=title,
                  column=f"p_target_by_{month}", scale=f"Chance of {target:g}× by "
                  f"{month_text(month)}", unit="1", share=True, level=probability,
                  series=f"target {target:g}× by {month} in {probability:.0%} of futures",
                  box=box)
