"""A scenario's money split into its parts: what the site costs to build and to run a year.

Capex splits into the accelerators (servers and network included) and the facility;
the yearly cost into each part's capital recovery (its capex annualised at the
cost of capital over its lifetime, :func:`calc.core.money.amortized_usd`) and
the electricity. The parts add up to the run's ``capex_usd`` and
``annualized_cost_usd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from calc.analysis.run import Result
from calc.core.money import amortized_usd

__all__ = ["CostPart", "cost_parts"]


@dataclass(frozen=True)
class CostPart:
    """One part of a scenario's cost: ``capex`` (once) or ``annual`` (a year), in USD."""

    kind: Literal["capex", "annual"]
    part: str
    usd: float


def cost_parts(result: Result) -> tuple[CostPart, ...]:
    """Capex (accelerators, facility) and the yearly cost (each capital recovery, the
    electricity) of ``result``.

    >>> import calc
    >>> result = calc.run(calc.load(), "cortex-phase1")
    >>> parts = cost_parts(result)
    >>> [p.part for p in parts if p.kind == "annual"]
    ['hardware (capital recovery)', 'facility (capital recovery)', 'electricity']
    """
    o = result.outputs
    cost = result.scenario.inputs.cost
    return (
        CostPart("capex", "accelerators, servers, network",
                 float(o["accelerator_capex_total_usd"])),
        CostPart("capex", "facility", float(o["facility_capex_total_usd"])),
        CostPart("annual", "hardware (capital recovery)", float(amortized_usd(
            o["accelerator_capex_total_usd"], cost.hardware_lifetime_years, cost.wacc))),
        CostPart("annual", "facility (capital recovery)", float(amortized_usd(
            o["facility_capex_total_usd"], cost.facility_lifetime_years, cost.wacc))),
        CostPart("annual", "electricity", float(o["annual_electricity_cost_usd"])),
    )
