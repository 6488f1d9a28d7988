"""Fleet accounting: a build-out's phases, month by month, to fleet, compute, cost and energy.

A site is a list of phases. Each phase has a planned start month, the site's
*total* facility power from then on, and the accelerator installed in the
capacity it adds (the power above the previous phase's, in list order).

Hardware follows the **planned calendar**: it is ordered a procurement lead
time before the planned start (``hardware.procurement_lead_months``, or the
phase's own ``lead_months``), so ``latest`` buys the best chip in volume
availability by then; it serves ``cost.hardware_lifetime_years`` from the
planned start, and with ``refresh`` is replaced at the end of each life by the
best chip available a lead time before that planned refresh month
(:mod:`calc.core.generations`). A phase's ``delay_months`` moves only the month
its capacity starts training: a late phase runs its chips for less of their
life and never gets a better chip for being late. So a delay never raises
compute in any month, a chip released later never does either, and more power
never lowers it.

:func:`simulate_fleet` is pure and vectorised: every input may be a float or an
array of samples of shape ``(samples,)``; months broadcast, so series come
back as ``(months,)`` for floats and ``(samples, months)`` for samples. Each
install is a constant contribution between two months, so the fleet is built
with one scatter per install and one cumulative sum per series. Inside, every
monthly array is month-major, ``(months, samples)`` (:mod:`calc.core.fleet_totals`):
a month of every sample is one contiguous row.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from calc.core.chain import (
    accelerators_for_power,
    availability_load,
    compute_multiple,
    effective_flop_per_s,
    facility_w_per_accelerator,
    h100_equivalents,
    measured,
    peak_flop_per_s,
    target_measure,
    training_flop_per_run,
)
from calc.core.constants import CURRENCY, MONTHS_PER_YEAR, SECONDS_PER_MONTH
from calc.core.errors import CapcalcError, suggest
from calc.core.fleet_chips import FleetChips, FloatArray, IntArray
from calc.core.fleet_totals import MonthlyDeltas, cumsum_months, first_month
from calc.core.generations import Chip
from calc.core.money import (
    annual_electricity_cost_usd,
    annual_energy_mwh,
)
from calc.core.months import DEFAULT_UNTIL, month_index, month_label
from calc.core.phases import LATEST, Phase, phase_key
from calc.core.vocabulary import INPUTS, OutputSpec

__all__ = [
    "MAX_MONTHS",
    "TIMELINE_OUTPUTS",
    "TimelineArrays",
    "first_reached",
    "simulate_fleet",
]


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
               "Dense peak of the fleet, each phase at its training precision."),
    OutputSpec("effective_flop_per_s", "Effective FLOP/s", "FLOP/s",
               "Peak FLOP/s × MFU (each phase's own, where it has one) × availability (with "
               "the interruptions model, of the chips in use that month) × training share."),
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
#: Every monthly series :func:`simulate_fleet` can return, with unit and meaning.
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
        float inputs, ``(samples, months)`` for sampled ones (the transposed
        view of a month-major array: Fortran order).
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


def first_reached(multiple: Any, target: Any, axis: int = -1) -> Any:
    """Position of the first month where ``multiple`` ≥ ``target``; -1 where it never is.

    A multiple within one part in 10⁹ below the target counts as reaching it,
    so a value found by :func:`solve_timeline` reaches the target it solved for.
    ``axis`` is the months' axis of ``multiple``: -1 for ``(samples, months)``,
    0 for month-major ``(months, samples)``; ``target`` has the other axes' shape.

    >>> int(first_reached(np.array([0.5, 1.0, 2.0, 1.5]), 1.5))
    2
    >>> int(first_reached(np.array([0.5, 1.0]), 3))
    -1
    """
    threshold = np.expand_dims(np.asarray(target) * (1 - _REACH_TOLERANCE), axis)
    hit = np.asarray(multiple) >= threshold
    if axis == 0 and hit.ndim == 2:  # month-major samples
        return first_month(hit)
    return np.where(hit.any(axis=axis), hit.argmax(axis=axis), -1)


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




@dataclass(frozen=True)
class _Plan:
    """Each phase's planned start, begin month and procurement lead (samples,), the power
    it adds, and the life."""

    planned: tuple[IntArray, ...]
    begins: tuple[IntArray, ...]
    added: tuple[FloatArray, ...]
    life: IntArray
    lead: tuple[IntArray, ...]


def _plan(values: Mapping[str, Any], phases: Sequence[Phase], n: int) -> _Plan:
    def vec(x: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(x, dtype=float), (n,))

    planned, begins, totals, leads = [], [], [], []
    for i, phase in enumerate(phases):
        start = values.get(phase_key(i, "start"), phase.start_month)
        delay = values.get(phase_key(i, "delay_months"), phase.delay_months)
        lead = values.get(phase_key(i, "lead_months"), phase.lead_months)
        if lead is None:
            lead = values["hardware.procurement_lead_months"]
        planned_month = np.rint(vec(month_index(start) if isinstance(start, str) else start))
        planned.append(planned_month.astype(np.int64))
        begins.append(np.rint(planned_month + vec(delay)).astype(np.int64))
        leads.append(np.maximum(0, np.rint(vec(lead))).astype(np.int64))
        totals.append(vec(values.get(phase_key(i, "facility_power_mw"), phase.facility_power_mw)))
    added = [totals[0], *(totals[i] - totals[i - 1] for i in range(1, len(totals)))]
    for i, power in enumerate(added):
        if np.any(power < 0):
            raise CapcalcError("the site's total facility power falls below the previous "
                               "phase's; it must not decrease from phase to phase",
                               key=phase_key(i, "facility_power_mw"))
    life = np.maximum(1, np.rint(vec(values["cost.hardware_lifetime_years"])
                                 * MONTHS_PER_YEAR)).astype(np.int64)
    return _Plan(tuple(planned), tuple(begins), tuple(added), life, tuple(leads))


def _installs(phases: Sequence[Phase], plan: _Plan, chips: FleetChips, values: Mapping[str, Any],
              last: int) -> list[dict[str, Any]]:
    """Every install: a phase's own hardware, then its refreshes, on the planned calendar.

    Install ``k`` of a phase serves the planned window ``[p + kL, p + (k+1)L)``,
    from the month its capacity begins at the earliest; a window the delay
    swallows whole installs nothing. ``latest`` and every refresh buy the chip
    available the phase's procurement lead before the window starts.
    """
    n = chips.n
    pue = np.broadcast_to(np.asarray(values["site.pue"], dtype=float), (n,))
    it_overhead = np.broadcast_to(np.asarray(values["site.it_overhead"], dtype=float), (n,))
    installs: list[dict[str, Any]] = []
    for i, phase in enumerate(phases):
        planned, begin, life, lead = plan.planned[i], plan.begins[i], plan.life, plan.lead[i]
        name = chips.own if phase.accelerator is None else phase.accelerator
        precision = phase.precision
        if name == LATEST:
            first_params, first_label = chips.current(planned - lead, phase.name, precision,
                                                      lead)
        else:
            if name not in chips.catalog:
                raise CapcalcError(f"{name!r} is not in the catalog"
                                   f"{suggest(name, chips.catalog)}",
                                   key=phase_key(i, "accelerator"))
            first_params, first_label = chips.of(name, precision), np.full(n, chips.label(name))
        mfu = np.broadcast_to(np.asarray(values["training.mfu"] if phase.mfu is None
                                         else phase.mfu, dtype=float), (n,))
        refreshes = int(max(0, np.max((last - planned) // life))) if phase.refresh else 0
        for k in range(refreshes + 1):
            window_start = planned + k * life
            params, label = (first_params, first_label) if k == 0 else \
                chips.current(window_start - lead, phase.name, precision, lead)
            start = np.maximum(window_start, begin)
            end = np.maximum(window_start + life, start)  # empty when the delay swallows it
            runs = end > start
            w_each = facility_w_per_accelerator(params["tdp_w"], params["server_overhead"],
                                                it_overhead, pue)
            count = np.where(runs, accelerators_for_power(plan.added[i], w_each), 0.0)
            peak = peak_flop_per_s(count, params["peak"])
            installs.append({
                "phase": i, "refresh": k, "begin": start, "end": end, "generation": label,
                "facility_power_mw": np.where(runs, plan.added[i], 0.0),
                "accelerators": count,
                "peak": peak,
                "achieved": peak * mfu,
                "h100_equivalents": h100_equivalents(count, params["peak8"]),
                "tdp_w": count * params["tdp_w"],
                "capex_usd": count * params["capex"],
            })
    return installs


#: Running total → the install field it adds up.
_TOTAL_OF = {"in_use": "facility_power_mw", "count": "accelerators", "peak": "peak",
             "h100e": "h100_equivalents", "tdp": "tdp_w", "achieved": "achieved"}


def _running_totals(installs: Sequence[dict[str, Any]], plan: _Plan, values: Mapping[str, Any],
                    needed: set[str], n_labels: int, by_generation: bool, start_month: int,
                    months: int, n: int) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Monthly totals, month-major ``(months, samples)``: +value in the month an install
    begins, −value in the month it ends (:class:`calc.core.fleet_totals.MonthlyDeltas`).

    Split by generation, a total is ``(months, labels, samples)``.
    """
    rows = np.arange(n)
    deltas = {total: MonthlyDeltas(months, n) for total in needed}
    split = ({k: MonthlyDeltas(months, n_labels * n) for k in ("count", "h100e")}
             if by_generation else {})

    def place(at: IntArray) -> IntArray:
        return np.clip(at - start_month, 0, months)

    for inst in installs:
        lo, hi = place(inst["begin"]), place(inst["end"])
        for total, field in _TOTAL_OF.items():
            if total in deltas:
                deltas[total].add(rows, lo, inst[field])
                deltas[total].remove(rows, hi, inst[field])
        for total, field in (("count", "accelerators"), ("h100e", "h100_equivalents")):
            if total in split:
                columns = inst["generation"] * n + rows
                split[total].add(columns, lo, inst[field])
                split[total].remove(columns, hi, inst[field])
        if "capex" in deltas:
            deltas["capex"].add(rows, lo, inst["capex_usd"])
    facility_capex = np.broadcast_to(
        np.asarray(values["cost.facility_capex_usd_per_mw"], dtype=float), (n,))
    for i, power in enumerate(plan.added):
        lo = place(plan.begins[i])
        if "built" in deltas:
            deltas["built"].add(rows, lo, power)
        if "capex" in deltas:
            deltas["capex"].add(rows, lo, power * facility_capex)
    totals = {total: d.settled() for total, d in deltas.items()}
    per_generation = {total: d.settled().reshape(months, n_labels, n)
                      for total, d in split.items()}
    return totals, per_generation


def _measured_series(effective: FloatArray, values: Mapping[str, Any], n: int,
                     month_numbers: IntArray, anchor: IntArray) -> FloatArray:
    """Month by month, what the multiple measures (``target.measure``), in the baseline's unit;
    month-major ``(months, samples)``.

    ``cumulative_training_flop`` is the mean effective FLOP/s since the
    build-out's first planned month (``anchor``, a month index per sample; the
    month itself included) to each month (``month_numbers``, month indices):
    the FLOP delivered so far over what the baseline delivers in the same months.
    """
    measure = target_measure(values)
    if measure == "cumulative_training_flop":
        months_since = month_numbers[:, None] - anchor[None, :] + 1.0
        return cumsum_months(effective) / np.maximum(months_since, 1.0)
    if measure != "training_flop_per_run":  # the FLOP per run only where it is the measure
        return effective
    run_days = np.broadcast_to(np.asarray(values["training.run_days"], dtype=float), (n,))
    return np.asarray(measured(measure, effective, training_flop_per_run(effective, run_days)))


def _series(totals: Mapping[str, FloatArray], values: Mapping[str, Any], baseline: Any,
            wanted: Collection[str], n: int, month_numbers: IntArray, anchor: IntArray
            ) -> dict[str, Any]:
    """The monthly outputs from the running totals, month-major ``(months, samples)``: each
    month's row times per-sample factors of shape ``(samples,)``."""
    def row(x: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(x, dtype=float), (n,))

    series: dict[str, Any] = {}
    if "peak" in totals:
        peak = series["peak_flop_per_s"] = totals["peak"]
        # with a phase of its own MFU, each install's peak × MFU adds up instead
        achieved, mfu = (totals["achieved"], row(1.0)) if "achieved" in totals \
            else (peak, row(values["training.mfu"]))
        # the interruptions model: availability falls with the chips in use that month
        load = availability_load(values, totals["count"]) if "count" in totals else None
        availability = row(values["training.availability"]) if load is None \
            else 1.0 / (1.0 + load)
        effective = series["effective_flop_per_s"] = effective_flop_per_s(
            achieved, mfu, availability, row(values.get("training.share", 1.0)))
        if "compute_multiple" in wanted:
            series["compute_multiple"] = compute_multiple(
                _measured_series(np.asarray(effective), values, n, month_numbers, anchor),
                row(baseline))
        if "training_flop_per_run" in wanted:
            series["training_flop_per_run"] = training_flop_per_run(
                effective, row(values["training.run_days"]))
        if "training_flop_cumulative" in wanted:
            series["training_flop_cumulative"] = cumsum_months(effective * SECONDS_PER_MONTH)
    if "in_use" in totals:
        series["facility_power_in_use_mw"] = totals["in_use"]
        energy = series["energy_mwh"] = annual_energy_mwh(
            totals["in_use"], row(values["site.load_factor"])) / MONTHS_PER_YEAR
        if "energy_cumulative_mwh" in wanted:
            series["energy_cumulative_mwh"] = cumsum_months(energy)
        if "electricity_cost_cumulative_usd" in wanted:
            series["electricity_cost_cumulative_usd"] = cumsum_months(
                annual_electricity_cost_usd(energy, row(values["cost.electricity_usd_per_mwh"])))
    for name, total in (("facility_power_mw", "built"), ("accelerators", "count"),
                        ("h100_equivalents", "h100e"), ("capex_cumulative_usd", "capex"),
                        ("accelerator_tdp_w", "tdp")):
        if total in totals:
            series[name] = totals[total]
    return series


def simulate_fleet(
    values: Mapping[str, Any],
    phases: Sequence[Phase],
    catalog: Mapping[str, Chip],
    baseline_measure: Any,
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
    baseline_measure : float or ndarray
        The unit of ``compute_multiple``: the baseline scenario's value of what
        ``target.measure`` measures (effective FLOP/s by default, its FLOP per
        run for ``training_flop_per_run``; FLOP/s for ``cumulative_training_flop``).
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
    >>> out = simulate_fleet(values, phases, base.catalog, 1.97e19, until="2026-12")
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
    shape = _sample_shape(values, baseline_measure)
    n = shape[0] if shape else 1
    plan = _plan(values, phases, n)
    earliest = min(int(b.min()) for b in plan.begins)
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
    chips = FleetChips(values, catalog, n)
    installs = _installs(phases, plan, chips, values, last)
    needed = {total for name in wanted for total in _NEEDS[name]}
    if "peak" in needed and any(p.mfu is not None for p in phases):
        needed.add("achieved")
    if "peak" in needed and values.get("training.availability_model") == "interruptions":
        needed.add("count")
    split = not shape if by_generation is None else by_generation
    totals, per_generation = _running_totals(installs, plan, values, needed, len(chips.labels),
                                             split, start_month, months, n)
    # the build-out's first planned month, for a cumulative measure
    anchor = np.min(np.stack([np.broadcast_to(p, (n,)) for p in plan.planned]), axis=0)
    series = _series(totals, values, baseline_measure, wanted, n,
                     start_month + np.arange(months), anchor)
    target = np.broadcast_to(np.asarray(values["target.compute_multiplier"], dtype=float), (n,))
    reach = first_reached(series["compute_multiple"], target, axis=0) \
        if "compute_multiple" in series else np.full(n, -1)
    generations_out: dict[str, dict[str, Any]] = {}
    for total, name in (("count", "accelerators"), ("h100e", "h100_equivalents")):
        if total in per_generation:
            cum = per_generation[total]  # (months, labels, samples)
            used = np.any(cum != 0, axis=2)  # (months, labels)
            present = [g for g in range(len(chips.labels)) if used[:, g].any()]
            # oldest generation first: the order a stacked chart draws them
            present.sort(key=lambda g: int(np.argmax(used[:, g])))
            generations_out[name] = {chips.labels[g]: (cum[:, g].T if shape else cum[:, g, 0])
                                     for g in present}
    # month-major inside; (samples, months) views outside
    series = {k: (v.T if shape else v[:, 0]) for k, v in series.items()}
    if not shape:
        reach = reach[0]
    kept = {k: series[k] for k in TIMELINE_OUTPUTS if k in wanted and k in series}
    return TimelineArrays(
        first=start_month,
        months=tuple(month_label(start_month + m) for m in range(months)),
        series=kept,
        by_generation=generations_out,
        reach=reach,
        installs=tuple(installs),
        labels=tuple(chips.labels),
    )
