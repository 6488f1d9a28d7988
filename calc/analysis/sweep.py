"""Sweeps: a scenario's outcomes over a grid or design of inputs, in blocks, anywhere.

:func:`sweep` reads a sweep (a file or a dict), plans it
(:mod:`calc.analysis.sweep_plan`), and evaluates its blocks
(:mod:`calc.analysis.sweep_block`) in this process, on a local process pool
(``workers``) or on a Dask cluster (``client``: any ``distributed.Client``,
through its ``concurrent.futures`` executor). Every back-end runs the same
function on the same picklable plan, and the random draws depend on the
seed and the input's key alone, so every back-end and block size gives the
same numbers.

With ``out``, each block's results are written to the sweep's journal as
soon as the block finishes (:mod:`calc.data.sweep_journal`): a killed sweep
started again with the same ``out`` reads the finished blocks back and
computes only the others.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.sweep_block import evaluate_block, release_scratch
from calc.analysis.sweep_plan import SweepPlan, axis_unit, plan_sweep
from calc.analysis.sweep_result import SweepResult
from calc.core.errors import CapcalcError
from calc.core.months import month_label
from calc.core.vocabulary import INPUTS
from calc.data.scenarios import Library
from calc.data.sweep_file import SweepFile, read_sweep
from calc.data.sweep_journal import open_journal

__all__ = ["run_block", "sweep"]

logger = logging.getLogger(__name__)

Arrays = dict[str, npt.NDArray[Any]]
Progress = Callable[[float], None]

#: The plan a pool worker received when it started, by the plan's key.
_PLANS: dict[str, SweepPlan] = {}


def run_block(plan: SweepPlan, index: int) -> Arrays:
    """Evaluate block ``index`` of ``plan`` (what a Dask worker runs)."""
    return evaluate_block(plan, index)


def _install(plan: SweepPlan) -> None:
    """A pool worker's initializer: keep the plan (sent once per worker, not per block)."""
    _PLANS.clear()
    _PLANS[plan.key] = plan


def _run_installed(key: str, index: int) -> Arrays:
    return evaluate_block(_PLANS[key], index)


def _execute(plan: SweepPlan, pending: list[int], done: Callable[[int, Arrays], None], *,
             workers: int | None, client: Any) -> None:
    """Evaluate ``pending`` blocks serially, on a process pool or a Dask client;
    call ``done(index, arrays)`` in this process as each one finishes."""
    if not pending:
        return
    if client is None and (workers is None or workers <= 1):
        try:
            for index in pending:
                done(index, evaluate_block(plan, index))
        finally:
            release_scratch()
        return
    # the design's unit cube travels with the plan (this process needs it anyway), so no
    # worker imports scipy or recomputes the design
    _ = plan.design.unit
    if client is not None:
        # the plan goes to every worker once; each task names only its block
        shared = client.scatter(plan, broadcast=True, hash=False)
        executor = client.get_executor(pure=False)
        futures = {executor.submit(run_block, shared, i): i for i in pending}
        try:
            for future in cf.as_completed(futures):
                done(futures[future], future.result())
        finally:
            for future in futures:
                future.cancel()
        return
    assert workers is not None
    # forkserver: workers fork from a server that has imported capcalc once (fast, and safe
    # with the threads a parent may run), and scipy.optimize, which fitting a truncated
    # input's distribution needs (0.25 s a worker otherwise); spawn where there is no fork
    context: multiprocessing.context.BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["calc.analysis.sweep", "scipy.optimize"])
    else:  # pragma: no cover - Windows
        context = multiprocessing.get_context("spawn")
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                  initializer=_install, initargs=(plan,))
    try:
        futures = {pool.submit(_run_installed, plan.key, i): i for i in pending}
        for future in cf.as_completed(futures):
            done(futures[future], future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _reference(plan: SweepPlan) -> dict[str, Any]:
    """The base scenario's own value of each axis (its phases' for phase fields)."""
    library, spec = plan.library, plan.sweep.spec
    base = library.scenario(spec.scenario, [(k, v) for k, v in spec.set.items()
                                            if not k.startswith("timeline")])
    phases = base.timeline or ()
    out: dict[str, Any] = {}
    for key in plan.axis_keys:
        if key.startswith("timeline"):
            index = int(key[key.index("[") + 1:key.index("]")])
            field = key.rsplit(".", 1)[1]
            phase = phases[index]
            out[key] = {"start": float(phase.start_month), "delay_months":
                        float(phase.delay_months)}.get(field, phase.facility_power_mw)
        else:
            out[key] = base[key]
    return out


def _joined(parts: list[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """The blocks' arrays end to end (the one block's array itself when there is one)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _assemble(plan: SweepPlan, parts: Mapping[int, Arrays], computed: int,
              resumed: int) -> SweepResult:
    """The blocks joined in order into one :class:`SweepResult`."""
    ordered = [parts[i] for i in range(plan.blocks)]
    axes = plan.design.values(0, plan.points)
    columns: dict[str, npt.NDArray[Any]] = {}
    for key in plan.axis_keys:
        values = np.asarray(axes[key])
        columns[key] = values.astype(str) if key in plan.categorical else \
            np.asarray(values, dtype=float)
    for column in plan.columns:
        columns[column.name] = _joined([p[column.name] for p in ordered])
    units = {key: axis_unit(key) for key in plan.axis_keys}
    descriptions = {key: (INPUTS[key].title if key in INPUTS else "phase field")
                    for key in plan.axis_keys}
    for column in plan.columns:
        units[column.name] = column.unit
        descriptions[column.name] = column.description
    starts = {k for k in plan.axis_keys if k.endswith(".start")}
    for key in starts:  # a phase's start is a month: shown as one
        columns[key] = np.array([month_label(int(m)) for m in columns[key]], dtype=object)
    grid = None if plan.design.ranges else tuple(
        (a.key, tuple(a.values or ())) for a in plan.design.grid)
    return SweepResult(
        axes=plan.axis_keys, columns=columns, units=units, descriptions=descriptions,
        months=plan.months,
        p_target_by=_joined([p["p_target_by"] for p in ordered])
        if plan.keeps_months else None,
        grid=grid, reference=_reference(plan), attrs=dict(plan.attrs),
        computed=computed, resumed=resumed,
        month_columns=frozenset(c.name for c in plan.columns if c.unit == "month"))


def _valid(plan: SweepPlan, index: int, arrays: Arrays | None) -> bool:
    if arrays is None:
        return False
    lo, hi = plan.block_range(index)
    needed = [c.name for c in plan.columns] + (["p_target_by"] if plan.keeps_months else [])
    return all(name in arrays and len(arrays[name]) == hi - lo for name in needed)


def sweep(source: Path | str | Mapping[str, Any] | SweepFile, library: Library | None = None,
          *, out: Path | str | None = None, workers: int | None = None, client: Any = None,
          block_size: int | None = None, restart: bool = False,
          progress: Progress | None = None, memory_budget: int | None = None) -> SweepResult:
    """Run a sweep: every point's outputs and reductions, block by block.

    Parameters
    ----------
    source : path, dict or SweepFile
        A sweep file, or the same tree as a dict (``{"scenario": ..., "axes": ...}``).
    library : Library, optional
        Baseline and scenarios; default capcalc's own (``calc.load()``).
    out : path, optional
        Folder of the sweep's journal: each finished block is written there, and a
        sweep started again with the same ``out`` computes only the missing blocks.
    workers : int, optional
        Run blocks on a local pool of this many processes.
    client : distributed.Client, optional
        Run blocks on a Dask cluster.
    block_size : int, optional
        Points per block (the results do not depend on it).
    restart : bool
        Discard a journal in ``out`` that belongs to another sweep.
    progress : callable, optional
        Called with the fraction of blocks done after each block.
    memory_budget : int, optional
        Bytes the sweep may take (default half the memory free); a larger sweep is
        refused before it starts, naming the most points that fit.

    Examples
    --------
    >>> import calc
    >>> result = calc.sweep({"scenario": "cortex-phase1",
    ...                      "axes": {"site.facility_power_mw": [100, 1000]}})
    >>> [round(float(m), 2) for m in result["compute_multiple"]]
    [0.86, 8.56]
    """
    checked = source if isinstance(source, SweepFile) else read_sweep(source)
    if library is None:
        # deferred: the cached shipped library, as the command line loads it
        from calc.data.cache import shipped_library

        library = shipped_library()
    if workers is not None and workers < 1:
        raise CapcalcError(f"must be at least 1 (got {workers})", key="workers")
    plan = plan_sweep(library, checked, block_size=block_size, memory_budget=memory_budget)
    total = plan.blocks
    parts: dict[int, Arrays] = {}

    def finished(journal_write: Callable[[int, Arrays], None] | None) -> Callable[
            [int, Arrays], None]:
        def done(index: int, arrays: Arrays) -> None:
            if journal_write is not None:
                journal_write(index, arrays)
            parts[index] = arrays
            if progress is not None:
                progress(len(parts) / total)
        return done

    resumed = 0
    if out is None:
        pending = list(range(total))
        _execute(plan, pending, finished(None), workers=workers, client=client)
    else:
        description = {"scenario": plan.sweep.spec.scenario, "points": plan.points,
                       "capcalc_version": plan.attrs["capcalc_version"]}
        with open_journal(Path(out), plan.key, plan.block_size, description,
                          restart=restart) as journal:
            if journal.block_size != plan.block_size:
                if block_size is not None or checked.spec.block_size is not None:
                    raise CapcalcError(
                        f"holds this sweep in blocks of {journal.block_size:,} points; resume "
                        f"with --block-size {journal.block_size} (the results are the same), "
                        "or choose another --out", file=str(Path(out) / journal.folder.name))
                plan = plan_sweep(library, checked, block_size=journal.block_size,
                                  memory_budget=memory_budget)
                total = plan.blocks
            for index in sorted(journal.done(total)):
                arrays = journal.read(index)
                if _valid(plan, index, arrays):
                    assert arrays is not None
                    parts[index] = arrays
            resumed = len(parts)
            if progress is not None and resumed:
                progress(resumed / total)
            pending = [i for i in range(total) if i not in parts]
            _execute(plan, pending, finished(journal.write), workers=workers, client=client)
    logger.debug("sweep %s: %d blocks, %d computed, %d resumed", plan.key, total,
                 total - resumed, resumed)
    return _assemble(plan, parts, total - resumed, resumed)

