"""Paths to a target multiple: the compute multiple split into levers whose product is the multiple.

Effective FLOP/s factor exactly into six levers::

    effective = facility power × (peak FLOP/s ÷ TDP watts) ÷ (facility watts ÷ TDP watts)
                × MFU × availability × training share

so the multiple of a site against its baseline is the product of six ratios:
facility power, the chip's FLOP/s per TDP watt (generation and precision),
overheads and PUE (facility watts per TDP watt, inverted: less is better),
MFU, availability and the share of the fleet that trains. When the multiple
measures FLOP per run (``target.measure``), run length is a seventh lever. A
mixed fleet (a timeline month) factors the same way with fleet totals; for
the cumulative measure the levers factor that month's FLOP/s. Single-lever
paths say what one lever alone would need to reach the target, and whether
that is possible; the words for them are :mod:`calc.presentation.levers`'.

:func:`levers_of_result` and :func:`levers_of_timeline` are the one pipeline
the command line, the dashboard, the report and the tests use.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from calc.analysis.run import Result, run
from calc.analysis.target import target_facts
from calc.analysis.timeline import Timeline
from calc.core.chain import (
    availability_load,
    facility_power_mw_for_target,
    target_measure,
    wall_time_availability,
)
from calc.core.constants import SECONDS_PER_DAY, W_PER_MW
from calc.core.errors import CapcalcError
from calc.core.months import month_index
from calc.core.vocabulary import INPUTS, check_bounds
from calc.data.scenarios import Library

__all__ = [
    "LEVERS",
    "ChipReach",
    "Decomposition",
    "Lever",
    "LeverPath",
    "Levers",
    "SiteState",
    "catalog_chips",
    "decompose",
    "levers_of_result",
    "levers_of_timeline",
    "single_lever_paths",
    "state_of",
    "state_of_timeline",
]

logger = logging.getLogger(__name__)

#: The levers, in the order a waterfall draws them: (name, title, unit, more is better).
LEVERS: tuple[tuple[str, str, str, bool], ...] = (
    ("facility_power_mw", "Facility power", "MW", True),
    ("flop_per_tdp_w", "Chip FLOP/s per TDP watt", "FLOP/s/W", True),
    ("facility_w_per_tdp_w", "Overheads and PUE", "W/W", False),
    ("mfu", "MFU", "1", True),
    ("availability", "Availability", "1", True),
    ("share", "Training share", "1", True),
    ("run_days", "Run length", "day", True),
)


@dataclass(frozen=True)
class SiteState:
    """The five lever values of one site at one moment.

    Attributes
    ----------
    facility_power_mw : float
        Facility power of the hardware in use, MW.
    flop_per_tdp_w : float
        Peak FLOP/s at the training precision per watt of accelerator TDP.
    facility_w_per_tdp_w : float
        Facility watts per watt of accelerator TDP: server overhead × IT
        overhead × PUE.
    mfu, availability : float
        Model FLOP utilization and productive share of wall time.
    accelerator : str
        The chip (or ``mixed fleet``), for words.
    share : float
        Share of the fleet's effective FLOP/s that trains.
    run_days : float or None
        Run length, days, when the multiple measures FLOP per run; None when
        it measures FLOP/s.
    interruption_load : float
        Hours lost per hour trained under the interruptions availability model
        (:func:`calc.core.chain.interruption_load`); 0 with a fixed availability.
    """

    facility_power_mw: float
    flop_per_tdp_w: float
    facility_w_per_tdp_w: float
    mfu: float
    availability: float
    accelerator: str = ""
    share: float = 1.0
    run_days: float | None = None
    interruption_load: float = 0.0

    @property
    def effective_flop_per_s(self) -> float:
        """The product of the FLOP/s levers: effective FLOP/s.

        >>> state = SiteState(100, 9.89e14 / 700, 1742.8 / 700, 0.4, 0.87)
        >>> round(state.effective_flop_per_s / 1e19, 3)
        1.975
        """
        return (self.facility_power_mw * W_PER_MW * self.flop_per_tdp_w
                / self.facility_w_per_tdp_w * self.mfu * self.availability * self.share)

    @property
    def measured(self) -> float:
        """What the multiple measures: effective FLOP/s, or the FLOP of one run (``run_days``)."""
        if self.run_days is None:
            return self.effective_flop_per_s
        return self.effective_flop_per_s * self.run_days * SECONDS_PER_DAY


def _run_days(training_run_days: float, measure: str) -> float | None:
    return training_run_days if measure == "training_flop_per_run" else None


def _load_of(values: Mapping[str, Any], accelerators: float) -> float:
    load = availability_load(values, accelerators)
    return 0.0 if load is None else float(load)


def state_of(result: Result, measure: str | None = None) -> SiteState:
    """The lever values of a static result (``measure``: default the result's own)."""
    inputs = result.scenario.inputs
    tdp = inputs.hardware.tdp_w
    return SiteState(
        facility_power_mw=result["facility_power_mw"],
        flop_per_tdp_w=inputs.hardware.peak_flop_per_s / tdp,
        facility_w_per_tdp_w=result["facility_w_per_accelerator"] / tdp,
        mfu=inputs.training.mfu,
        availability=float(wall_time_availability(result.scenario.values,
                                                  result["accelerators"])),
        interruption_load=_load_of(result.scenario.values, result["accelerators"]),
        accelerator=inputs.hardware.accelerator,
        share=inputs.training.share,
        run_days=_run_days(inputs.training.run_days,
                           measure or target_measure(result.scenario.values)),
    )


def state_of_timeline(timeline: Timeline, month: str | None = None) -> SiteState | None:
    """The lever values of a timeline's fleet in ``month`` (default its last month).

    The fleet's FLOP/s per TDP watt and facility watts per TDP watt are totals
    over every generation in use. None when no hardware is in use that month
    (every phase retired, or none begun): there is nothing to factor.
    """
    months = list(timeline.months)
    month = month or months[-1]
    position = month_index(month, key="at") - month_index(months[0])
    if not 0 <= position < len(months):
        raise CapcalcError(f"{month} is outside the timeline ({months[0]} to {months[-1]})",
                           key="at")
    series = timeline.series
    tdp = float(series["accelerator_tdp_w"][position])
    if tdp <= 0:
        return None
    power = float(series["facility_power_in_use_mw"][position])
    training = timeline.scenario.inputs.training
    in_use = [g for g, v in timeline.arrays.by_generation.get("accelerators", {}).items()
              if float(v[position]) > 0]
    peak = float(series["peak_flop_per_s"][position])
    chips_in_use = float(series["accelerators"][position])
    availability = float(wall_time_availability(timeline.scenario.values, chips_in_use))
    mfu = training.mfu
    if any(p.mfu is not None for p in timeline.phases):  # the fleet's blend of phase MFUs
        mfu = float(series["effective_flop_per_s"][position]) / (
            peak * availability * training.share)
    return SiteState(
        facility_power_mw=power,
        flop_per_tdp_w=peak / tdp,
        facility_w_per_tdp_w=power * W_PER_MW / tdp,
        mfu=mfu,
        availability=availability,
        interruption_load=_load_of(timeline.scenario.values, chips_in_use),
        accelerator=in_use[0] if len(in_use) == 1 else "the mixed fleet",
        share=training.share,
        run_days=_run_days(training.run_days, target_measure(timeline.scenario.values)),
    )


@dataclass(frozen=True)
class Lever:
    """One lever: its value in the baseline and the scenario, and the factor it contributes."""

    name: str
    title: str
    unit: str
    baseline: float
    scenario: float
    factor: float


@dataclass(frozen=True)
class Decomposition:
    """A compute multiple as the product of its levers."""

    scenario: str
    baseline: str
    levers: tuple[Lever, ...]
    total: float
    target: float

    @property
    def product(self) -> float:
        """The product of the lever factors (equal to ``total`` up to rounding)."""
        return float(np.prod([lever.factor for lever in self.levers]))

    @property
    def met(self) -> bool:
        """Whether the multiple reaches the target."""
        return self.total >= self.target * (1 - 1e-12)


def decompose(state: SiteState, baseline: SiteState, *, scenario: str, baseline_name: str,
              target: float) -> Decomposition:
    """Split ``state``'s multiple against ``baseline`` into the five lever factors.

    Examples
    --------
    >>> base = SiteState(100, 1.41e12, 2.49, 0.40, 0.87)
    >>> d = decompose(SiteState(500, 1.41e12, 2.49, 0.60, 0.87), base, scenario="s",
    ...               baseline_name="b", target=10)
    >>> [round(lever.factor, 2) for lever in d.levers], round(d.total, 2)
    ([5.0, 1.0, 1.0, 1.5, 1.0, 1.0], 7.5)
    """
    levers = []
    for name, title, unit, more_is_better in LEVERS:
        if name == "run_days" and (state.run_days is None or baseline.run_days is None):
            continue  # the multiple measures FLOP/s: run length is no lever
        now, then = float(getattr(state, name)), float(getattr(baseline, name))
        factor = now / then if more_is_better else then / now
        levers.append(Lever(name, title, unit, then, now, factor))
    return Decomposition(scenario=scenario, baseline=baseline_name, levers=tuple(levers),
                         total=state.measured / baseline.measured, target=target)


@dataclass(frozen=True)
class ChipReach:
    """A catalog chip at the scenario's facility power: its status and compute multiple."""

    name: str
    status: str
    multiple: float


@dataclass(frozen=True)
class LeverPath:
    """What one lever alone would need for the target: a value, and whether it is possible.

    ``current`` is the lever's value now, ``need`` the factor it would have to
    grow by, ``limit`` the bound that makes it impossible (when it is), and
    ``chip`` the scenario's accelerator; for the chip lever, ``reaching`` holds
    the catalog chips that reach the target at the scenario's power (best first
    three) and ``best`` the strongest when none does.
    """

    lever: str
    title: str
    needed: float
    unit: str
    possible: bool
    current: float
    need: float
    chip: str
    limit: float | None = None
    facility_power_mw: float = 0.0
    reaching: tuple[ChipReach, ...] = ()
    best: ChipReach | None = None
    catalog_checked: bool = False


def single_lever_paths(decomposition: Decomposition, state: SiteState,
                       chips: Sequence[ChipReach] = ()) -> tuple[LeverPath, ...]:
    """The value each lever alone would need to move the multiple to the target.

    Parameters
    ----------
    decomposition : Decomposition
        The scenario's multiple and target.
    state : SiteState
        The scenario's lever values.
    chips : sequence of ChipReach
        Catalog chips evaluated at the scenario's power, to name those that
        reach the target by the chip lever.

    Examples
    --------
    >>> base = SiteState(100, 1.41e12, 2.49, 0.40, 0.87, "H100")
    >>> d = decompose(base, base, scenario="b", baseline_name="b", target=10)
    >>> mfu = single_lever_paths(d, base)[3]
    >>> mfu.lever, round(mfu.needed, 6), mfu.possible
    ('mfu', 4.0, False)
    """
    need = decomposition.target / decomposition.total
    chip = state.accelerator or "the chip"
    power_now = state.facility_power_mw
    paths = []
    # with the interruptions model, more chips also lose more time: power grows faster
    load = state.interruption_load
    power = float(f"{facility_power_mw_for_target(state.facility_power_mw, 1.0, need, load):.12g}")
    power_spec = INPUTS["site.facility_power_mw"]
    paths.append(LeverPath(
        "facility_power_mw", "Facility power", power, "MW",
        math.isfinite(power) and check_bounds(power_spec, power) is None, state.facility_power_mw,
        limit=float(power_spec.upper or 0), need=need, chip=chip,
        facility_power_mw=power_now))
    reaching = tuple(sorted((c for c in chips if c.multiple >= decomposition.target * (1 - 1e-12)),
                            key=lambda c: c.multiple)[:3])
    best = max(chips, key=lambda c: c.multiple) if chips and not reaching else None
    paths.append(LeverPath(
        "flop_per_tdp_w", "Chip FLOP/s per TDP watt", state.flop_per_tdp_w * need, "FLOP/s/W",
        True, state.flop_per_tdp_w, reaching=reaching, best=best,
        catalog_checked=bool(chips), need=need, chip=chip,
        facility_power_mw=power_now))
    overhead = state.facility_w_per_tdp_w * (1 + load * (1 - need)) / need
    paths.append(LeverPath(
        "facility_w_per_tdp_w", "Overheads and PUE", overhead, "W/W", overhead >= 1,
        state.facility_w_per_tdp_w, limit=1.0, need=need, chip=chip,
        facility_power_mw=power_now))
    ratios = [("training.mfu", "mfu", "MFU"),
              ("training.availability", "availability", "availability"),
              ("training.share", "share", "training share")]
    if state.run_days is not None:
        ratios.append(("training.run_days", "run_days", "run length"))
    for key, name, title in ratios:
        current = float(getattr(state, name))
        value = current * need
        paths.append(LeverPath(
            name, title, value, INPUTS[key].unit, check_bounds(INPUTS[key], value) is None,
            current, limit=float(INPUTS[key].upper or 1), need=need, chip=chip,
            facility_power_mw=power_now))
    logger.debug("paths to %g× from %s: need %.4g", decomposition.target,
                 decomposition.scenario, need)
    return tuple(paths)


def catalog_chips(library: Library, result: Result, baseline: Result) -> tuple[ChipReach, ...]:
    """Every other catalog chip at the scenario's facility power, with its multiple."""
    facts = target_facts(library, result, baseline)
    return tuple(ChipReach(c.accelerator, c.status, c.compute_multiple) for c in facts.chips)


@dataclass(frozen=True)
class Levers:
    """A multiple's decomposition and single-lever paths, or why there is none.

    ``where`` says what was factored (``""`` for a static site, ``fleet in
    2030-12`` for a timeline month); ``decomposition`` is None when no
    hardware is in use then, and ``empty`` says so in words.
    """

    scenario: str
    baseline: str
    target: float
    where: str
    decomposition: Decomposition | None
    paths: tuple[LeverPath, ...] = ()
    empty: str = ""


def levers_of_result(library: Library, result: Result, baseline: Result,
                     target: float | None = None) -> Levers:
    """Decomposition and single-lever paths of a static result against its baseline."""
    goal = float(target if target is not None else result.scenario.inputs.target.compute_multiplier)
    measure = target_measure(result.scenario.values)
    state = state_of(result, measure)
    decomposition = decompose(state, state_of(baseline, measure), scenario=result.name,
                              baseline_name=baseline.name, target=goal)
    paths = single_lever_paths(decomposition, state, catalog_chips(library, result, baseline))
    return Levers(result.name, baseline.name, goal, "", decomposition, paths)


def levers_of_timeline(library: Library, timeline: Timeline, month: str | None = None) -> Levers:
    """Decomposition and single-lever paths of a timeline's fleet in ``month`` (default its end).

    A month with no hardware in use gives an empty :class:`Levers` whose
    ``empty`` says so; every caller (command line, dashboard, report) shows
    that sentence rather than failing.
    """
    month = month or timeline.until
    baseline = run(library, timeline.baseline)
    where = f"fleet in {month}"
    state = state_of_timeline(timeline, month)
    name = timeline.scenario.name
    if state is None:
        return Levers(name, timeline.baseline, timeline.target, where, None,
                      empty=f"no hardware is in use in {month} (every phase has retired or "
                            "none has begun), so there are no levers to factor")
    measure = target_measure(timeline.scenario.values)
    decomposition = decompose(state, state_of(baseline, measure), scenario=name,
                              baseline_name=timeline.baseline, target=timeline.target)
    return Levers(name, timeline.baseline, timeline.target, where, decomposition,
                  single_lever_paths(decomposition, state))
