"""The data behind the scenario charts: comparison, power → compute by chip, and cost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc.analysis.costs import cost_parts
from calc.analysis.power_curve import CURVE_OUTPUTS, power_curves
from calc.analysis.run import Result
from calc.core.constants import CURRENCY
from calc.core.vocabulary import OUTPUTS
from calc.data.scenarios import Library, Scenario
from calc.presentation.tables.base import Table, provenance

__all__ = ["comparison_table", "cost_table", "lease_table", "power_curve_table"]

COMPARISON_OUTPUTS = (
    "facility_power_mw",
    "h100_equivalents",
    "compute_multiple",
    "capex_usd",
)


def comparison_table(results: Sequence[Result], baseline: Result) -> Table:
    """Key outputs of each scenario and their ratio to the baseline (long form)."""
    columns: dict[str, list[Any]] = {k: [] for k in
                                     ("scenario", "output", "title", "value", "unit", "ratio")}
    for result in results:
        for output in COMPARISON_OUTPUTS:
            value = result.outputs[output]
            columns["scenario"].append(result.name)
            columns["output"].append(output)
            columns["title"].append(OUTPUTS[output].title)
            columns["value"].append(value)
            columns["unit"].append(OUTPUTS[output].unit)
            columns["ratio"].append(value / baseline.outputs[output])
    target = baseline.scenario.inputs.target.compute_multiplier
    return Table(
        name="scenario-comparison",
        title="Scenarios against the baseline",
        columns=columns,
        units={"ratio": "1"},
        caption=provenance([r.name for r in results], baseline.name,
                           f"target {target:g}× the baseline"),
    )


def power_curve_table(library: Library, scenario: Scenario, baseline_effective: float,
                      powers_mw: Sequence[float] | None = None,
                      accelerators: Sequence[str] | None = None,
                      shown: Sequence[str] = ()) -> Table:
    """H100-equivalents and effective FLOP/s against facility power for each accelerator.

    The sweep of :func:`calc.analysis.power_curve.power_curves`, one row per chip and
    power. The caption names ``shown``, the scenarios the chart plots (default:
    ``scenario``).
    """
    curves = power_curves(library, scenario, baseline_effective, powers_mw, accelerators)
    columns: dict[str, list[Any]] = {
        "accelerator": [name for name in curves.accelerators for _ in curves.powers_mw],
        "facility_power_mw": [float(p) for _ in curves.accelerators for p in curves.powers_mw],
        **{key: [float(v) for v in curves.outputs[key].ravel()] for key in CURVE_OUTPUTS}}
    return Table(
        name="power-to-compute",
        title="Facility power → compute, by accelerator",
        columns=columns,
        units={"facility_power_mw": "MW", "accelerators": "accelerator",
               "h100_equivalents": "H100e", "effective_flop_per_s": "FLOP/s",
               "compute_multiple": "1"},
        caption=provenance(list(shown) or [scenario.name], scenario.baseline_name,
                           f"curves keep {scenario.name}'s other assumptions"),
    )


def cost_table(results: Sequence[Result]) -> Table:
    """Capex split (accelerators, facility) and yearly cost split per scenario
    (:func:`calc.analysis.costs.cost_parts`)."""
    columns: dict[str, list[Any]] = {k: [] for k in ("scenario", "kind", "part", "usd")}
    for result in results:
        for part in cost_parts(result):
            columns["scenario"].append(result.name)
            columns["kind"].append(part.kind)
            columns["part"].append(part.part)
            columns["usd"].append(part.usd)
    return Table(
        name="cost-breakdown",
        title="Capex and yearly cost",
        columns=columns,
        units={"usd": CURRENCY},
        caption=provenance([r.name for r in results], results[0].baseline if results else "",
                           "capex annualised at the cost of capital over each lifetime"),
    )


def lease_table(results: Sequence[Result]) -> Table:
    """Owning against leasing per scenario, as calc computes them: the annualized cost of
    owning and the cost of the same fleet leased, per year and per run, and the break-even
    utilisation (the share of a year above which owning is cheaper).

    Each value is one of :data:`calc.core.vocabulary.OUTPUTS`; nothing is computed here.
    """
    names = ("annualized_cost_usd", "cloud_cost_per_year_usd", "cost_per_run_usd",
             "cloud_cost_per_run_usd", "lease_breakeven_utilisation")
    columns: dict[str, list[Any]] = {"scenario": [], "accelerator": [],
                                     "cloud_usd_per_accelerator_hour": [],
                                     **{n: [] for n in names}}
    for result in results:
        columns["scenario"].append(result.name)
        columns["accelerator"].append(result.scenario["hardware.accelerator"])
        columns["cloud_usd_per_accelerator_hour"].append(
            float(result.scenario.inputs.cost.cloud_usd_per_accelerator_hour))
        for name in names:
            columns[name].append(float(result.outputs[name]))
    return Table(
        name="lease-versus-own",
        title="Owning against leasing the same fleet",
        columns=columns,
        units={**{n: CURRENCY for n in names[:4]}, "lease_breakeven_utilisation": "1",
               "cloud_usd_per_accelerator_hour": f"{CURRENCY}/h"},
        caption=provenance([r.name for r in results], results[0].baseline if results else "",
                           "owned: capex annualised at the cost of capital plus electricity; "
                           "leased: accelerators × hours × cloud price"),
    )


def utilisation_table(results: Sequence[Result]) -> Table:
    """Owning against leasing as the fleet's utilisation goes from 0 to 1, per scenario: the
    points where the two yearly costs are known (idle, the scenario's utilisation, the
    break-even, busy all year). Owning costs its annualized cost at any utilisation;
    leasing the leased cost per year times the utilisation.

    Each value is one of :data:`calc.core.vocabulary.OUTPUTS` (at 0 leasing costs nothing,
    at the break-even as much as owning); nothing is computed here.
    """
    columns: dict[str, list[Any]] = {k: [] for k in (
        "scenario", "utilisation", "what", "owned_usd_per_year", "leased_usd_per_year")}
    for result in results:
        owned = float(result.outputs["annualized_cost_usd"])
        used = float(result.scenario.inputs.cost.utilisation)
        breakeven = float(result.outputs["lease_breakeven_utilisation"])
        points = [(0.0, "idle", 0.0),
                  (used, "utilisation", float(result.outputs["leased_cost_at_utilisation_usd"])),
                  (1.0, "busy all year", float(result.outputs["cloud_cost_per_year_usd"]))]
        if 0.0 < breakeven <= 1.0:
            points.append((breakeven, "break-even", owned))
        for at, what, leased in sorted(points):
            for name, value in (("scenario", result.name), ("utilisation", at), ("what", what),
                                ("owned_usd_per_year", owned), ("leased_usd_per_year", leased)):
                columns[name].append(value)
    return Table(
        name="cost-versus-utilisation",
        title="Owning against leasing, by utilisation",
        columns=columns,
        units={"utilisation": "1", "owned_usd_per_year": f"{CURRENCY}/year",
               "leased_usd_per_year": f"{CURRENCY}/year"},
        caption=provenance([r.name for r in results], results[0].baseline if results else "",
                           "owned: capex annualised at the cost of capital plus electricity, "
                           "whatever the use; leased: only the hours used, at the cloud price"),
    )
