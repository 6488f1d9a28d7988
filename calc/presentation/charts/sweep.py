"""A sweep over two inputs as a heatmap, with the contour where the output meets its target.

:func:`heatmap` lays a grid sweep (:func:`calc.sweep` over two axes) out as cells:
each point a rectangle from half-way to its neighbours, coloured by the output,
and the target's contour as the cell edges between a point below the target and
one at or above it. :func:`heatmap_spec` draws it as a plain Vega-Lite dict
(rect, rule and point layers) for the dashboard; the table behind it is the CSV.

(The chart declarations of :mod:`calc.presentation.chart_spec` have no mark for
cells yet, so this chart is a Vega-Lite dict of its own and has no picture file.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from calc.analysis.sweep_result import SweepResult
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.presentation.colours import TARGET
from calc.presentation.tables.base import Table, provenance
from calc.presentation.vega.style import SCHEMA, wrap

__all__ = ["Heatmap", "heatmap", "heatmap_spec"]

@dataclass(frozen=True)
class Heatmap:
    """A grid sweep laid out as cells.

    Attributes
    ----------
    table : Table
        One row per point: the two axes, the output, and the cell's edges (CSV).
    x, y, output : str
        The axis across, the axis up and the output (keys of the vocabulary).
    target : float or None
        The output's target (the contour), None for none.
    contour : tuple of (x, y, x2, y2)
        Cell edges between a point below the target and a neighbour at or above it.
    reference : tuple of (float, float) or None
        Where the swept scenario itself sits.
    """

    table: Table
    x: str
    y: str
    output: str
    target: float | None
    contour: tuple[tuple[float, float, float, float], ...]
    reference: tuple[float, float] | None


def _edges(values: Sequence[float]) -> np.ndarray:
    """Cell edges around sorted ``values``: half-way between neighbours, the ends half a step
    out (one value: ±5 %).

    >>> _edges([1.0, 2.0, 4.0]).tolist()
    [0.5, 1.5, 3.0, 5.0]
    """
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        return np.array([v[0] * 0.95, v[0] * 1.05])
    middle = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (middle[0] - v[0])], middle,
                           [v[-1] + (v[-1] - middle[-1])]])


def heatmap(result: SweepResult, output: str, *, target: float | None = None) -> Heatmap:
    """The cells of a two-axis grid sweep's ``output`` and the target's contour.

    Raises
    ------
    ValueError
        The sweep is not a grid over two numeric axes, or did not keep ``output``.
    """
    if result.grid is None or len(result.grid) != 2:
        raise ValueError("a heatmap needs a grid sweep over two axes")
    (x, xs), (y, ys) = result.grid
    values = np.asarray(result[output], dtype=float).reshape(len(xs), len(ys))
    x_edges, y_edges = _edges([float(v) for v in xs]), _edges([float(v) for v in ys])
    contour: list[tuple[float, float, float, float]] = []
    if target is not None:
        above = values >= target
        for i in range(len(xs) - 1):  # neighbours across: an upright edge
            for j in range(len(ys)):
                if above[i, j] != above[i + 1, j]:
                    edge = float(x_edges[i + 1])
                    contour.append((edge, float(y_edges[j]), edge, float(y_edges[j + 1])))
        for i in range(len(xs)):  # neighbours up: a level edge
            for j in range(len(ys) - 1):
                if above[i, j] != above[i, j + 1]:
                    edge = float(y_edges[j + 1])
                    contour.append((float(x_edges[i]), edge, float(x_edges[i + 1]), edge))
    ii = np.repeat(np.arange(len(xs)), len(ys))  # the points in C order: y varies fastest
    jj = np.tile(np.arange(len(ys)), len(xs))
    attrs = result.attrs
    extra = f"a grid of {len(xs)} × {len(ys)} points at central values"
    if target is not None:
        extra += f"; the line: {_number(target, OUTPUTS[output].unit)}"
    table = Table(
        name="sweep-heatmap",
        title=f"{OUTPUTS[output].title} over {INPUTS[x].title.lower()} and "
              f"{INPUTS[y].title.lower()}",
        columns={x: [float(xs[i]) for i in ii], y: [float(ys[j]) for j in jj],
                 output: values.ravel().tolist(),
                 "x_low": x_edges[ii].tolist(), "x_high": x_edges[ii + 1].tolist(),
                 "y_low": y_edges[jj].tolist(), "y_high": y_edges[jj + 1].tolist()},
        units={x: INPUTS[x].unit, y: INPUTS[y].unit, output: OUTPUTS[output].unit,
               "x_low": INPUTS[x].unit, "x_high": INPUTS[x].unit,
               "y_low": INPUTS[y].unit, "y_high": INPUTS[y].unit},
        caption=provenance([str(attrs.get("scenario", ""))], str(attrs.get("baseline", "")),
                           extra))
    ref = result.reference
    reference = (float(ref[x]), float(ref[y])) if x in ref and y in ref and \
        ref[x] is not None and ref[y] is not None else None
    return Heatmap(table, x, y, output, target, tuple(contour), reference)


def _number(value: float, unit: str) -> str:
    return f"{value:.3g}×" if unit == "1" and not math.isnan(value) else f"{value:.3g} {unit}"


def _axis_title(key: str) -> str:
    unit = INPUTS[key].unit
    return INPUTS[key].title + ("" if unit in ("1", "") else f" ({unit})")


def heatmap_spec(h: Heatmap, *, title: str | None = None) -> dict[str, Any]:
    """``h`` as one plain Vega-Lite dict: the cells, the contour and the scenario's point."""
    rows = h.table.rows()
    unit = OUTPUTS[h.output].unit
    cells: dict[str, Any] = {
        "data": {"values": [{"x0": r["x_low"], "x1": r["x_high"], "y0": r["y_low"],
                             "y1": r["y_high"], "x": r[h.x], "y": r[h.y],
                             "value": r[h.output]} for r in rows]},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "x0", "type": "quantitative", "title": _axis_title(h.x),
                  "scale": {"zero": False, "nice": False}},
            "x2": {"field": "x1"},
            "y": {"field": "y0", "type": "quantitative", "title": _axis_title(h.y),
                  "scale": {"zero": False, "nice": False}},
            "y2": {"field": "y1"},
            "color": {"field": "value", "type": "quantitative",
                      "title": OUTPUTS[h.output].title + ("" if unit in ("1", "") else
                                                          f" ({unit})"),
                      "scale": {"scheme": "viridis"}, "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "x", "type": "quantitative", "title": INPUTS[h.x].title,
                         "format": ".4~g"},
                        {"field": "y", "type": "quantitative", "title": INPUTS[h.y].title,
                         "format": ".4~g"},
                        {"field": "value", "type": "quantitative",
                         "title": OUTPUTS[h.output].title, "format": ".3~g"}],
        },
    }
    layers: list[dict[str, Any]] = [cells]
    if h.contour:
        layers.append({
            "data": {"values": [{"x": a, "y": b, "x2": c, "y2": d}
                                for a, b, c, d in h.contour]},
            "mark": {"type": "rule", "color": TARGET, "strokeWidth": 3},
            "encoding": {"x": {"field": "x", "type": "quantitative"}, "x2": {"field": "x2"},
                         "y": {"field": "y", "type": "quantitative"}, "y2": {"field": "y2"}},
        })
    if h.reference is not None:
        layers.append({
            "data": {"values": [{"x": h.reference[0], "y": h.reference[1]}]},
            "mark": {"type": "point", "shape": "cross", "size": 160, "color": "white",
                     "stroke": "black", "strokeWidth": 1.5, "filled": True},
            "encoding": {"x": {"field": "x", "type": "quantitative"},
                         "y": {"field": "y", "type": "quantitative"}},
        })
    subtitle = wrap(h.table.caption)
    if h.target is not None:
        subtitle.append(f"orange line: where it reaches {_number(h.target, unit)}"
                        + ("; cross: the scenario itself" if h.reference else ""))
    elif h.reference is not None:
        subtitle.append("cross: the scenario itself")
    return {"$schema": SCHEMA, "width": "container", "height": 360,
            "autosize": {"type": "fit-x", "contains": "padding"},
            "title": {"text": title or h.table.title, "subtitle": subtitle, "anchor": "start",
                      "subtitleFontSize": 10, "subtitleColor": "#555555"},
            "layer": layers}
