"""A sweep planned against the library: its scenarios, columns, blocks and memory, checked.

:func:`plan_sweep` resolves a checked sweep file once, before any block runs:
one scenario per combination of the categorical axes (chips, precisions),
with every other axis set to a representative value so that the scenario's
structure — which inputs are sampled, which are shared with the baseline —
is the one every point of the combination has; the baseline's measure; the
build-out's months; what each point keeps (its columns, with units); the
block size; and a check that the whole sweep fits in memory, refused up
front with the largest size that does. The plan is plain, picklable data: it
is what a worker process or a Dask worker receives.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.buildout_montecarlo import timeline_memory_budget
from calc.analysis.provenance import assumptions_hash
from calc.analysis.run import baseline_measure
from calc.analysis.slip import NO_SLIP, SlipDistribution, default_slip, with_slip
from calc.analysis.sweep_design import Design, design_of
from calc.core.errors import CapcalcError
from calc.core.months import DEFAULT_UNTIL, month_index, month_label
from calc.core.phases import Phase, phase_key
from calc.core.version import __version__
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.data.phases import apply_phase_sets, parse_phase_key
from calc.data.records import PeerRecords
from calc.data.scenarios import Library, Scenario
from calc.data.sweep_file import Axis, SweepFile

__all__ = [
    "TILE_ELEMENTS",
    "Column",
    "Group",
    "SweepPlan",
    "plan_sweep",
    "quantile_name",
]

IntArray = npt.NDArray[np.int64]

#: Points per block of a sweep of the static chain without samples.
STATIC_ELEMENTS = 1 << 19
#: Point-samples per block of a sampled sweep of the static chain: a block holds each
#: kept output's samples for their quantiles (64 MiB each), and takes about 0.1 s, so
#: that a pool's or a Dask cluster's cost per block stays small beside it.
SAMPLED_ELEMENTS = 1 << 23
#: Sample-months a block of a build-out evaluates at once.
BUILDOUT_ELEMENTS = 1 << 22
#: Samples evaluated together within a block: fixed, so no block size changes a result.
SAMPLE_CHUNK = 1 << 14
#: Point-samples the static chain evaluates at once within a block. Its temporaries (a
#: few arrays of this many floats, 120 kB each) stay in a core's cache and below glibc's
#: 128 KiB threshold for mapping memory anew: a Dask worker fixes that threshold (it sets
#: MALLOC_TRIM_THRESHOLD_), and larger arrays there cost a page fault per 4 kB, each time.
TILE_ELEMENTS = 15_000
#: Bytes one point-sample takes while the static chain runs (every output and its inputs).
_STATIC_BYTES = 8 * 40
#: Bytes a point-sample's kept output takes until the block's quantiles are taken.
_KEPT_BYTES = 8
#: Bytes one sample-month takes while the build-out core runs (running totals, series).
_BUILDOUT_BYTES = 8 * 12
#: A sweep may take this share of the memory free when it starts.
_SHARE_WORDS = "half of the memory free"


def quantile_name(q: float) -> str:
    """The suffix of a quantile's column: ``p5``, ``p50``, ``p2.5``.

    >>> quantile_name(0.05), quantile_name(0.5), quantile_name(0.025)
    ('p5', 'p50', 'p2.5')
    """
    return f"p{round(q * 100, 6):g}"


@dataclass(frozen=True)
class Column:
    """One thing a sweep keeps per point: its name, unit and what it is."""

    name: str
    unit: str
    description: str
    integer: bool = False


@dataclass(frozen=True)
class Group:
    """One combination of the categorical axes, resolved: every point in it shares these.

    ``scenario`` has the sweep's ``set`` applied, the categorical values and a
    representative value of every numeric axis (which the points replace);
    ``baseline`` is its baseline's measure; ``phases`` its build-out, if any.
    """

    index: int
    choice: tuple[str, ...]
    scenario: Scenario
    baseline: float
    phases: tuple[Phase, ...] | None
    #: The slip announced phases take (None: none), and the phases before it was added.
    slip: SlipDistribution | None = None
    unslipped: tuple[Phase, ...] | None = None

    def slips(self, index: int) -> bool:
        """Whether phase ``index`` takes the slip when its delay is on an axis (an announced
        phase, whose axis value is then a fixed delay with no range of its own)."""
        return self.slip is not None and self.unslipped is not None \
            and self.unslipped[index].status == "announced"

    def delayed(self, index: int, delay: float) -> Phase:
        """Phase ``index`` of a point whose delay axis says ``delay``: the delay announced,
        plus the slip — as ``--set timeline[N].delay_months=`` and then the slip are in
        ``capcalc timeline``."""
        assert self.unslipped is not None
        phase = replace(self.unslipped[index], delay_months=int(delay), delay_low=None,
                        delay_high=None)
        return with_slip((phase,), self.slip)[0] if self.slip is not None else phase


@dataclass(frozen=True)
class SweepPlan:
    """Everything a block needs, and how the sweep is cut into blocks."""

    sweep: SweepFile
    library: Library
    design: Design
    axis_keys: tuple[str, ...]
    categorical: tuple[str, ...]
    groups: tuple[Group, ...]
    outputs: tuple[str, ...]
    buildout: bool
    samples: int | None
    seed: int
    first: int
    until: str
    months: tuple[str, ...]
    block_size: int
    columns: tuple[Column, ...]
    key: str
    attrs: dict[str, Any]

    @property
    def points(self) -> int:
        """Points of the sweep."""
        return self.design.points

    @property
    def blocks(self) -> int:
        """Blocks of :attr:`block_size` points (the last may be shorter)."""
        return -(-self.points // self.block_size)

    def block_range(self, index: int) -> tuple[int, int]:
        """First and one-past-last point of block ``index``."""
        lo = index * self.block_size
        return lo, min(self.points, lo + self.block_size)

    @property
    def sample_chunk(self) -> int:
        """Samples evaluated at once within a block (the same whatever the block size)."""
        return min(self.samples or 1, SAMPLE_CHUNK)

    @property
    def keeps_months(self) -> bool:
        """Whether each point keeps P(target by month) for every month (a sampled build-out)."""
        return self.buildout and self.samples is not None

    def group_ids(self, lo: int, hi: int) -> IntArray:
        """Which :class:`Group` each of points ``lo:hi`` belongs to."""
        if not self.categorical:
            return np.zeros(hi - lo, dtype=np.int64)
        where = self.design.positions(lo, hi)
        lengths = [len(_axis(self.design, k).values or ()) for k in self.categorical]
        return np.asarray(np.ravel_multi_index([where[k] for k in self.categorical], lengths),
                          dtype=np.int64)


def axis_unit(key: str) -> str:
    """Unit of an axis key: the input's, MW or month for a phase field.

    >>> axis_unit("site.facility_power_mw"), axis_unit("timeline[1].delay_months")
    ('MW', 'month')
    """
    if key.startswith("timeline"):
        return "MW" if key.endswith("facility_power_mw") else "month"
    return INPUTS[key].unit


def _axis(design: Design, key: str) -> Axis:
    return next(a for a in (*design.grid, *design.ranges) if a.key == key)


def _canonical_axes(sweep: SweepFile, scenario: Scenario) -> tuple[Axis, ...]:
    """The axes with every phase key written ``timeline[N].FIELD`` (N its position)."""
    out = []
    for axis in sweep.axes:
        if axis.key.startswith("timeline"):
            if scenario.timeline is None:
                raise CapcalcError(f"scenario {scenario.name!r} has no timeline to vary",
                                   file=sweep.origin, key=f"axes.{axis.key}")
            try:
                parsed = parse_phase_key(axis.key, scenario.timeline)
            except CapcalcError as exc:
                raise exc.at(file=sweep.origin) from None
            assert parsed is not None
            axis = Axis(phase_key(*parsed), values=axis.values, low=axis.low, high=axis.high,
                        log=axis.log)
        out.append(axis)
    keys = [a.key for a in out]
    if len(set(keys)) != len(keys):
        raise CapcalcError("names one key twice", file=sweep.origin, key="axes")
    if set(keys) >= {"site.facility_power_mw", "site.accelerators"}:
        raise CapcalcError("site.facility_power_mw and site.accelerators both size the site; "
                           "sweep one of them", file=sweep.origin, key="axes")
    return tuple(out)


def _phase_text(key: str, value: Any) -> Any:
    """A phase axis's value as ``--set`` writes it (a month index back to ``YYYY-MM``)."""
    if key.endswith(".start"):
        return month_label(int(value))
    if key.endswith(".delay_months"):
        return int(value)
    return float(value)


def _representative(axis: Axis) -> Any:
    return axis.values[0] if axis.values is not None else axis.low


def _check_phase_extremes(axes: Sequence[Axis], phases: tuple[Phase, ...], origin: str) -> None:
    """Each phase axis at its lowest and highest value keeps the build-out valid."""
    for axis in axes:
        if not axis.key.startswith("timeline"):
            continue
        listed = axis.values if axis.values is not None else (axis.low, axis.high)
        for value in (min(listed), max(listed)):
            try:
                apply_phase_sets(phases, [(axis.key, _phase_text(axis.key, value))], file=origin)
            except CapcalcError as exc:
                raise exc.at(file=origin, key=f"axes.{axis.key}") from None


def _base_library(library: Library, sweep: SweepFile) -> Library:
    if sweep.spec.scenarios is None:
        return library
    path = Path(sweep.spec.scenarios)
    if not path.is_absolute() and sweep.folder is not None:
        path = sweep.folder / path
    return library.add_file(path)[0]


def _groups(library: Library, sweep: SweepFile, axes: tuple[Axis, ...],
            categorical: tuple[str, ...], slip: SlipDistribution | None) -> tuple[Group, ...]:
    spec = sweep.spec
    where = f"{sweep.origin}: set"
    input_sets = [(k, v) for k, v in spec.set.items() if not k.startswith("timeline")]
    phase_sets = [(k, v) for k, v in spec.set.items() if k.startswith("timeline")]
    numeric = [a for a in axes if a.key not in categorical]
    numeric_sets = [(a.key, _representative(a)) for a in numeric
                    if not a.key.startswith("timeline")]
    phase_axis_sets = [(a.key, _phase_text(a.key, _representative(a))) for a in numeric
                       if a.key.startswith("timeline")]
    listed = [next(a for a in axes if a.key == k).values or () for k in categorical]
    groups = []
    for index, choice in enumerate(itertools.product(*listed)):
        try:
            base = library.scenario(spec.scenario, input_sets, set_origin=where)
            scenario = library.scenario(
                spec.scenario, [*input_sets, *zip(categorical, choice, strict=True),
                                *numeric_sets], set_origin=sweep.origin)
        except CapcalcError as exc:
            raise exc.at(file=exc.file or sweep.origin) from None
        if scenario.meet_target is not None:
            raise CapcalcError(
                f"scenario {spec.scenario!r} solves {scenario.meet_target} to reach the target "
                f"(meet_target); a sweep evaluates each point as given: put "
                f"{scenario.meet_target} on an axis, or sweep a scenario without meet_target",
                file=sweep.origin, key="scenario")
        phases = unslipped = None
        if sweep.buildout or phase_sets or phase_axis_sets:
            if base.timeline is None:
                raise CapcalcError(
                    f"scenario {spec.scenario!r} has no timeline; reach_month, p_target_by, "
                    "by and phase axes need a build-out (e.g. cortex-buildout)",
                    file=sweep.origin, key="scenario")
            fixed = apply_phase_sets(base.timeline, phase_sets, file=where,
                                     catalog=library.baseline.catalog)
            _check_phase_extremes(axes, fixed, sweep.origin)
            unslipped = apply_phase_sets(fixed, phase_axis_sets, file=sweep.origin,
                                         catalog=library.baseline.catalog)
            phases = with_slip(unslipped, slip) if slip is not None else unslipped
        groups.append(Group(index=index, choice=tuple(str(c) for c in choice),
                            scenario=scenario, baseline=baseline_measure(library, scenario),
                            phases=phases, slip=slip if phases is not None else None,
                            unslipped=unslipped))
    return tuple(groups)


def _columns(outputs: Sequence[str], samples: int | None, quantiles: Sequence[float],
             buildout: bool, by: Sequence[str], until: str) -> tuple[Column, ...]:
    static = [o for o in outputs if o in OUTPUTS]
    out = [Column(o, OUTPUTS[o].unit, f"{OUTPUTS[o].title} at central values") for o in static]
    if samples is not None and static:
        out.append(Column("p_target_reached", "1",
                          "P(compute multiple ≥ target multiple) over the samples"))
        for o in static:
            out += [Column(f"{o}_{quantile_name(q)}", OUTPUTS[o].unit,
                           f"{OUTPUTS[o].title}: {q:.4g} quantile over the samples")
                    for q in quantiles]
    if buildout:
        out.append(Column("reach_month", "month",
                          "Month the target multiple is first reached at central values "
                          "(empty: not by the horizon)", integer=True))
        if samples is not None:
            out += [Column(f"reach_month_{quantile_name(q)}", "month",
                           f"Month by which a share {q:.4g} of the samples reach the target",
                           integer=True) for q in quantiles]
            for month in (*by, until):
                out.append(Column(f"p_target_by_{month}", "1",
                                  f"P(the target multiple is reached by {month})"))
    names = [c.name for c in out]
    return tuple(c for i, c in enumerate(out) if c.name not in names[:i])


def _block_size(sweep: SweepFile, samples: int | None, buildout: bool, months: int,
                origin: str) -> int:
    if buildout:
        per_point = max(1, min(samples or 1, SAMPLE_CHUNK))
        elements = max(1, BUILDOUT_ELEMENTS // (months + 1))
    else:
        per_point, elements = (samples, SAMPLED_ELEMENTS) if samples else (1, STATIC_ELEMENTS)
    largest = max(1, elements * 8 // per_point)  # a user's block may be 8× the default
    chosen = sweep.spec.block_size
    if chosen is None:
        return max(1, elements // per_point)
    if chosen > largest:
        raise CapcalcError(f"{chosen:,} points per block with {per_point:,} samples held "
                           f"at once would hold too much at a time; at most {largest:,} fit",
                           file=origin, key="block_size")
    return chosen


def _size(n: float) -> str:
    """Bytes for people.

    >>> _size(8.7e6), _size(1.5e10)
    ('8.7 MB', '15 GB')
    """
    return f"{n / 1e6:.2g} MB" if n < 1e9 else f"{n / 1e9:.2g} GB"


def _check_memory(points: int, columns: int, months: int, block: int, samples: int | None,
                  drawn: int, kept: int, buildout: bool, budget: int | None,
                  origin: str) -> None:
    """Refuse a sweep whose kept results and one block's work exceed ``budget`` bytes.

    A block's work is the build-out core's arrays, or the static chain's on one
    tile (:data:`TILE_ELEMENTS`) beside the samples of the ``kept`` outputs
    whose quantiles the block takes; the draws are held once.
    """
    if budget is None:
        return
    per_point = 8 * (columns + 4 + (months if buildout and samples else 0)) * 2
    if buildout:
        work = block * min(samples or 1, SAMPLE_CHUNK) * _BUILDOUT_BYTES * (months + 1)
    else:
        work = min(block * (samples or 1), TILE_ELEMENTS) * _STATIC_BYTES + block * 8 * 4
    held = block * (samples or 0) * _KEPT_BYTES * kept + (samples or 0) * drawn * 8 * 3
    need = points * per_point + work + held
    if need > budget:
        largest = max(0, (budget - work - held) // per_point)
        raise CapcalcError(
            f"{points:,} points need about {_size(need)} of memory, more than the "
            f"{_size(budget)} a sweep may take ({_SHARE_WORDS}); at most {largest:,} points "
            "fit: use fewer values or design points, or split the sweep", file=origin,
            key="axes")


def _slip(sweep: SweepFile, records: PeerRecords | None, operator: str | None
          ) -> SlipDistribution | None:
    """The slip a build-out sweep's announced phases take: the sweep's ``slip:`` record
    (default the story's ``operator``'s, as ``capcalc timeline``), None for ``none`` or no
    build-out."""
    record = sweep.spec.slip
    if not sweep.buildout or (record is not None and record.strip().lower() == NO_SLIP):
        return None
    if records is None:
        # deferred: the cached schedule record, only for a build-out sweep
        from calc.data.cache import shipped_records

        records = shipped_records()
    try:
        return default_slip(records, record, operator=operator)
    except CapcalcError as exc:  # a record not found is the sweep file's; a bad one peers.yaml's
        raise (exc.at(file=sweep.origin) if exc.key == "slip" else exc) from None


def plan_sweep(library: Library, sweep: SweepFile, *, block_size: int | None = None,
               memory_budget: int | None = None,
               records: PeerRecords | None = None) -> SweepPlan:
    """Resolve ``sweep`` against ``library`` and cut it into blocks.

    Parameters
    ----------
    library : Library
        Baseline and scenarios (``calc.load()``).
    sweep : SweepFile
        A checked sweep (:func:`calc.data.sweep_file.read_sweep`).
    block_size : int, optional
        Points per block, overriding the file's ``block_size``.
    memory_budget : int, optional
        Bytes the sweep may take; default half the memory free.
    records : PeerRecords, optional
        The schedule record a build-out's slip is fitted on (default capcalc's
        ``peers.yaml``).

    Raises
    ------
    CapcalcError
        A scenario or phase that does not exist, an axis outside the build-out's
        valid values, or a sweep too large for memory (naming the largest that fits).
    """
    if block_size is not None:
        if block_size < 1:
            raise CapcalcError(f"must be at least 1 (got {block_size})", key="block_size")
        sweep = SweepFile(spec=sweep.spec.model_copy(update={"block_size": block_size}),
                          axes=sweep.axes, origin=sweep.origin, folder=sweep.folder)
    spec = sweep.spec
    library = _base_library(library, sweep)
    try:
        base = library.scenario(spec.scenario)
    except CapcalcError as exc:
        raise exc.at(file=exc.file or sweep.origin, key=exc.key or "scenario") from None
    axes = _canonical_axes(sweep, base)
    categorical = tuple(a.key for a in axes if a.categorical)
    slip = _slip(sweep, records, library.story.operator)
    groups = _groups(library, sweep, axes, categorical, slip)
    design = design_of(axes, spec.design, spec.points, spec.seed)
    until = month_label(month_index(spec.until or DEFAULT_UNTIL, key="until"))
    first = month_index(until)
    months: tuple[str, ...] = ()
    if sweep.buildout:
        starts = [p.start_month for g in groups for p in g.phases or ()]
        for axis in axes:
            if axis.key.endswith(".start"):
                listed = axis.values if axis.values is not None else (axis.low, axis.high)
                starts.append(int(min(listed)))
        first = min(starts)
        if first > month_index(until):
            raise CapcalcError(f"{until} is before the build-out starts ({month_label(first)})",
                               file=sweep.origin, key="until")
        months = tuple(month_label(m) for m in range(first, month_index(until) + 1))
    outputs = tuple(o for o in spec.outputs if o in OUTPUTS)
    quantiles = tuple(spec.quantiles)
    columns = _columns(spec.outputs, spec.samples, quantiles, sweep.buildout, spec.by, until)
    size = _block_size(sweep, spec.samples, sweep.buildout, len(months), sweep.origin)
    drawn = len(INPUTS) + len(groups[0].phases or ())
    budget = timeline_memory_budget() if memory_budget is None else memory_budget
    kept = len(outputs) if spec.samples and quantiles else 0
    _check_memory(design.points, len(columns), len(months), size, spec.samples, drawn, kept,
                  sweep.buildout, budget, sweep.origin)
    baselines = [library.scenario(n) for n in sorted({g.scenario.baseline_name for g in groups})]
    digest = assumptions_hash([*(g.scenario for g in groups), *baselines],
                              catalog=library.baseline.catalog,
                              phases=[g.phases for g in groups])
    attrs: dict[str, Any] = {
        "scenario": spec.scenario,
        "baseline": groups[0].scenario.baseline_name,
        "target_multiple": float(groups[0].scenario.inputs.target.compute_multiplier),
        "assumptions_hash": digest,
        "seed": spec.seed,
        "samples": spec.samples or 0,
        "design": spec.design if design.ranges else "grid",
        "points": design.points,
        "capcalc_version": __version__,
        "sweep_file": sweep.origin,
    }
    if sweep.buildout:
        attrs["until"] = until
        attrs["slip"] = "none" if slip is None else slip.described
    document = {"spec": spec.model_dump(mode="json", exclude={"block_size"}),
                "axes": [repr(a) for a in axes], "assumptions": digest,
                "version": __version__}
    key = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:20]
    return SweepPlan(sweep=sweep, library=library, design=design,
                     axis_keys=tuple(a.key for a in axes), categorical=categorical,
                     groups=groups, outputs=outputs, buildout=sweep.buildout,
                     samples=spec.samples, seed=spec.seed, first=first, until=until,
                     months=months, block_size=size, columns=columns, key=key, attrs=attrs)
