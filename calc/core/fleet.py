"""Fleet accounting: a build-out's phases, month by month, to fleet, compute, cost and energy.

A site is a list of phases. Each phase has a start month, the site's *total*
facility power from then on, and the accelerator installed in the capacity it
adds (the power above the previous phase's, in list order). A phase may slip
by ``delay_months``; its hardware retires after ``cost.hardware_lifetime_years``
and, with ``refresh``, is replaced by the then-current generation in the same
power (see :mod:`calc.core.generations`).

:func:`simulate` is pure and vectorised: every input may be a float or an
array of samples of shape ``(samples,)``; months broadcast, so series come
back as ``(months,)`` for floats and ``(samples, months)`` for samples. Each
install is a constant contribution between two months, so the fleet is built
with one scatter per install and one cumulative sum per series.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.core.chain import (
    accelerators_for_power,
    annual_electricity_cost_usd,
    annual_energy_mwh,
    compute_multiple,
    effective_flop_per_s,
    facility_w_per_accelerator,
    h100_equivalents,
    peak_flop_per_s,
    training_flop_per_run,
)
from calc.core.constants import CURRENCY, MONTHS_PER_YEAR, SECONDS_PER_MONTH
from calc.core.errors import CapcalcError, suggest
from calc.core.generations import Chip, Generations, generations
from calc.core.months import DEFAULT_UNTIL, month_index, month_label
from calc.core.phases import LATEST, Phase, phase_key
from calc.core.vocabulary import CATALOG_FIELDS, INPUTS, OutputSpec

__all__ = [
    "MAX_MONTHS",
    "TIMELINE_OUTPUTS",
    "TimelineArrays",
    "first_reached",
    "simulate",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_REACH_TOLERANCE = 1e-9  # relative: rounding in a solved input still reaches its target
#: Longest timeline, in months: a century, beyond any build-out worth charting.
MAX_MONTHS = 1200


_SERIES: tuple[OutputSpec, ...] = (
    OutputSpec("facility_power_mw", "Facility power", "MW",
               "The site's built facility power: the total of the phases started."),
    OutputSpec("facility_power_in_use_mw", "Facility power in use", "MW",
               "Facility power of the hardware not yet retired."),
    OutputSpec("accelerators", "Chips", "accelerator",
               "Chips installed and not yet retired, all generations."),
    OutputSpec("h100_equivalents", "H100-equivalents", "H100e",
               "Dense 8-bit FLOP/s of the fleet ÷ 1.979e15."),
    OutputSpec("peak_flop_per_s", "Peak FLOP/s", "FLOP/s",
               "Dense peak of the fleet at the training precision."),
    OutputSpec("effective_flop_per_s", "Effective FLOP/s", "FLOP/s",
               "Peak FLOP/s × MFU × availability."),
    OutputSpec("compute_multiple", "Compute multiple", "1",
               "Effective FLOP/s ÷ the baseline scenario's."),
    OutputSpec("training_flop_per_run", "Training FLOP per run", "FLOP",
               "A run of training.run_days at the month's effective FLOP/s."),
    OutputSpec("training_flop_cumulative", "Cumulative training FLOP", "FLOP",
               "Effective FLOP/s summed over the months so far (a month = 365/12 days)."),
    OutputSpec("capex_cumulative_usd", "Cumulative capex", CURRENCY,
               "Chips (every install and refresh) and facility (once per phase) so far."),
    OutputSpec("energy_mwh", "Energy per month", "MWh",
               "Facility power in use × load factor over one month."),
    OutputSpec("energy_cumulative_mwh", "Cumulative energy", "MWh",
               "Energy summed over the months so far."),
    OutputSpec("electricity_cost_cumulative_usd", "Cumulative electricity cost", CURRENCY,
               "Energy so far × electricity price."),
    OutputSpec("accelerator_tdp_w", "Chip TDP in use", "W",
               "Board power of every accelerator in use (for the levers of the multiple)."),
)
#: Every monthly series :func:`simulate` can return, with unit and meaning.
TIMELINE_OUTPUTS: dict[str, OutputSpec] = {spec.name: spec for spec in _SERIES}

#: Running totals each series is built from.
_NEEDS: dict[str, tuple[str, ...]] = {
    "facility_power_mw": ("built",),
    "facility_power_in_use_mw": ("in_use",),
    "accelerators": ("count",),
    "h100_equivalents": ("h100e",),
    "peak_flop_per_s": ("peak",),
    "effective_flop_per_s": ("peak",),
    "compute_multiple": ("peak",),
    "training_flop_per_run": ("peak",),
    "training_flop_cumulative": ("peak",),
    "capex_cumulative_usd": ("capex",),
    "energy_mwh": ("in_use",),
    "energy_cumulative_mwh": ("in_use",),
    "electricity_cost_cumulative_usd": ("in_use",),
    "accelerator_tdp_w": ("tdp",),
}

_CHIP_FIELDS = {  # hardware key → name inside the core
    "hardware.tdp_w": "tdp_w",
    "hardware.server_overhead": "server_overhead",
    "hardware.peak_flop_per_s": "peak",
    "hardware.peak_8bit_flop_per_s": "peak8",
    "cost.accelerator_capex_usd": "capex",
}


@dataclass(frozen=True)
class TimelineArrays:
    """Monthly series of one build-out (or of many samples of it).

    Attributes
    ----------
    first : int
        Month index of the first month.
    months : tuple of str
        ``YYYY-MM`` of each month.
    series : dict of str to ndarray
        Each requested output of :data:`TIMELINE_OUTPUTS`: ``(months,)`` for
        float inputs, ``(samples, months)`` for sampled ones.
    by_generation : dict of str to dict of str to ndarray
        ``accelerators`` and ``h100_equivalents`` split by generation label
        (catalog name, or ``trend YYYY`` for trend-grown chips).
    reach : ndarray of int
        Position in ``months`` where ``compute_multiple`` first reaches
        ``target.compute_multiplier``; -1 where it never does (``()`` or ``(samples,)``).
    installs : tuple of dict
        Every install (phase or refresh): ``phase``, ``generation`` (label
        index array), ``begin``/``end`` month indices, ``accelerators``,
        ``facility_power_mw``, ``h100_equivalents``, ``capex_usd``.
    labels : tuple of str
        Generation labels that ``installs`` index into.
    """

    first: int
    months: tuple[str, ...]
    series: dict[str, Any]
    by_generation: dict[str, dict[str, Any]]
    reach: Any
    installs: tuple[dict[str, Any], ...] = ()
    labels: tuple[str, ...] = ()

    def at(self, output: str, month: str) -> Any:
        """``output`` in ``month`` (a float, or an array over samples)."""
        position = month_index(month) - self.first
        if not 0 <= position < len(self.months):
            raise CapcalcError(f"{month} is outside the timeline ({self.months[0]} to "
                               f"{self.months[-1]})", key="by")
        return self.series[output][..., position]


def first_reached(multiple: Any, target: Any) -> Any:
    """Position of the first month where ``multiple`` ≥ ``target``; -1 where it never is.

    A multiple within one part in 10⁹ below the target counts as reaching it,
    so a value found by :func:`solve_timeline` reaches the target it solved for.

    >>> int(first_reached(np.array([0.5, 1.0, 2.0, 1.5]), 1.5))
    2
    >>> int(first_reached(np.array([0.5, 1.0]), 3))
    -1
    """
    hit = np.asarray(multiple) >= np.asarray(target)[..., None] * (1 - _REACH_TOLERANCE)
    return np.where(hit.any(axis=-1), hit.argmax(axis=-1), -1)


def _sample_shape(values: Mapping[str, Any], baseline: Any) -> tuple[int, ...]:
    shapes = [np.shape(baseline)]
    for key, value in values.items():
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
            shapes.append(value.shape)
        elif key in INPUTS and INPUTS[key].kind == "choice" and isinstance(value, np.ndarray):
            raise CapcalcError("must be one name, not an array", key=key)
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise CapcalcError("sampled inputs have different lengths; give every array the shape "
                           "(samples,)", key="samples") from None
    if len(shape) > 1:
        raise CapcalcError(f"arrays must be 1-D (samples,), not {shape}", key="samples")
    return shape


def simulate(
    values: Mapping[str, Any],
    phases: Sequence[Phase],
    catalog: Mapping[str, Chip],
    baseline_effective_flop_per_s: Any,
    *,
    until: str = DEFAULT_UNTIL,
    first: str | None = None,
    outputs: Collection[str] | None = None,
    by_generation: bool | None = None,
) -> TimelineArrays:
    """Run a build-out month by month (the vectorised core).

    Parameters
    ----------
    values : mapping
        Input values by dotted key, in the vocabulary's units (a scenario's
        ``values``), each a float or an array of shape ``(samples,)``. Optional
        extra keys: ``catalog.<NAME>.<field>`` (e.g. ``catalog.GB200.tdp_w``)
        overrides a catalog number for phases on that chip, and
        ``timeline[N].facility_power_mw``, ``timeline[N].delay_months`` and
        ``timeline[N].start`` (a month index, see :func:`month_index`) override
        phase ``N``. The ``hardware.*`` and ``cost.accelerator_capex_usd``
        values apply to phases on ``hardware.accelerator``.
    phases : sequence of Phase
        The build-out, in order of growing total facility power.
    catalog : mapping of str to Chip
        The accelerator catalog (``library.baseline.catalog``).
    baseline_effective_flop_per_s : float or ndarray
        The baseline scenario's effective FLOP/s, the unit of ``compute_multiple``.
    until : str
        Last month, ``YYYY-MM``.
    first : str, optional
        First month; default the earliest month any phase begins.
    outputs : collection of str, optional
        Series to compute (default all of :data:`TIMELINE_OUTPUTS`); fewer is
        faster and lighter with many samples.
    by_generation : bool, optional
        Split accelerators and H100-equivalents by generation (default: only
        when no input is sampled).

    Returns
    -------
    TimelineArrays

    Examples
    --------
    >>> from calc.data.assumptions import load_baseline
    >>> base = load_baseline()
    >>> values = {k: a.value for k, a in base.assumptions.items()}
    >>> values.update({"hardware.tdp_w": 700.0, "hardware.server_overhead": 1.82,
    ...     "hardware.peak_flop_per_s": 9.89e14, "hardware.peak_8bit_flop_per_s": 1.979e15,
    ...     "cost.accelerator_capex_usd": 32000.0})
    >>> phases = [Phase("one", "2025-01", 100.0), Phase("two", "2026-01", 300.0, "H100")]
    >>> out = simulate(values, phases, base.catalog, 1.97e19, until="2026-12")
    >>> [round(float(m), 2) for m in out.series["compute_multiple"][[0, 12]]]
    [1.0, 3.0]
    """
    if not phases:
        raise CapcalcError("a timeline needs at least one phase", key="timeline")
    wanted = list(TIMELINE_OUTPUTS) if outputs is None else list(outputs)
    for name in wanted:
        if name not in TIMELINE_OUTPUTS:
            raise CapcalcError(f"unknown timeline output {name!r}"
                               f"{suggest(name, TIMELINE_OUTPUTS)}", key="outputs")
    shape = _sample_shape(values, baseline_effective_flop_per_s)
    n = shape[0] if shape else 1
    rows = np.arange(n)

    def vec(x: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(x, dtype=float), (n,))

    precision = str(values["training.precision"])
    own = str(values["hardware.accelerator"])
    lifetime = np.maximum(1, np.rint(vec(values["cost.hardware_lifetime_years"])
                                     * MONTHS_PER_YEAR)).astype(np.int64)

    # phase plan: begin month (samples,) and the power each phase adds
    begins: list[IntArray] = []
    totals: list[FloatArray] = []
    for i, phase in enumerate(phases):
        start = values.get(phase_key(i, "start"), phase.start_month)
        delay = values.get(phase_key(i, "delay_months"), phase.delay_months)
        begin = np.rint(vec(month_index(start) if isinstance(start, str) else start)
                        + vec(delay)).astype(np.int64)
        begins.append(begin)
        totals.append(vec(values.get(phase_key(i, "facility_power_mw"),
                                     phase.facility_power_mw)))
    added = [totals[0], *(totals[i] - totals[i - 1] for i in range(1, len(totals)))]
    for i, power in enumerate(added):
        if np.any(power < 0):
            raise CapcalcError("the site's total facility power falls below the previous "
                               "phase's; it must not decrease from phase to phase",
                               key=phase_key(i, "facility_power_mw"))
    earliest = min(min(int(b.min()) for b in begins), min(p.start_month for p in phases))
    start_month = month_index(first, key="first") if first is not None else earliest
    last = month_index(until, key="until")
    months = last - start_month + 1
    if months < 1:
        raise CapcalcError(f"{until} is before the timeline starts ({month_label(start_month)})",
                           key="until")
    if months > MAX_MONTHS:
        raise CapcalcError(f"{months} months from {month_label(start_month)} to {until}; "
                           f"capcalc runs timelines of at most {MAX_MONTHS} months",
                           key="until")
    if by_generation is None:
        by_generation = not shape

    chip_cache: dict[str, dict[str, FloatArray]] = {}

    def chip(name: str) -> dict[str, FloatArray]:
        if name not in chip_cache:
            acc = catalog[name]
            params = {}
            for hw_key, inner in _CHIP_FIELDS.items():
                field = CATALOG_FIELDS[hw_key].format(precision=precision)
                value = values.get(f"catalog.{name}.{field}")
                if value is None and name == own:
                    value = values.get(hw_key)
                params[inner] = vec(acc.field(field) if value is None else value)
            chip_cache[name] = params
        return chip_cache[name]

    gens: Generations | None = None

    def span() -> Generations:
        nonlocal gens
        if gens is None:
            gens = generations(catalog, precision, start_month, last)
        return gens

    labels: list[str] = []

    def label_index(label: str) -> int:
        if label not in labels:
            labels.append(label)
        return labels.index(label)

    stacked: dict[str, Any] = {}

    def current(at: IntArray, phase_name: str) -> tuple[dict[str, FloatArray], IntArray]:
        """Parameters of the then-current chip at months ``at`` (samples,)."""
        g = span()
        if not stacked:  # every chip the span can pick, stacked once: (chips, samples)
            named = [c or own for c in g.chips]
            stacked.update({inner: np.stack([chip(c)[inner] for c in named])
                            for inner in _CHIP_FIELDS.values()})
            stacked["labels"] = np.array([label_index(label) for label in g.labels])
            stacked["growth"] = 1 + vec(values["hardware.perf_per_watt_growth_per_year"])
        row = g.lookup(at)
        picks = g.chip_at[row]
        if "" in g.chips and np.any(picks == g.chips.index("")):
            raise CapcalcError(f"no shipping catalog accelerator is released by "
                               f"{month_label(int(at.min()))} for phase {phase_name!r}",
                               key="accelerator")
        params = {inner: stacked[inner][picks, rows] for inner in _CHIP_FIELDS.values()}
        growth = stacked["growth"] ** g.trend_years[row]
        params["peak"] = params["peak"] * growth
        params["peak8"] = params["peak8"] * growth
        return params, stacked["labels"][g.label_at[row]]

    # every install: a phase's own hardware, then its refreshes
    installs: list[dict[str, Any]] = []
    pue, it_overhead = vec(values["site.pue"]), vec(values["site.it_overhead"])
    for i, phase in enumerate(phases):
        begin = begins[i]
        name = own if phase.accelerator is None else phase.accelerator
        if name == LATEST:
            params, gen = current(begin, phase.name)
        else:
            if name not in catalog:
                raise CapcalcError(f"{name!r} is not in the catalog"
                                   f"{suggest(name, catalog)}", key=phase_key(i, "accelerator"))
            params, gen = chip(name), np.full(n, label_index(name))
        steps = [(begin, params, gen)]
        if phase.refresh:
            count = int(max(0, np.max((last - begin) // lifetime)))
            for k in range(1, count + 1):
                at = begin + k * lifetime
                steps.append((at, *current(at, phase.name)))
        for k, (at, p, g) in enumerate(steps):
            w_each = facility_w_per_accelerator(p["tdp_w"], p["server_overhead"], it_overhead,
                                                pue)
            count_each = accelerators_for_power(added[i], w_each)
            installs.append({
                "phase": i, "refresh": k, "begin": at, "end": at + lifetime,
                "generation": g, "facility_power_mw": added[i],
                "accelerators": count_each,
                "peak": peak_flop_per_s(count_each, p["peak"]),
                "h100_equivalents": h100_equivalents(count_each, p["peak8"]),
                "tdp_w": count_each * p["tdp_w"],
                "capex_usd": count_each * p["capex"],
            })

    # running totals: +value in the month an install begins, −value in the month it retires
    needed = {total for name in wanted for total in _NEEDS[name]}
    width = months + 1
    totals_d = {total: np.zeros((n, width)) for total in needed}
    n_labels = len(labels)
    split = ({k: np.zeros((n_labels, n, width)) for k in ("count", "h100e")}
             if by_generation else {})

    def place(at: IntArray) -> IntArray:
        return np.clip(at - start_month, 0, months)

    source = {"in_use": "facility_power_mw", "count": "accelerators", "peak": "peak",
              "h100e": "h100_equivalents", "tdp": "tdp_w"}
    for inst in installs:
        lo, hi = place(inst["begin"]), place(inst["end"])
        for total, key in source.items():
            if total in totals_d:
                totals_d[total][rows, lo] += inst[key]
                totals_d[total][rows, hi] -= inst[key]
        for total, key in (("count", "accelerators"), ("h100e", "h100_equivalents")):
            if total in split:
                split[total][inst["generation"], rows, lo] += inst[key]
                split[total][inst["generation"], rows, hi] -= inst[key]
        if "capex" in totals_d:
            totals_d["capex"][rows, lo] += inst["capex_usd"]
    facility_capex = vec(values["cost.facility_capex_usd_per_mw"])
    for i, power in enumerate(added):
        lo = place(begins[i])
        if "built" in totals_d:
            totals_d["built"][rows, lo] += power
        if "capex" in totals_d:
            totals_d["capex"][rows, lo] += power * facility_capex
    run = {total: np.cumsum(d, axis=-1)[:, :months] for total, d in totals_d.items()}

    col = (slice(None), None)
    series: dict[str, Any] = {}
    if "peak" in run:
        peak = series["peak_flop_per_s"] = run["peak"]
        effective = series["effective_flop_per_s"] = effective_flop_per_s(
            peak, vec(values["training.mfu"])[col], vec(values["training.availability"])[col])
        if "compute_multiple" in wanted:
            series["compute_multiple"] = compute_multiple(
                effective, vec(baseline_effective_flop_per_s)[col])
        if "training_flop_per_run" in wanted:
            series["training_flop_per_run"] = training_flop_per_run(
                effective, vec(values["training.run_days"])[col])
        if "training_flop_cumulative" in wanted:
            series["training_flop_cumulative"] = np.cumsum(effective * SECONDS_PER_MONTH,
                                                           axis=-1)
    if "in_use" in run:
        series["facility_power_in_use_mw"] = run["in_use"]
        energy = series["energy_mwh"] = annual_energy_mwh(
            run["in_use"], vec(values["site.load_factor"])[col]) / MONTHS_PER_YEAR
        if "energy_cumulative_mwh" in wanted:
            series["energy_cumulative_mwh"] = np.cumsum(energy, axis=-1)
        if "electricity_cost_cumulative_usd" in wanted:
            series["electricity_cost_cumulative_usd"] = np.cumsum(annual_electricity_cost_usd(
                energy, vec(values["cost.electricity_usd_per_mwh"])[col]), axis=-1)
    for name, total in (("facility_power_mw", "built"), ("accelerators", "count"),
                        ("h100_equivalents", "h100e"), ("capex_cumulative_usd", "capex"),
                        ("accelerator_tdp_w", "tdp")):
        if total in run:
            series[name] = run[total]
    target = vec(values["target.compute_multiplier"])
    reach = first_reached(series["compute_multiple"], target) if "compute_multiple" in series \
        else np.full(n, -1)
    generations_out: dict[str, dict[str, Any]] = {}
    for total, name in (("count", "accelerators"), ("h100e", "h100_equivalents")):
        if total in split:
            cum = np.cumsum(split[total], axis=-1)[..., :months]
            present = [g for g in range(n_labels) if np.any(cum[g] != 0)]
            # oldest generation first: the order a stacked chart draws them
            present.sort(key=lambda g: int(np.argmax(np.any(cum[g] != 0, axis=0))))
            generations_out[name] = {labels[g]: (cum[g] if shape else cum[g, 0])
                                     for g in present}
    if not shape:
        series = {k: v[0] for k, v in series.items()}
        reach = reach[0]
    kept = {k: series[k] for k in TIMELINE_OUTPUTS if k in wanted and k in series}
    return TimelineArrays(
        first=start_month,
        months=tuple(month_label(start_month + m) for m in range(months)),
        series=kept,
        by_generation=generations_out,
        reach=reach,
        installs=tuple(installs),
        labels=tuple(labels),
    )
