"""Cached calls into :mod:`calc` for a session's build-out: the timeline, its date as a
sampled range, the answer in words, the chance of the target by each month, the fan of
sampled build-outs, and the target box's central and P answers.

Keyed on the :class:`~calc.dashboard.keys.StateKey` and the build-out's phases as used
(the edits, with the slip when it is on: :func:`~calc.dashboard.compute.scenario.used_phases`),
the horizon and, when sampled, the samples and the seed.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from calc.analysis.buildout_montecarlo import TimelineSimulation, simulate_timeline
from calc.analysis.confidence import solve_probability
from calc.analysis.levers import Levers, levers_of_timeline
from calc.analysis.limits import ANSWER_SAMPLES
from calc.analysis.pace import Pace, PaceWarning
from calc.analysis.reach import RANGE, Reach, buildout_reach, pace_check
from calc.analysis.run import baseline_measure, solve_input
from calc.analysis.slip import NO_SLIP
from calc.analysis.timeline import Timeline, run_timeline, solve_timeline
from calc.core.errors import CapcalcError, NoSolution
from calc.core.vocabulary import measure_title
from calc.dashboard.compute.cache import Drawn, drawn, memo
from calc.dashboard.compute.scenario import (
    TIMELINE_SECONDS,
    library_for,
    peers,
    records,
    results,
    scenario_of,
)
from calc.dashboard.compute.titles import as_shown
from calc.dashboard.keys import PhasesKey, StateKey, phases_of
from calc.dashboard.markup import shown_error
from calc.data.peers import StatedCompute
from calc.presentation.answer import answer_parts
from calc.presentation.charts.uncertainty import fan_chart, mark_month, reach_probability_chart
from calc.presentation.formatting import solved_text
from calc.presentation.tables.uncertainty import reach_marks

__all__ = ["Built", "Chance", "answer", "built", "chance", "fan", "levers", "probable",
           "reach_of", "solve"]


@memo(max_entries=16)
def reach_of(key: StateKey, phases: PhasesKey, until: str, slip_on: bool, seed: int
             ) -> Reach | None:
    """The date of the build-out the scenario is measured on, sampled over
    :data:`~calc.analysis.limits.ANSWER_SAMPLES` build-outs with ``seed``
    (:func:`calc.analysis.reach.buildout_reach`, as ``capcalc run`` and ``timeline``
    give it), on the edited phases when ``phases`` is not empty, announced phases slipping
    when ``slip_on``. Cached on its inputs: a rerun with the same ones costs a lookup."""
    result, _ = results(key)
    return buildout_reach(library_for(key.upload), result.scenario,
                          phases=phases_of(phases) if phases else None, until=until,
                          records=records(), slip=None if slip_on else NO_SLIP,
                          samples=ANSWER_SAMPLES, seed=seed)


@memo(max_entries=256)
def answer(key: StateKey, phases: PhasesKey, until: str, slip_on: bool = True, seed: int = 0
           ) -> tuple[str, str]:
    """The finding in words for the answer box and behind "more"
    (:func:`calc.presentation.answer.answer_parts`), its date from :func:`reach_of`."""
    result, baseline = results(key)
    return answer_parts(library_for(key.upload), result, baseline,
                        reach_of(key, phases, until, slip_on, seed))


@dataclass(frozen=True)
class Built:
    """The build-out month by month at central values (``timeline``), what its operator
    said (``stated``), its pace and the months it runs above it (``pace``, ``warning``)."""

    timeline: Timeline
    stated: tuple[StatedCompute, ...]
    pace: Pace | None
    warning: PaceWarning | None


@memo(max_entries=64)
def built(key: StateKey, phases: PhasesKey, until: str) -> Built:
    """The build-out on ``phases`` (the phases used: edits and slip) to ``until``
    (:func:`calc.analysis.timeline.run_timeline`), with the operator's statements and pace
    (:func:`calc.analysis.reach.pace_check`)."""
    result, _ = results(key)
    timeline = run_timeline(library_for(key.upload), result.scenario, until=until,
                            phases=phases_of(phases))
    operator = library_for(key.upload).story.operator
    stated = tuple(peers().stated(operator)) if operator else ()
    pace, warning = pace_check(timeline, records(), operator)
    return Built(timeline, stated, pace, warning)


@memo(max_entries=64)
def levers(key: StateKey, phases: PhasesKey, until: str) -> Levers:
    """The levers that bring the build-out to its target by ``until``
    (:func:`calc.analysis.levers.levers_of_timeline`)."""
    return levers_of_timeline(library_for(key.upload), built(key, phases, until).timeline)


def _sampled(key: StateKey, phases: PhasesKey, until: str, samples: int, seed: int
             ) -> TimelineSimulation:
    """``samples`` joint samples of the build-out on ``phases`` to ``until``
    (:func:`calc.analysis.buildout_montecarlo.simulate_timeline`; ``()``: the scenario's own
    phases), refused when it would take more than :data:`TIMELINE_SECONDS` of computing. Not
    kept: its arrays are (samples × months); the callers keep what they draw of it."""
    return simulate_timeline(library_for(key.upload), scenario_of(key), samples=samples,
                             seed=seed, until=until,
                             phases=phases_of(phases) if phases else None,
                             time_budget=TIMELINE_SECONDS)


@dataclass(frozen=True)
class Chance:
    """The chance of the target by each month (``drawn``, its chart; ``by_month``, month →
    chance), the months it first reaches 50 % and 80 % (``marks``: ``{"P50": month or None,
    "P80": ...}``) and the sampled 10, 50 and 90 % months (``months``: None after the
    horizon), over ``samples`` build-outs of ``seed``."""

    drawn: Drawn
    marks: dict[str, str | None]
    by_month: dict[str, float]
    months: tuple[str | None, str | None, str | None]
    samples: int
    seed: int

    def p_by(self, month: str) -> float:
        """P(the target is reached in or before ``month``): 0 before the first month, the
        horizon's chance after it."""
        if month in self.by_month:
            return self.by_month[month]
        months = list(self.by_month)
        return 0.0 if month < months[0] else self.by_month[months[-1]]

    def marked(self, month: str, label: str) -> Drawn:
        """The chart with a rule at ``month`` named ``label``
        (:func:`calc.presentation.charts.uncertainty.mark_month`)."""
        return _marked(self.drawn.key, month, label, self.drawn)


@memo(max_entries=64)
def _marked(key: Hashable, month: str, label: str, _plain: Drawn) -> Drawn:
    return drawn(mark_month(_plain.chart, month, label), (key, month, label))


@memo(max_entries=32)
def chance(key: StateKey, phases: PhasesKey, until: str, samples: int, seed: int) -> Chance:
    """P(target reached by each month) over ``samples`` joint samples of the build-out
    (:func:`calc.presentation.charts.uncertainty.reach_probability_chart`), its marks
    (:func:`calc.presentation.tables.uncertainty.reach_marks`), the chance month by month
    (:meth:`~calc.analysis.buildout_montecarlo.TimelineSimulation.reach_distribution`, whose
    month ``m`` is :meth:`~calc.analysis.buildout_montecarlo.TimelineSimulation.p_reached_by`)
    and the 10–90 % months."""
    sim = _sampled(key, phases, until, samples, seed)
    chart = reach_probability_chart([sim], measure=measure_title(scenario_of(key).values))
    low, median, high = (sim.reach_month(p) for p in RANGE)
    return Chance(drawn(as_shown(chart, key), ("chance", key, phases, until, samples, seed)),
                  reach_marks([sim])[sim.name], sim.reach_distribution(), (low, median, high),
                  sim.samples, sim.seed)


@memo(max_entries=16)
def fan(key: StateKey, phases: PhasesKey, until: str, samples: int, seed: int) -> Drawn:
    """The sampled build-out's fan (:func:`calc.presentation.charts.uncertainty.fan_chart`)
    on ``phases`` (``()``: the scenario's own) to ``until``."""
    sim = _sampled(key, phases, until, samples, seed)
    chart = fan_chart([sim], measure=measure_title(scenario_of(key).values))
    return drawn(as_shown(chart, key), ("fan", key, phases, until, samples, seed))


@memo(max_entries=128)
def solve(key: StateKey, phases: PhasesKey, name: str, output: str, target: float,
          by: str | None) -> dict[str, Any]:
    """The value of input ``name`` at which ``output`` reaches ``target`` at central values
    (in month ``by`` of the build-out when given), as plain values, or the one-line reason
    there is none."""
    library = library_for(key.upload)
    result, _ = results(key)
    try:
        if by:
            solution = solve_timeline(library, result.scenario, name, output, target, by,
                                      phases=phases_of(phases))
        else:
            solution = solve_input(result.scenario, name, output, target,
                                   baseline_measure(library, result.scenario))
    except NoSolution as exc:
        return {"error": shown_error(exc), "best": exc.best_value, "achieved": exc.best_achieved}
    except CapcalcError as exc:
        return {"error": shown_error(exc)}
    return {"key": solution.key, "value": solution.value, "unit": solution.unit,
            "text": solved_text(solution.key, solution.value, solution.unit),
            "achieved": solution.achieved, "note": solution.note,
            "output": output, "target": target, "by": by}


@memo(max_entries=256)
def probable(key: StateKey, name: str, output: str, target: float, probability: float,
             samples: int, seed: int) -> dict[str, Any]:
    """The value of input ``name`` at which P(output ≥ target) = ``probability`` over the
    joint samples (:func:`calc.analysis.confidence.solve_probability`), as plain values, or
    the one-line reason there is none."""
    try:
        solution = solve_probability(library_for(key.upload), scenario_of(key), name, output,
                                     target, probability, samples=samples, seed=seed)
    except CapcalcError as exc:
        return {"error": shown_error(exc), "probability": probability}
    return {"key": name, "value": solution.value, "unit": solution.unit,
            "probability": solution.probability, "achieved": solution.achieved,
            "achieved_se": solution.achieved_se, "samples": solution.samples,
            "seed": solution.seed, "output": output, "target": target}
