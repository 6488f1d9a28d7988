"""Paths to a target multiple: the compute multiple split into levers whose product is the multiple.

Effective FLOP/s factor exactly into five levers::

    effective = facility power × (peak FLOP/s ÷ TDP watts) ÷ (facility watts ÷ TDP watts)
                × MFU × availability

so the multiple of a site against its baseline is the product of five ratios:
facility power, the chip's FLOP/s per TDP watt (generation and precision),
overheads and PUE (facility watts per TDP watt, inverted: less is better),
MFU and availability. A mixed fleet (a timeline month) factors the same way
with fleet totals. Single-lever paths say what one lever alone would need
to reach the target, and whether that is possible.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from calc.analysis.run import Result
from calc.core.chain import W_PER_MW
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, check_bounds
from calc.data.scenarios import Library
from calc.presentation.formatting import format_value
from calc.presentation.tables import Table, provenance

__all__ = [
    "LEVERS",
    "Decomposition",
    "Lever",
    "LeverPath",
    "SiteState",
    "catalog_chips",
    "decompose",
    "levers_table",
    "paths_for",
    "paths_title",
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
    """

    facility_power_mw: float
    flop_per_tdp_w: float
    facility_w_per_tdp_w: float
    mfu: float
    availability: float
    accelerator: str = ""

    @property
    def effective_flop_per_s(self) -> float:
        """The product of the levers: effective FLOP/s.

        >>> state = SiteState(100, 9.89e14 / 700, 1742.8 / 700, 0.4, 0.87)
        >>> round(state.effective_flop_per_s / 1e19, 3)
        1.975
        """
        return (self.facility_power_mw * W_PER_MW * self.flop_per_tdp_w
                / self.facility_w_per_tdp_w * self.mfu * self.availability)


def state_of(result: Result) -> SiteState:
    """The lever values of a static result."""
    values = result.scenario.values
    tdp = float(values["hardware.tdp_w"])  # type: ignore[arg-type]
    return SiteState(
        facility_power_mw=result["facility_power_mw"],
        flop_per_tdp_w=float(values["hardware.peak_flop_per_s"]) / tdp,  # type: ignore[arg-type]
        facility_w_per_tdp_w=result["facility_w_per_accelerator"] / tdp,
        mfu=float(values["training.mfu"]),  # type: ignore[arg-type]
        availability=float(values["training.availability"]),  # type: ignore[arg-type]
        accelerator=str(values["hardware.accelerator"]),
    )


def state_of_timeline(timeline: Any, month: str | None = None) -> SiteState:
    """The lever values of a timeline's fleet in ``month`` (default its last month).

    ``timeline`` is a :class:`calc.analysis.timeline.Timeline`; the fleet's FLOP/s per
    TDP watt and facility watts per TDP watt are totals over every generation
    in use.
    """
    from calc.analysis.timeline import month_index

    months = list(timeline.months)
    month = month or months[-1]
    position = month_index(month) - month_index(months[0])
    if not 0 <= position < len(months):
        raise CapcalcError(f"{month} is outside the timeline ({months[0]} to {months[-1]})",
                           key="--at")
    series = timeline.series
    tdp = float(series["accelerator_tdp_w"][position])
    if tdp <= 0:
        raise CapcalcError(f"no hardware is in use in {month}", key="--at")
    power = float(series["facility_power_in_use_mw"][position])
    values = timeline.scenario.values
    in_use = [g for g, v in timeline.arrays.by_generation.get("accelerators", {}).items()
              if float(v[position]) > 0]
    return SiteState(
        facility_power_mw=power,
        flop_per_tdp_w=float(series["peak_flop_per_s"][position]) / tdp,
        facility_w_per_tdp_w=power * W_PER_MW / tdp,
        mfu=float(values["training.mfu"]),
        availability=float(values["training.availability"]),
        accelerator=in_use[0] if len(in_use) == 1 else "the mixed fleet",
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


def decompose(state: SiteState, baseline: SiteState, *, scenario: str, baseline_name: str,
              target: float) -> Decomposition:
    """Split ``state``'s multiple against ``baseline`` into the five lever factors.

    Examples
    --------
    >>> base = SiteState(100, 1.41e12, 2.49, 0.40, 0.87)
    >>> d = decompose(SiteState(500, 1.41e12, 2.49, 0.60, 0.87), base, scenario="s",
    ...               baseline_name="b", target=10)
    >>> [round(lever.factor, 2) for lever in d.levers], round(d.total, 2)
    ([5.0, 1.0, 1.0, 1.5, 1.0], 7.5)
    """
    levers = []
    for name, title, unit, more_is_better in LEVERS:
        now, then = float(getattr(state, name)), float(getattr(baseline, name))
        factor = now / then if more_is_better else then / now
        levers.append(Lever(name, title, unit, then, now, factor))
    return Decomposition(scenario=scenario, baseline=baseline_name, levers=tuple(levers),
                         total=state.effective_flop_per_s / baseline.effective_flop_per_s,
                         target=target)


@dataclass(frozen=True)
class LeverPath:
    """What one lever alone would need for the target: a value, and whether it is possible."""

    lever: str
    title: str
    needed: float
    unit: str
    possible: bool
    text: str


def _times(x: float) -> str:
    """A multiple for words: ``2.00×``, ``23.8×``."""
    return f"{x:.2f}×" if x < 10 else f"{x:.3g}×"


def single_lever_paths(decomposition: Decomposition, state: SiteState,
                       chips: Sequence[tuple[str, str, float]] = ()) -> tuple[LeverPath, ...]:
    """The value each lever alone would need to move the multiple to the target.

    Parameters
    ----------
    decomposition : Decomposition
        The scenario's multiple and target.
    state : SiteState
        The scenario's lever values.
    chips : sequence of (name, status, compute multiple)
        Catalog chips evaluated at the scenario's power, to name those that
        reach the target by the chip lever.

    Examples
    --------
    >>> base = SiteState(100, 1.41e12, 2.49, 0.40, 0.87, "H100")
    >>> d = decompose(base, base, scenario="b", baseline_name="b", target=10)
    >>> [p.text for p in single_lever_paths(d, base)][3]
    'MFU alone: not possible (needs 4 > 1)'
    """
    need = decomposition.target / decomposition.total
    chip = state.accelerator or "the chip"
    target = _times(decomposition.target)
    paths = []
    power = float(f"{state.facility_power_mw * need:.12g}")  # 999.9999999 MW reads 1.00 GW
    problem = check_bounds(INPUTS["site.facility_power_mw"], power)
    paths.append(LeverPath(
        "facility_power_mw", "Facility power", power, "MW", problem is None,
        f"power alone: {format_value(power, 'MW')} of {chip}" if problem is None else
        f"power alone: not possible (needs {format_value(power, 'MW')}, beyond capcalc's "
        f"{format_value(float(INPUTS['site.facility_power_mw'].upper or 0), 'MW')})"))
    reaching = [(n, s, m) for n, s, m in chips if m >= decomposition.target * (1 - 1e-12)]
    if reaching:
        shown = ", ".join(f"{n}{'' if s == 'shipping' else f' ({s})'} {_times(m)}"
                          for n, s, m in sorted(reaching, key=lambda c: c[2])[:3])
        catalog = f"; in the catalog: {shown}"
    elif chips:
        best = max(chips, key=lambda c: c[2])
        status = "" if best[1] == "shipping" else f" ({best[1]})"
        catalog = f"; no catalog chip does (best: {best[0]}{status}, {_times(best[2])})"
    else:
        catalog = ""
    paths.append(LeverPath(
        "flop_per_tdp_w", "Chip FLOP/s per TDP watt", state.flop_per_tdp_w * need, "FLOP/s/W",
        True, f"at {format_value(state.facility_power_mw, 'MW')}: a chip with "
        f"{_times(need)} the FLOP per facility watt of {chip}{catalog}"))
    overhead = state.facility_w_per_tdp_w / need
    paths.append(LeverPath(
        "facility_w_per_tdp_w", "Overheads and PUE", overhead, "W/W", overhead >= 1,
        f"overheads and PUE alone: {overhead:.3g} facility W per TDP W "
        f"(now {state.facility_w_per_tdp_w:.3g})" if overhead >= 1 else
        f"overheads and PUE alone: not possible (needs {overhead:.3g} facility W per TDP W "
        f"< 1)"))
    for key, name, title in (("training.mfu", "mfu", "MFU"),
                             ("training.availability", "availability", "availability")):
        value = float(getattr(state, name)) * need
        problem = check_bounds(INPUTS[key], value)
        paths.append(LeverPath(
            name, title, value, "1", problem is None,
            f"{title} alone: {value:.3g} (now {getattr(state, name):.3g})" if problem is None
            else f"{title} alone: not possible (needs {value:.3g} > 1)"))
    logger.debug("paths to %s from %s: need %.4g", target, decomposition.scenario, need)
    return tuple(paths)


def catalog_chips(library: Library, result: Result, baseline: Result
                  ) -> tuple[tuple[str, str, float], ...]:
    """Every other catalog chip at the scenario's facility power: (name, status, multiple)."""
    from calc.analysis.target import target_facts

    facts = target_facts(library, result, baseline)
    return tuple((c.accelerator, c.status, c.compute_multiple) for c in facts.chips)


def paths_title(decomposition: Decomposition) -> str:
    """The heading of the single-lever paths: a path to the target, or room to spare."""
    if decomposition.total >= decomposition.target * (1 - 1e-12):
        return (f"{decomposition.target:g}× is met; each lever alone could go as far as "
                "(the rest unchanged):")
    return f"Single-lever paths to {decomposition.target:g}× (the rest unchanged):"


def levers_table(decomposition: Decomposition, paths: Sequence[LeverPath] = (),
                 extra: str = "") -> Table:
    """The waterfall's data: each lever's values, factor and the running product."""
    columns: dict[str, list[Any]] = {k: [] for k in (
        "lever", "title", "unit", "baseline", "scenario", "factor", "start", "end")}
    running = 1.0
    for lever in decomposition.levers:
        columns["lever"].append(lever.name)
        columns["title"].append(lever.title)
        columns["unit"].append(lever.unit)
        columns["baseline"].append(lever.baseline)
        columns["scenario"].append(lever.scenario)
        columns["factor"].append(lever.factor)
        columns["start"].append(running)
        running *= lever.factor
        columns["end"].append(running)
    columns["lever"].append("total")
    columns["title"].append("Compute multiple")
    columns["unit"].append("1")
    columns["baseline"].append(1.0)
    columns["scenario"].append(decomposition.total)
    columns["factor"].append(decomposition.total)
    columns["start"].append(1.0)
    columns["end"].append(decomposition.total)
    return Table(
        name="levers",
        title=f"Paths to {decomposition.target:g}×: {decomposition.scenario} against "
              f"{decomposition.baseline}, lever by lever",
        columns=columns,
        units={"factor": "1", "start": "1", "end": "1"},
        caption=provenance([decomposition.scenario], decomposition.baseline,
                           "; ".join(filter(None, [
                               f"multiple {decomposition.total:.3g}× = product of the levers",
                               extra]))),
        meta={"target": decomposition.target, "total": decomposition.total,
              "scenario": decomposition.scenario, "baseline": decomposition.baseline,
              "paths": [p.text for p in paths],
              "paths_title": paths_title(decomposition)},
    )


def paths_for(library: Library, result: Result, baseline: Result,
              target: float | None = None) -> tuple[Decomposition, tuple[LeverPath, ...]]:
    """Decomposition and single-lever paths of a static result against its baseline."""
    goal = float(target if target is not None
                 else result.scenario["target.compute_multiplier"])  # type: ignore[arg-type]
    state = state_of(result)
    decomposition = decompose(state, state_of(baseline), scenario=result.name,
                              baseline_name=baseline.name, target=goal)
    return decomposition, single_lever_paths(decomposition, state,
                                             catalog_chips(library, result, baseline))
