"""Run resolved scenarios through the model and return results that know their units."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from calc.analysis.provenance import provenance
from calc.analysis.tabular import Tabular
from calc.core.chain import evaluate, measure_of, target_measure
from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, OUTPUTS, SIZING_KEYS, other_sizing
from calc.data.scenarios import Library, Scenario

if TYPE_CHECKING:
    from calc.analysis.solver import Solution
    from calc.data.frames import Tidy

__all__ = [
    "Result",
    "baseline_measure",
    "model_inputs",
    "outcome_of",
    "reference_run",
    "run",
    "run_many",
    "solve_input",
    "solve_meet_target",
    "whole_count",
]

#: The outputs a result's notebook cards show.
CARD_OUTPUTS = ("compute_multiple", "facility_power_mw", "accelerators", "h100_equivalents",
                "effective_flop_per_s", "capex_usd")


@dataclass(frozen=True)
class Result(Tabular):
    """One scenario's outputs, with the scenario (inputs and provenance) that made them."""

    scenario: Scenario
    outputs: Mapping[str, float]
    baseline: str

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def units(self) -> dict[str, str]:
        """Unit of every input and output, keyed by dotted key or output name."""
        return {**{k: s.unit for k, s in INPUTS.items()},
                **{k: s.unit for k, s in OUTPUTS.items()}}

    def __getitem__(self, output: str) -> float:
        return self.outputs[output]

    @property
    def measure(self) -> str:
        """The output this scenario's compute multiple counts (``target.measure``):
        ``effective_flop_per_s`` unless the scenario says ``training_flop_per_run``."""
        return target_measure(self.scenario.values)

    def measured(self, measure: str | None = None) -> float:
        """This run's quantity in ``measure`` (default its own :attr:`measure`): a
        baseline's ``measured(result.measure)`` is the unit ``result``'s multiple counts.

        >>> import calc
        >>> base = calc.run(calc.load(), "cortex-phase1")
        >>> base.measured() == base["effective_flop_per_s"]
        True
        """
        return float(measure_of(self.outputs, measure or self.measure))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: name, title, baseline, inputs, outputs and units."""
        return {
            "name": self.name,
            "title": self.scenario.title,
            "baseline": self.baseline,
            "inputs": self.scenario.values,
            "outputs": dict(self.outputs),
            "units": self.units,
        }

    def tidy(self) -> Tidy:
        """One observation: every output (a 0-d array each) with its unit."""
        from calc.data.frames import Tidy  # deferred: the frame forms only when asked for

        return Tidy("result", {k: ((), np.asarray(v)) for k, v in self.outputs.items()},
                    units={k: OUTPUTS[k].unit for k in self.outputs if k in OUTPUTS},
                    attrs=provenance(self.scenario),
                    descriptions={k: OUTPUTS[k].title for k in self.outputs if k in OUTPUTS})

    def cards(self) -> tuple[str, list[tuple[str, str]]]:
        """The scenario's title and its headline outputs, at central values."""
        from calc.data.notebook import quantity  # deferred: html only for a notebook

        return (f"{self.scenario.title} (at central values)",
                [(OUTPUTS[k].title, quantity(self.outputs[k], OUTPUTS[k].unit))
                 for k in CARD_OUTPUTS if k in self.outputs])


def model_inputs(scenario: Scenario) -> dict[str, Any]:
    """The scenario's values as the model takes them (dotted keys, floats)."""
    return dict(scenario.values)


Outcome = Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]


def outcome_of(scenario: Scenario, key: str, output: str, baseline_value: float) -> Outcome:
    """A vectorised function: values of input ``key`` → values of ``output``."""
    base = model_inputs(scenario)

    def outcome(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        inputs = dict(base)
        inputs[key] = x
        if key in SIZING_KEYS:
            inputs[other_sizing(key)] = None
        return np.asarray(evaluate(inputs, baseline_value)[output], dtype=float)

    return outcome


def _baseline_value(library: Library, name: str, seen: tuple[str, ...], measure: str) -> float:
    scenario = solve_meet_target(library, library.scenario(name), (*seen, name))
    # the baseline's own compute does not depend on its baseline
    return float(measure_of(evaluate(model_inputs(scenario), 1.0), measure))


def baseline_measure(library: Library, scenario: Scenario) -> float:
    """The unit of ``scenario``'s multiples: its baseline's value of what it measures.

    Effective FLOP/s by default; FLOP per run when ``target.measure`` is
    ``training_flop_per_run`` (the baseline's own run length counts).
    """
    return _baseline_value(library, scenario.baseline_name, (), target_measure(scenario.values))


def solve_meet_target(library: Library, scenario: Scenario,
                      seen: tuple[str, ...] = ()) -> Scenario:
    """Resolve ``meet_target``: solve its key so the scenario reaches the target multiple."""
    if scenario.meet_target is None:
        return scenario
    if scenario.baseline_name in seen:
        raise CapcalcError(
            f"meet_target in {scenario.name!r} measures from {scenario.baseline_name!r}, "
            "which depends on it", file=scenario.origin, key="target.baseline",
        )
    baseline = _baseline_value(library, scenario.baseline_name, (*seen, scenario.name),
                               target_measure(scenario.values))
    target = scenario["target.compute_multiplier"]
    assert isinstance(target, float)
    try:
        solution = solve_input(scenario, scenario.meet_target, "compute_multiple", target,
                               baseline)
    except CapcalcError as exc:  # name the file whose meet_target cannot be met
        where = f"{scenario.origin}: scenario {scenario.name!r}" if scenario.origin else None
        raise exc.at(file=where) from None
    values: dict[str, Any] = {scenario.meet_target: solution.value}
    if scenario.meet_target in SIZING_KEYS:
        values[other_sizing(scenario.meet_target)] = None
    solved = scenario.with_values(
        values, source=f"solved: reaches the target multiple against {scenario.baseline_name}")
    return replace(solved, meet_target=None)


def solve_input(scenario: Scenario, key: str, output: str, target: float,
                baseline_value: float) -> Solution:
    """Find the value of input ``key`` at which ``output`` equals ``target``.

    A count (``site.accelerators``) is answered in whole units: the nearer of
    the two whole numbers around the root at which ``output`` is at least
    ``target`` (one more accelerator when the output grows with the count).
    """
    # deferred: the solver only where a value is solved for (a target to meet, capcalc solve)
    from calc.analysis.solver import solve_scalar

    outcome = outcome_of(scenario, key, output, baseline_value)
    solution = solve_scalar(key, output, target, outcome)
    if INPUTS[key].kind != "count":
        return solution
    return whole_count(solution, outcome)


def whole_count(solution: Solution, outcome: Outcome) -> Solution:
    """``solution`` moved to a whole number at which the output still reaches the target."""
    lower = max(float(np.floor(solution.value)), 1.0)
    upper = float(np.ceil(solution.value))
    if lower == upper == solution.value:
        return solution
    achieved = outcome(np.array([lower, upper]))
    reaching = [(abs(v - solution.value), v, a)
                for v, a in zip((lower, upper), achieved.tolist(), strict=True)
                if a >= solution.target]
    _, value, reached = min(reaching) if reaching else (0.0, upper, float(achieved[1]))
    note = (f"rounded to a whole number: {value:,.0f} reaches {reached:.6g} "
            f"(the exact root is {solution.value:,.2f})")
    return replace(solution, value=value, achieved=reached, roots=(value,),
                   note="; ".join(filter(None, (solution.note, note))))


def run(library: Library, scenario: str | Scenario,
        sets: Iterable[tuple[str, Any]] = ()) -> Result:
    """Run one scenario (a name or a resolved :class:`Scenario`) against its baseline."""
    if isinstance(scenario, str):
        scenario = library.scenario(scenario, list(sets))
    scenario = solve_meet_target(library, scenario)
    baseline = _baseline_value(library, scenario.baseline_name, (), target_measure(scenario.values))
    outputs = evaluate(model_inputs(scenario), baseline)
    return Result(scenario=scenario, outputs={k: float(v) for k, v in outputs.items()},
                  baseline=scenario.baseline_name)


def reference_run(library: Library, name: str) -> Result:
    """Scenario ``name`` as the reference of multiples: its outputs measured against itself.

    What a table's baseline column shows: the compute multiple is 1 and the
    power for the target is the power that multiplies its own compute by the
    target, whatever the scenario's own ``target.baseline`` is.
    """
    scenario = solve_meet_target(library, library.scenario(name))
    outputs = evaluate(model_inputs(scenario),
                       _baseline_value(library, name, (), target_measure(scenario.values)))
    return Result(scenario=scenario, outputs={k: float(v) for k, v in outputs.items()},
                  baseline=name)


def run_many(library: Library, names: Sequence[str],
             sets: Iterable[tuple[str, Any]] = ()) -> list[Result]:
    """Run several scenarios with the same ``sets`` applied to each."""
    sets = list(sets)
    return [run(library, name, sets) for name in names]
