"""Distance to the target multiple: the power it needs, and what other chips would need.

The command line, the dashboard and reports state the distance to the experts'
tenfold need in words (:mod:`calc.presentation.answer`). The facts behind such a
sentence are computed here, with the model's own functions: the facility power
for the target is the ``facility_power_mw_for_target`` output, and each
catalog accelerator is evaluated at the scenario's facility power with every
other assumption kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from calc.analysis.run import Result, model_inputs
from calc.core.chain import (
    availability_load,
    evaluate,
    measure_of,
    multiple_ceiling,
    target_measure,
)
from calc.data.scenarios import Library

__all__ = ["ChipOption", "TargetFacts", "target_facts"]


@dataclass(frozen=True)
class ChipOption:
    """One catalog accelerator placed in the scenario at the scenario's facility power.

    Attributes
    ----------
    accelerator : str
        Catalog name.
    status : str
        Catalog status (``shipping``, ``preliminary``, ...).
    compute_multiple : float
        Its effective FLOP/s at the scenario's facility power ÷ the baseline's.
    facility_power_mw_for_target : float
        Facility power, MW, at which it reaches the target multiple.
    gain : float
        Its effective FLOP/s per facility watt ÷ the scenario's own accelerator's.
    """

    accelerator: str
    status: str
    compute_multiple: float
    facility_power_mw_for_target: float
    gain: float


@dataclass(frozen=True)
class TargetFacts:
    """Where a scenario stands against ``target.compute_multiplier`` × its baseline.

    Attributes
    ----------
    scenario, baseline, accelerator : str
        Names of the scenario, its baseline and its accelerator.
    sized_by : str
        ``"power"`` or ``"accelerators"``: how the site is sized.
    facility_power_mw, accelerators : float
        The scenario's facility power (MW) and accelerator count.
    compute_multiple, target_multiple : float
        Achieved and wanted effective FLOP/s as multiples of the baseline's.
    facility_power_mw_for_target : float
        Facility power, MW, at which the scenario reaches the target.
    gain_needed : float
        Target ÷ achieved multiple: the FLOP per facility watt a chip would need,
        relative to the scenario's, to reach the target at the same power.
    chips : tuple of ChipOption
        Every other catalog accelerator, lowest power for the target first.
    ceiling : float
        The largest multiple the scenario's chips reach at any size: infinite,
        except under the interruptions availability model, where a target at or
        above it needs infinite power (``facility_power_mw_for_target`` is inf).
    """

    scenario: str
    baseline: str
    accelerator: str
    sized_by: str
    facility_power_mw: float
    accelerators: float
    compute_multiple: float
    target_multiple: float
    facility_power_mw_for_target: float
    gain_needed: float
    chips: tuple[ChipOption, ...]
    ceiling: float = math.inf

    @property
    def reachable(self) -> bool:
        """Whether some facility power of the scenario's chip reaches the target."""
        return math.isfinite(self.facility_power_mw_for_target)

    @property
    def met(self) -> bool:
        """Whether the scenario reaches the target multiple."""
        return self.compute_multiple >= self.target_multiple * (1 - 1e-9)

    @property
    def better_chips(self) -> tuple[ChipOption, ...]:
        """Chips with more effective FLOP per facility watt than the scenario's that reach
        the target at some power."""
        return tuple(c for c in self.chips
                     if c.gain > 1 + 1e-9 and math.isfinite(c.facility_power_mw_for_target))


def target_facts(library: Library, result: Result, baseline: Result) -> TargetFacts:
    """The facts about ``result``'s distance to its target multiple.

    Parameters
    ----------
    library : Library
        Supplies the accelerator catalog.
    result : Result
        The scenario (already solved when it had ``meet_target``).
    baseline : Result
        The result of ``result``'s baseline scenario.

    Returns
    -------
    TargetFacts
        Power for the target (MW) and, for every other catalog accelerator, its
        multiple and power for the target with the scenario's other assumptions.
    """
    scenario = result.scenario
    outputs = result.outputs
    baseline_effective = float(measure_of(baseline.outputs, target_measure(scenario.values)))
    power = outputs["facility_power_mw"]
    current = str(scenario["hardware.accelerator"])
    chips = []
    for name, accelerator in library.baseline.catalog.items():
        if name == current:
            continue
        inputs = model_inputs(library.with_accelerator(scenario, name))
        inputs["site.facility_power_mw"] = power
        inputs["site.accelerators"] = None
        out = evaluate(inputs, baseline_effective)
        multiple = float(out["compute_multiple"])
        chips.append(ChipOption(
            accelerator=name,
            status=accelerator.status,
            compute_multiple=multiple,
            facility_power_mw_for_target=float(out["facility_power_mw_for_target"]),
            gain=multiple / outputs["compute_multiple"],
        ))
    chips.sort(key=lambda c: c.facility_power_mw_for_target)
    target = scenario.inputs.target.compute_multiplier
    load = availability_load(model_inputs(scenario), outputs["accelerators"])
    return TargetFacts(
        scenario=scenario.name,
        baseline=result.baseline,
        accelerator=current,
        sized_by="power" if scenario["site.accelerators"] is None else "accelerators",
        facility_power_mw=power,
        accelerators=outputs["accelerators"],
        compute_multiple=outputs["compute_multiple"],
        target_multiple=target,
        facility_power_mw_for_target=outputs["facility_power_mw_for_target"],
        gain_needed=target / outputs["compute_multiple"],
        chips=tuple(chips),
        ceiling=math.inf if load is None
        else float(multiple_ceiling(outputs["compute_multiple"], load)),
    )
