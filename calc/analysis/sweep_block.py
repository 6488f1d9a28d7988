"""One block of a sweep: its points × samples through the vectorised chain, reduced.

A block is a run of consecutive points. Its numeric axis values become arrays
of shape ``(points, 1)`` and the Monte Carlo draws of shape ``(1, samples)``, so
:func:`calc.core.chain.evaluate` computes every point-sample at once by
broadcasting; a build-out flattens them to ``(points × samples,)`` for
:func:`calc.core.fleet.simulate`. The only Python loops are over the
combinations of categorical axes present in the block and over fixed-size
chunks of samples, never over points.

The draws are those :func:`calc.analysis.montecarlo.paired_draws` makes for
the same seed — the samples :func:`calc.simulate` uses — shared by every
point (common random numbers). They depend on the seed and the input's key,
never on the block, so any block size, and serial, pool or cluster runs,
give the same numbers.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.buildout_montecarlo import phase_delays
from calc.analysis.catalog_draws import catalog_draws
from calc.analysis.montecarlo import PairedDraws, paired_draws
from calc.analysis.sweep_plan import TILE_ELEMENTS, Group, SweepPlan, quantile_name
from calc.analysis.sweep_reduce import row_quantiles
from calc.core.chain import evaluate
from calc.core.fleet import simulate as simulate_fleet
from calc.core.months import month_label

__all__ = ["evaluate_block", "reach_quantile", "release_scratch"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Draws of the plans this process has evaluated, per (plan key, group): drawn once each.
_DRAWS: dict[tuple[str, int], tuple[PairedDraws, dict[str, FloatArray]]] = {}


def _draws(plan: SweepPlan, group: Group) -> tuple[PairedDraws, dict[str, FloatArray]]:
    """The group's joint draws, and for a build-out its phases' sampled slips and the
    catalog chips' draws (as :func:`calc.analysis.buildout_montecarlo.simulate_timeline`
    makes them), made once per process."""
    key = (plan.key, group.index)
    if key not in _DRAWS:
        if len(_DRAWS) > 64:  # another plan's draws: not needed again in this process
            _DRAWS.clear()
        assert plan.samples is not None
        draws = paired_draws(plan.library, group.scenario, samples=plan.samples,
                             seed=plan.seed)
        delays = {**phase_delays(group.phases, plan.samples, plan.seed),
                  **catalog_draws(plan.library.baseline.catalog, group.scenario.values,
                                  plan.samples, plan.seed)} if group.phases else {}
        _DRAWS[key] = (draws, delays)
    return _DRAWS[key]


def _numeric(plan: SweepPlan, values: Mapping[str, Any], rows: IntArray | slice
             ) -> dict[str, FloatArray]:
    """The numeric axis values of ``rows``, as float arrays."""
    return {k: np.asarray(values[k][rows], dtype=float) for k in plan.axis_keys
            if k not in plan.categorical}


def _chain_outputs(plan: SweepPlan) -> tuple[str, ...]:
    """What the static chain computes per point-sample: the outputs kept, and the
    compute multiple for P(target)."""
    return tuple(dict.fromkeys(("compute_multiple", *plan.outputs)))


def _static_central(plan: SweepPlan, group: Group, numeric: Mapping[str, FloatArray], n: int
                    ) -> dict[str, FloatArray]:
    """Each kept output at central values, for ``n`` points (the chain on tiles)."""
    values = group.scenario.values
    points = {k: v for k, v in numeric.items() if not k.startswith("timeline")}
    kept = {o: np.empty(n) for o in plan.outputs}
    for first in range(0, n, TILE_ELEMENTS):
        rows = slice(first, min(n, first + TILE_ELEMENTS))
        out = evaluate({**values, **{k: v[rows] for k, v in points.items()}}, group.baseline,
                       outputs=plan.outputs)
        for o, column in kept.items():
            column[rows] = out[o]
    return kept


#: Each thread's buffer for the kept samples of a block, reused from block to block: the
#: allocator maps a fresh array of this size anew each time (a page fault every 4 kB,
#: a tenth of a block's time in a Dask worker, whose allocator returns memory eagerly).
_SCRATCH = threading.local()


def _scratch(count: int, n: int, samples: int) -> list[FloatArray]:
    """``count`` arrays of ``(n, samples)`` floats in this thread's reused buffer."""
    size = n * samples
    buffer: FloatArray | None = getattr(_SCRATCH, "buffer", None)
    if buffer is None or buffer.size < count * size:
        buffer = _SCRATCH.buffer = np.empty(count * size)
    return [buffer[i * size:(i + 1) * size].reshape(n, samples) for i in range(count)]


def release_scratch() -> None:
    """Free this thread's buffer (a sweep in this process is done with it)."""
    _SCRATCH.buffer = None


def _static_sampled(plan: SweepPlan, group: Group, numeric: Mapping[str, FloatArray],
                    n: int) -> dict[str, FloatArray]:
    """P(target) and the quantiles of each output over the samples, for ``n`` points.

    The chain runs on tiles of points × samples of at most :data:`TILE_ELEMENTS`
    (small temporaries, in cache); each point's samples of a kept output go
    into one row, whose quantiles are taken in place at the end
    (:func:`calc.analysis.sweep_reduce.row_quantiles`). Every number
    is elementwise or a count, so the tiling changes none of them.
    """
    draws, _ = _draws(plan, group)
    samples = draws.samples
    chunk = min(samples, TILE_ELEMENTS)
    quantiles = plan.sweep.spec.quantiles
    wanted = _chain_outputs(plan)
    kept = dict(zip(plan.outputs, _scratch(len(plan.outputs), n, samples), strict=True)) \
        if quantiles else {}
    reached = np.zeros(n, dtype=np.int64)
    points = {k: v[:, None] for k, v in numeric.items() if not k.startswith("timeline")}
    step = max(1, TILE_ELEMENTS // chunk)
    for lo in range(0, samples, chunk):
        part = slice(lo, min(samples, lo + chunk))
        sampled = {**draws.fixed, **{k: v[None, part] for k, v in draws.drawn.items()}}
        baseline = draws.baseline_effective[None, part]
        for first in range(0, n, step):
            rows = slice(first, min(n, first + step))
            inputs = {**sampled, **{k: v[rows] for k, v in points.items()}}
            out = evaluate(inputs, baseline, outputs=wanted)
            target = inputs["target.compute_multiplier"]  # an axis's value, or the draws
            reached[rows] += np.count_nonzero(out["compute_multiple"] >= target, axis=1)
            for o, row in kept.items():
                row[rows, part] = out[o]
    result = {"p_target_reached": reached / samples}
    for o, row in kept.items():
        found = row_quantiles(row, quantiles)
        for q, values in zip(quantiles, found, strict=True):
            result[f"{o}_{quantile_name(q)}"] = values
    return result


def _fleet_values(group: Group, numeric: Mapping[str, FloatArray]) -> dict[str, Any]:
    values: dict[str, Any] = dict(group.scenario.values)
    values.update(numeric)
    return values


def _reach_central(plan: SweepPlan, group: Group, numeric: Mapping[str, FloatArray],
                   n: int) -> IntArray:
    """Month index (from the plan's first month) where each point first reaches the target."""
    assert group.phases is not None
    values = _fleet_values(group, numeric)
    baseline = np.full(n, group.baseline)
    arrays = simulate_fleet(values, group.phases, plan.library.baseline.catalog, baseline,
                            until=plan.until, first=month_label(plan.first),
                            outputs=["compute_multiple"], by_generation=False)
    return np.broadcast_to(np.asarray(arrays.reach, dtype=np.int64), (n,)).copy()


def _reach_sampled(plan: SweepPlan, group: Group, numeric: Mapping[str, FloatArray],
                   n: int) -> FloatArray:
    """P(reached by the end of each month), ``(n, months)``."""
    assert group.phases is not None
    draws, delays = _draws(plan, group)
    samples, chunk = draws.samples, plan.sample_chunk
    months = len(plan.months)
    counts = np.zeros((n, months + 1))
    catalog = plan.library.baseline.catalog
    for lo in range(0, samples, chunk):
        part = slice(lo, min(samples, lo + chunk))
        s = part.stop - part.start
        drawn = {**{k: v[part] for k, v in draws.drawn.items()},
                 **{k: v[part] for k, v in delays.items() if k not in numeric}}
        values: dict[str, Any] = {**draws.fixed, **{k: np.tile(v, n) for k, v in drawn.items()},
                                  **{k: np.repeat(v, s) for k, v in numeric.items()}}
        baseline = np.tile(draws.baseline_effective[part], n)
        arrays = simulate_fleet(values, group.phases, catalog, baseline, until=plan.until,
                                first=month_label(plan.first), outputs=["compute_multiple"],
                                by_generation=False)
        reach = np.asarray(arrays.reach, dtype=np.int64).reshape(n, s)
        slot = np.where(reach >= 0, reach, months)  # never reached: the extra slot
        np.add.at(counts, (np.repeat(np.arange(n), s), slot.ravel()), 1.0)
    return np.cumsum(counts[:, :months], axis=1) / samples


def reach_quantile(p_by: FloatArray, q: float) -> IntArray:
    """First month (index) by which a share ``q`` of the samples reached the target; -1 if none.

    >>> reach_quantile(np.array([[0.0, 0.4, 0.6, 1.0]]), 0.5).tolist()
    [2]
    >>> reach_quantile(np.array([[0.0, 0.1]]), 0.5).tolist()
    [-1]
    """
    hit = p_by >= q
    return np.where(hit.any(axis=1), hit.argmax(axis=1), -1).astype(np.int64)


def _buildout(plan: SweepPlan, group: Group, numeric: Mapping[str, FloatArray], n: int
              ) -> dict[str, Any]:
    out: dict[str, Any] = {"reach_month": _reach_central(plan, group, numeric, n)}
    if plan.samples is None:
        return out
    p_by = _reach_sampled(plan, group, numeric, n)
    out["p_target_by"] = p_by
    for q in plan.sweep.spec.quantiles:
        out[f"reach_month_{quantile_name(q)}"] = reach_quantile(p_by, q)
    for month in (*plan.sweep.spec.by, plan.until):
        out[f"p_target_by_{month}"] = p_by[:, plan.months.index(month)]
    return out


def evaluate_block(plan: SweepPlan, index: int) -> dict[str, npt.NDArray[Any]]:
    """Every column of the points of block ``index`` (and ``p_target_by`` of a sampled
    build-out, ``(points, months)``), plus ``group``: each point's categorical combination.
    """
    lo, hi = plan.block_range(index)
    n = hi - lo
    values = plan.design.values(lo, hi)
    group_ids = plan.group_ids(lo, hi)
    dtypes = {c.name: np.dtype(np.int64 if c.integer else float) for c in plan.columns}
    if len(plan.groups) == 1:  # every point in one combination: its arrays as they come
        found = _group(plan, plan.groups[0], _numeric(plan, values, slice(None)), n)
        return {"group": group_ids, **{name: np.require(column, dtype=dtypes.get(name),
                                                        requirements=["C", "W"])
                                       for name, column in found.items()}}
    out: dict[str, npt.NDArray[Any]] = {"group": group_ids}
    for name, dtype in dtypes.items():
        out[name] = np.empty(n, dtype=dtype)
    if plan.keeps_months:
        out["p_target_by"] = np.empty((n, len(plan.months)))
    for group in plan.groups:
        rows = np.flatnonzero(group_ids == group.index)
        if rows.size == 0:
            continue
        for name, column in _group(plan, group, _numeric(plan, values, rows),
                                   rows.size).items():
            out[name][rows] = column
    return out


def _group(plan: SweepPlan, group: Group, numeric: Mapping[str, FloatArray], n: int
           ) -> dict[str, Any]:
    """Every column (and ``p_target_by``) of ``n`` points of one categorical combination."""
    found: dict[str, Any] = {}
    if plan.outputs:
        found.update(_static_central(plan, group, numeric, n))
        if plan.samples is not None:
            found.update(_static_sampled(plan, group, numeric, n))
    if plan.buildout:
        found.update(_buildout(plan, group, numeric, n))
    return found
