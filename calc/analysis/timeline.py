"""A scenario's build-out run to a horizon: the timeline, its reach date, and goal-seeking on it.

The month-by-month arithmetic is :func:`calc.core.fleet.simulate_fleet`; here a
resolved scenario and its baseline become a :class:`Timeline` (the series,
the installs, the month the target multiple is first reached), and
:func:`solve_timeline` finds the input or phase value that makes an output
reach a target in a given month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from calc.analysis.provenance import provenance
from calc.analysis.run import baseline_measure
from calc.analysis.tabular import Tabular
from calc.core.errors import CapcalcError, NoSolution, quoted, suggest
from calc.core.fleet import MAX_MONTHS, TIMELINE_OUTPUTS, TimelineArrays, simulate_fleet
from calc.core.generations import central_table
from calc.core.months import DEFAULT_UNTIL, month_index, month_label
from calc.core.phases import LATEST, PHASE_FIELDS, Phase, phase_key
from calc.core.version import __version__
from calc.core.vocabulary import INPUTS
from calc.data.phases import check_phases, parse_phase_key
from calc.data.scenarios import Library, Scenario

if TYPE_CHECKING:
    from calc.analysis.solver import Solution
    from calc.data.frames import Tidy

__all__ = [
    "Install",
    "PhaseChip",
    "Timeline",
    "phase_chips",
    "run_timeline",
    "scenario_phases",
    "solve_timeline",
]


FloatArray = npt.NDArray[np.float64]


# ---------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Install:
    """One install of hardware (a phase's own, or a refresh) in a timeline without samples."""

    phase: str
    generation: str
    begin: str
    end: str
    facility_power_mw: float
    accelerators: float
    h100_equivalents: float
    capex_usd: float
    refresh: int


@dataclass(frozen=True)
class Timeline(Tabular):
    """A scenario's build-out run to a horizon, with its baseline and provenance."""

    scenario: Scenario
    baseline: str
    baseline_measure: float
    phases: tuple[Phase, ...]
    arrays: TimelineArrays
    until: str

    @property
    def months(self) -> tuple[str, ...]:
        """``YYYY-MM`` of each month."""
        return self.arrays.months

    @property
    def series(self) -> dict[str, Any]:
        """Monthly series by output name (arrays of one value per month)."""
        return self.arrays.series

    @property
    def target(self) -> float:
        """The target multiple (``target.compute_multiplier``)."""
        return self.scenario.inputs.target.compute_multiplier

    @property
    def target_reached(self) -> str | None:
        """``YYYY-MM`` the target multiple is first reached, or None."""
        reach = int(self.arrays.reach)
        return None if reach < 0 else self.months[reach]

    @property
    def final_multiple(self) -> float:
        """The compute multiple in the horizon's month."""
        return float(self.series["compute_multiple"][-1])

    @property
    def installs(self) -> tuple[Install, ...]:
        """Every install, in order of beginning."""
        out = []
        last = month_index(self.until)
        for inst in self.arrays.installs:
            begin, end = int(inst["begin"][0]), int(inst["end"][0])
            if begin > last:
                continue
            out.append(Install(
                phase=self.phases[inst["phase"]].name,
                generation=self.arrays.labels[int(inst["generation"][0])],
                begin=month_label(begin), end=month_label(end),
                facility_power_mw=float(inst["facility_power_mw"][0]),
                accelerators=float(inst["accelerators"][0]),
                h100_equivalents=float(inst["h100_equivalents"][0]),
                capex_usd=float(inst["capex_usd"][0]), refresh=int(inst["refresh"]),
            ))
        return tuple(sorted(out, key=lambda i: i.begin))

    @property
    def peak(self) -> tuple[str, float]:
        """The month of the highest compute multiple (the first, on a tie) and that multiple."""
        multiple = self.series["compute_multiple"]
        index = int(np.argmax(multiple))
        return self.months[index], float(multiple[index])

    def tidy(self) -> Tidy:
        """One row per month: every series with its unit."""
        from calc.data.frames import Tidy  # deferred: the frame forms only when asked for

        return Tidy("timeline", {k: (("month",), np.asarray(v, dtype=float))
                                 for k, v in self.series.items()},
                    {"month": (("month",), np.array(self.months, dtype=object))},
                    {k: TIMELINE_OUTPUTS[k].unit for k in self.series},
                    provenance(self.scenario, until=self.until,
                               target_reached=self.target_reached or ""),
                    {k: TIMELINE_OUTPUTS[k].title for k in self.series})

    def cards(self) -> tuple[str, list[tuple[str, str]]]:
        """When the target is reached, and the fleet in the horizon's month."""
        from calc.data.notebook import quantity  # deferred: html only for a notebook

        cards = [(f"{self.target:g}× {self.baseline} first reached",
                  self.target_reached or f"not by {self.until}"),
                 (f"Compute multiple in {self.until}", f"{self.final_multiple:.3g}×")]
        for k in ("facility_power_mw", "h100_equivalents"):
            if k in self.series:
                cards.append((f"{TIMELINE_OUTPUTS[k].title} in {self.until}",
                              quantity(float(self.series[k][-1]), TIMELINE_OUTPUTS[k].unit)))
        return f"{self.scenario.title} (at central values)", cards

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: months, every series as a list, generations and the reach date."""
        return {
            "capcalc_version": __version__,
            "scenario": self.scenario.name,
            "title": self.scenario.title,
            "baseline": self.baseline,
            "target_multiple": self.target,
            "until": self.until,
            "target_reached": self.target_reached,
            "final_multiple": self.final_multiple,
            "months": list(self.months),
            "series": {k: [float(x) for x in v] for k, v in self.series.items()},
            "by_generation": {out: {g: [float(x) for x in v] for g, v in gens.items()}
                              for out, gens in self.arrays.by_generation.items()},
            "units": {k: TIMELINE_OUTPUTS[k].unit for k in self.series},
            "phases": [p.to_dict() for p in self.phases],
            "installs": [asdict(i) for i in self.installs],
        }


@dataclass(frozen=True)
class PhaseChip:
    """The chip a phase got at central values, and why.

    ``ordered`` is the month it was bought (its planned start less ``lead`` months);
    for ``latest``, ``later``/``later_release`` name the better chip (more FLOP/s per
    server watt) that was not yet in volume then, if any.
    """

    phase: str
    chip: str
    latest: bool
    ordered: str
    lead: int
    later: str | None = None
    later_release: str | None = None

    def why(self) -> str:
        """The reason in words: "latest → GB200: the best in volume by 2025-12, 7 months
        before its planned start (Rubin only from 2026-12)"."""
        if not self.latest:
            return self.chip
        text = (f"latest → {self.chip}: the best in volume by {self.ordered}, {self.lead} "
                f"months before its planned start")
        if self.later is not None:
            text += f" ({self.later} only from {self.later_release})"
        return text


def phase_chips(library: Library, timeline: Timeline) -> tuple[PhaseChip, ...]:
    """What each phase installed first at central values, with the month it was ordered."""
    firsts = {inst.phase: inst.generation for inst in timeline.installs if inst.refresh == 0}
    values = timeline.scenario.values
    table = central_table(library.baseline.catalog, str(values["training.precision"]))
    out = []
    for phase in timeline.phases:
        lead = round(timeline.scenario.inputs.hardware.procurement_lead_months) \
            if phase.lead_months is None else phase.lead_months
        chip = firsts.get(phase.name) or phase.accelerator or str(values["hardware.accelerator"])
        ordered = phase.start_month - lead
        later = later_release = None
        if phase.accelerator == LATEST and chip in table.names:
            rank = float(table.ratio[table.names.index(chip), 0])
            better = [(int(table.release[i, 0]), name) for i, name in enumerate(table.names)
                      if float(table.ratio[i, 0]) > rank and int(table.release[i, 0]) > ordered]
            if better:
                when, later = min(better)
                later_release = month_label(when)
        out.append(PhaseChip(phase=phase.name, chip=chip, latest=phase.accelerator == LATEST,
                             ordered=month_label(ordered), lead=lead, later=later,
                             later_release=later_release))
    return tuple(out)


def scenario_phases(scenario: Scenario, phases: Sequence[Phase] | None = None, *,
                    buildout: str | None = None) -> tuple[Phase, ...]:
    """The phases to run: ``phases`` if given, else the scenario's timeline.

    Raises
    ------
    CapcalcError
        When there are none, naming ``buildout`` (the story's build-out) as one that has.
    """
    if phases is not None:
        return tuple(phases)
    if scenario.timeline is None:
        other = (f" (as {buildout} does) or run `capcalc timeline {buildout}`"
                 if buildout and buildout != scenario.name else "")
        raise CapcalcError(f"has no timeline; give it `timeline:` phases{other}",
                           file=f"{scenario.origin}: scenario {scenario.name!r}",
                           key="timeline")
    return tuple(scenario.timeline)


def run_timeline(library: Library, scenario: Scenario, *, until: str = DEFAULT_UNTIL,
                 first: str | None = None, phases: Sequence[Phase] | None = None
                 ) -> Timeline:
    """Run ``scenario``'s build-out (or ``phases``) to ``until`` against its baseline.

    Parameters
    ----------
    library : Library
        Supplies the catalog and the baseline scenario.
    scenario : Scenario
        Supplies every input (PUE, MFU, lifetime, ...) and, unless ``phases``
        is given, the timeline.
    until, first : str
        Last and (optional) first month, ``YYYY-MM``.
    phases : sequence of Phase, optional
        A timeline to run instead of the scenario's (the dashboard's edits).
    """
    chosen = scenario_phases(scenario, phases)
    check_phases(chosen, library.baseline.catalog, file=scenario.origin)
    baseline = baseline_measure(library, scenario)
    arrays = simulate_fleet(scenario.values, chosen, library.baseline.catalog, baseline,
                      until=until, first=first)
    return Timeline(scenario=scenario, baseline=scenario.baseline_name,
                    baseline_measure=baseline, phases=chosen, arrays=arrays,
                    until=month_label(month_index(until)))


# ---------------------------------------------------------------- solving


def solve_timeline(library: Library, scenario: Scenario, key: str, output: str, target: float,
                   by: str, *, phases: Sequence[Phase] | None = None) -> Solution:
    """The value of ``key`` at which ``output`` in month ``by`` equals ``target``.

    ``key`` is a numeric input (e.g. ``training.mfu``) or a phase field
    (``timeline[3].facility_power_mw``, ``timeline[cortex-2].start``,
    ``timeline[1].delay_months``). A phase's power is searched between its
    neighbours' (the total cannot fall). Dates are whole months, so for
    ``start`` and ``delay_months`` the answer is the latest start (the longest
    delay) at which ``output`` in ``by`` is still at least ``target``.

    Raises
    ------
    NoSolution
        When no value in the searched range reaches the target; the message
        gives the best value achievable.
    """
    # deferred: the solver only where a value is solved for (a target to meet, capcalc solve)
    from calc.analysis.solver import Solution, solve_scalar

    chosen = scenario_phases(scenario, phases)
    check_phases(chosen, library.baseline.catalog, file=scenario.origin)
    if output not in TIMELINE_OUTPUTS:
        raise CapcalcError(f"unknown timeline output {quoted(output)}"
                           f"{suggest(output, TIMELINE_OUTPUTS)} (choose from "
                           f"{', '.join(TIMELINE_OUTPUTS)})", key="target")
    by_month = month_index(by, key="by")
    by = month_label(by_month)
    baseline = baseline_measure(library, scenario)
    catalog = library.baseline.catalog
    base_values = dict(scenario.values)
    first = month_label(min(p.start_month + p.delay_months for p in chosen))
    if by_month < month_index(first):
        raise CapcalcError(f"{by} is before the timeline starts ({first})", key="by")
    if by_month - month_index(first) + 1 > MAX_MONTHS:  # named as by, not as a horizon
        raise CapcalcError(f"{by} is {by_month - month_index(first) + 1:,} months from the "
                           f"timeline's start ({first}); capcalc runs timelines of at most "
                           f"{MAX_MONTHS} months", key="by")

    def at_by(values: Mapping[str, Any]) -> FloatArray:
        arrays = simulate_fleet(values, chosen, catalog, baseline, until=by, first=first,
                          outputs=[output], by_generation=False)
        return np.asarray(arrays.series[output][..., -1], dtype=float)

    parsed = parse_phase_key(key, chosen)
    if parsed is None:
        if key not in INPUTS:
            raise CapcalcError(f"unknown key{suggest(key, INPUTS)}", key=key)
        if key in ("site.facility_power_mw", "site.accelerators"):
            raise CapcalcError(
                "a build-out's size is its phases' facility_power_mw, not the site's; solve "
                f"a phase's power instead, e.g. timeline[{len(chosen) - 1}].facility_power_mw",
                key=key)

        def outcome(x: FloatArray) -> FloatArray:
            return at_by({**base_values, key: np.asarray(x, dtype=float)})

        solution = solve_scalar(key, output, target, outcome, outputs=TIMELINE_OUTPUTS)
        return solution
    index, field = parsed
    canonical = phase_key(index, field)
    phase = chosen[index]
    if field not in PHASE_FIELDS:
        raise CapcalcError(f"is not a number; solve varies {', '.join(PHASE_FIELDS)} of a "
                           "phase (set it with --set instead)", key=canonical)
    if field == "facility_power_mw":
        lower = chosen[index - 1].facility_power_mw if index else 0.0
        upper = (chosen[index + 1].facility_power_mw if index + 1 < len(chosen)
                 else float(INPUTS["site.facility_power_mw"].upper or 1e5))

        def power_outcome(x: FloatArray) -> FloatArray:
            return at_by({**base_values, canonical: np.asarray(x, dtype=float)})

        solution = solve_scalar(canonical, output, target, power_outcome,
                                outputs=TIMELINE_OUTPUTS, bounds=(lower, upper), unit="MW",
                                lower_open=index == 0)
        return solution
    # dates: every candidate month at once, as samples
    if field == "start":
        earliest = min(p.start_month for p in chosen)
        candidates = np.arange(min(earliest, by_month), by_month + 1)
        values = {**base_values, canonical: candidates.astype(float)}
        shown = [month_label(int(c)) for c in candidates]
        unit = "month"
    else:
        candidates = np.arange(0, max(0, by_month - phase.start_month) + 1)
        values = {**base_values, canonical: candidates.astype(float)}
        shown = [f"{int(c)} months" for c in candidates]
        unit = "month"
    reached = at_by(values)
    ok = np.flatnonzero(reached >= target)
    if ok.size == 0:
        best = int(np.argmax(reached))
        raise NoSolution(
            f"no {field.replace('_', ' ')} of phase {phase.name!r} makes {output} reach "
            f"{target:.4g} by {by}; the most is {reached[best]:.4g} with {shown[best]}",
            key=canonical, best_value=float(candidates[best]),
            best_achieved=float(reached[best]))
    pick = int(ok[-1])
    if field == "start":
        note = f"the latest start with {output} ≥ {target:g} in {by}"
    else:
        note = f"the longest delay with {output} ≥ {target:g} in {by}"
    if ok.size != pick + 1 or (ok.size and int(ok[0]) != 0 and field == "start"):
        note += ("; not every earlier value reaches it (the chip installed and the "
                 "retirements depend on the date)")
    return Solution(canonical, float(candidates[pick]), unit, output, target,
                    float(reached[pick]), note=note)

