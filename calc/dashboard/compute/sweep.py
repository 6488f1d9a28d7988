"""The Sweep view's grid: :func:`calc.sweep` of the state over two inputs, cached.

Keyed on the :class:`~calc.dashboard.keys.StateKey` (the base scenario and its
changes), the two axes with their values and the output: a rerun with the same
ones costs a lookup. A grid holds at most
:data:`~calc.dashboard.settings.MAX_SWEEP_STEPS` values per axis.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import calc
from calc.dashboard.compute.cache import memo
from calc.dashboard.compute.scenario import library_for, results
from calc.dashboard.compute.titles import changes_line
from calc.dashboard.keys import StateKey
from calc.presentation.charts.sweep import Heatmap, heatmap, heatmap_spec

__all__ = ["grid"]


@memo(max_entries=32)
def grid(key: StateKey, x: str, xs: tuple[float, ...], y: str, ys: tuple[float, ...],
         output: str, title: str) -> tuple[Heatmap, dict[str, Any]]:
    """The heatmap of ``output`` over ``x`` × ``y`` for the state ``key`` (the scenario's own
    target multiple as the contour of the compute multiple), and its Vega-Lite spec.

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
    found = heatmap(swept, output, target=target)
    changed = changes_line(key)
    if changed:  # the changes end the provenance line, as every chart of a changed state
        found = replace(found, table=replace(found.table,
                                             caption=f"{found.table.caption} · {changed}"))
    return found, heatmap_spec(found, title=title)
