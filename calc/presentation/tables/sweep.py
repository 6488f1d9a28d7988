"""The data behind a sweep's heatmaps: one quantity over two of its axes, cell by cell.

A sweep's points are put into cells along two of its axes: along a grid's
axis, or a chip's, one cell per value; along an axis a design fills, equal
bins over its range (equal in log where it spans more than a decade), about
four points a cell — unless it takes no more values than that (whole months
over a short range), which then get a cell each. Each cell holds the mean of
the quantity over its points, so over a sweep of more axes the cell is the
average over the others'; the table says how many points each cell holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.provenance import provenance_line
from calc.analysis.sweep_result import SweepResult
from calc.core.errors import CapcalcError, quoted, suggest
from calc.core.vocabulary import INPUTS
from calc.presentation.tables.base import Table
from calc.presentation.tables.uncertainty import spans_decade

__all__ = ["MAX_LEVELS", "Grid", "GridAxis", "axis_name", "finite_range", "heatmap_table",
           "sweep_grid"]

FloatArray = npt.NDArray[np.float64]

#: A grid's axis with at most this many distinct values has a cell per value; one with
#: more is cut into bins.
MAX_LEVELS = 24
#: Most bins along an axis a design fills.
MAX_BINS = 12
#: Names of the phase fields a sweep varies, as an axis says them.
_PHASE_FIELDS = {"facility_power_mw": "Facility power", "delay_months": "Delay",
                 "start": "Start"}


def axis_name(key: str) -> str:
    """What an axis is called on a chart: the input's title, or a phase field with its phase.

    >>> axis_name("training.mfu"), axis_name("timeline[3].delay_months")
    ('MFU', 'Delay of timeline[3]')
    """
    if key.startswith("timeline"):
        phase, field = key.rsplit(".", 1)
        return f"{_PHASE_FIELDS.get(field, field)} of {phase}"
    return INPUTS[key].title if key in INPUTS else key


@dataclass(frozen=True)
class GridAxis:
    """One axis of a heatmap: its key, unit, cells and which cell each point falls in.

    ``centres`` are the cells' values (numbers, or names along a category
    axis), ``edges`` their bounds (one more than the cells; empty for names);
    ``log`` whether the axis is drawn in log.
    """

    key: str
    unit: str
    centres: tuple[Any, ...]
    edges: tuple[float, ...]
    cell: npt.NDArray[np.int64]
    log: bool
    binned: bool

    @property
    def category(self) -> bool:
        """Whether the cells are names (chips, months) rather than numbers."""
        return not self.edges


@dataclass(frozen=True)
class Grid:
    """A quantity over two axes of a sweep: ``values[j, i]`` the mean at x cell i, y cell j."""

    x: GridAxis
    y: GridAxis
    values: FloatArray
    counts: npt.NDArray[np.int64]


def _levels_edges(levels: FloatArray, log: bool) -> tuple[float, ...]:
    """Bounds of cells centred on sorted ``levels``: midway between neighbours (in log on a
    log axis), the outer ones as far beyond as the nearest inner one."""
    if len(levels) == 1:
        v = float(levels[0])
        return (v * 0.9, v * 1.1) if v > 0 else (v - 0.5, v + 0.5)
    at = np.log(levels) if log else levels
    mid = (at[1:] + at[:-1]) / 2
    edges = np.concatenate([[at[0] - (mid[0] - at[0])], mid, [at[-1] + (at[-1] - mid[-1])]])
    return tuple(float(e) for e in (np.exp(edges) if log else edges))


def _bins(result: SweepResult, bins: int | None) -> int:
    """Bins along an axis a design fills: enough for about four points a cell over two axes."""
    return bins or max(2, min(MAX_BINS, math.isqrt(max(1, len(result) // 4))))


def _axis(result: SweepResult, key: str, bins: int | None) -> GridAxis:
    values = np.asarray(result[key])
    unit = result.units.get(key, "")
    if values.dtype.kind in "OUS":  # names (chips) or months: a cell each, in order
        names = tuple(sorted(set(values.tolist())) if key.endswith(".start")
                      else dict.fromkeys(values.tolist()))
        where = {name: i for i, name in enumerate(names)}
        return GridAxis(key, unit, names, (), np.array([where[v] for v in values.tolist()],
                                                       dtype=np.int64), False, False)
    numbers = values.astype(float)
    levels = np.unique(numbers[np.isfinite(numbers)])
    log = bool(levels.size) and spans_decade(float(levels[0]), float(levels[-1]))
    count = _bins(result, bins)
    # a grid's values, or a design's few (chips' powers, whole months): a cell each
    if levels.size <= (MAX_LEVELS if result.grid is not None else count):
        cell = np.searchsorted(levels, numbers).astype(np.int64)
        return GridAxis(key, unit, tuple(float(v) for v in levels), _levels_edges(levels, log),
                        cell, log, False)
    low, high = float(levels[0]), float(levels[-1])
    edges = np.geomspace(low, high, count + 1) if log else np.linspace(low, high, count + 1)
    cell = np.clip(np.searchsorted(edges, numbers, side="right") - 1, 0, count - 1)
    centres = np.sqrt(edges[1:] * edges[:-1]) if log else (edges[1:] + edges[:-1]) / 2
    return GridAxis(key, unit, tuple(float(c) for c in centres),
                    tuple(float(e) for e in edges), cell.astype(np.int64), log, True)


def sweep_grid(result: SweepResult, values: npt.ArrayLike, x: str, y: str, *,
               bins: int | None = None) -> Grid:
    """``values`` (one per point of ``result``) averaged in the cells of axes ``x`` and ``y``.

    A cell no point falls in, or whose points' values are not finite, is NaN.
    """
    for key in (x, y):
        if key not in result.axes:
            raise CapcalcError(f"{quoted(key)} is not an axis of this sweep ("
                               f"{', '.join(result.axes)}){suggest(key, result.axes)}",
                               key="axes")
    if x == y:
        raise CapcalcError("a heatmap needs two different axes", key="axes")
    gx, gy = _axis(result, x, bins), _axis(result, y, bins)
    data = np.asarray(values, dtype=float)
    shape = (len(gy.centres), len(gx.centres))
    flat = np.ravel_multi_index((gy.cell, gx.cell), shape)
    finite = np.isfinite(data)
    counts = np.bincount(flat, minlength=shape[0] * shape[1])
    sums = np.bincount(flat[finite], weights=data[finite], minlength=counts.size)
    good = np.bincount(flat[finite], minlength=counts.size)
    # a cell is the mean of its points; a cell with a point out of reach is out of reach
    mean = np.where((good == counts) & (good > 0), sums / np.maximum(good, 1), np.nan)
    return Grid(gx, gy, mean.reshape(shape), counts.reshape(shape))


def heatmap_table(result: SweepResult, grid: Grid, name: str, title: str, column: str,
                  unit: str, *, level: float | None = None) -> Table:
    """The cells of ``grid`` as rows: each axis's value (and bounds), the quantity, the points."""
    cols: dict[str, list[Any]] = {grid.x.key: [], grid.y.key: []}
    bounds = [(a, f"{a.key}_low", f"{a.key}_high") for a in (grid.x, grid.y) if a.binned]
    for _bounded, low, high in bounds:
        cols[low], cols[high] = [], []
    cols[column], cols["points"] = [], []
    for j, yv in enumerate(grid.y.centres):
        for i, xv in enumerate(grid.x.centres):
            cols[grid.x.key].append(xv)
            cols[grid.y.key].append(yv)
            for axis, low, high in bounds:
                k = i if axis is grid.x else j
                cols[low].append(axis.edges[k])
                cols[high].append(axis.edges[k + 1])
            value = float(grid.values[j, i])
            cols[column].append(value if math.isfinite(value) else None)
            cols["points"].append(int(grid.counts[j, i]))
    units = {grid.x.key: grid.x.unit, grid.y.key: grid.y.unit, column: unit}
    for axis, low, high in bounds:
        units[low] = units[high] = axis.unit
    averaged = [k for k in result.axes if k not in (grid.x.key, grid.y.key)]
    how = []
    if averaged:
        how.append(f"each cell the mean over {', '.join(averaged)}")
    if bounds:
        how.append("ranges cut into equal bins")
    if level is not None:
        how.append(f"contour at {level:g}")
    scenario = result.attrs.get("scenario", "")
    caption = (f"Sweep of {scenario} (baseline {result.attrs.get('baseline', '')}, "
               f"{len(result):,} points{'; ' + '; '.join(how) if how else ''}) · "
               f"{provenance_line(result.attrs)}")
    return Table(name=name, title=title, columns=cols, units=units, caption=caption)


def finite_range(values: Sequence[float]) -> tuple[float, float]:
    """Lowest and highest finite value (0, 1 when there is none)."""
    finite = [v for v in values if math.isfinite(v)]
    return (min(finite), max(finite)) if finite else (0.0, 1.0)
