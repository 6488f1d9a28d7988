"""The Sweep view's grid: :func:`calc.sweep` of the state over two inputs, cached.

Keyed on the :class:`~calc.dashboard.keys.StateKey` (the base scenario and its
changes), the two axes with their values and the output: a rerun with the same
ones costs a lookup. A grid holds at most
:data:`~calc.dashboard.settings.MAX_SWEEP_STEPS` values per axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

import calc
from calc.dashboard.compute.cache import Drawn, drawn, memo
from calc.dashboard.compute.scenario import library_for, results
from calc.dashboard.compute.titles import as_shown
from calc.dashboard.keys import StateKey
from calc.presentation.charts.sweep import heatmap_chart

__all__ = ["Grid", "grid"]


@dataclass(frozen=True)
class Grid:
    """A swept grid: the output's values over the points, the target multiple its contour
    marks (None for an output without one) and the heatmap, declared and drawn."""

    values: npt.NDArray[np.float64]
    target: float | None
    chart: Drawn


@memo(max_entries=32)
def grid(key: StateKey, x: str, xs: tuple[float, ...], y: str, ys: tuple[float, ...],
         output: str) -> Grid:
    """The heatmap of ``output`` over ``x`` × ``y`` for the state ``key``
    (:func:`calc.presentation.charts.sweep.heatmap_chart`: the scenario's own target
    multiple as the contour of the compute multiple), titled as the page shows the state.

    Raises
    ------
    CapcalcError
        One line when the sweep cannot run (a value outside an input's domain, say).
    """
    result, _ = results(key)
    swept = calc.sweep({"scenario": key.preset, "set": dict(key.sets),
                        "axes": {x: list(xs), y: list(ys)}, "outputs": [output]},
                       library_for(key.upload))
    target = result.scenario.inputs.target.compute_multiplier \
        if output == "compute_multiple" else None
    chart = as_shown(heatmap_chart(swept, output, x, y), key)
    return Grid(np.asarray(swept[output], dtype=float), target,
                drawn(chart, (key, x, xs, y, ys, output)))
