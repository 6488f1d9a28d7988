"""The data behind the timeline chart: monthly series with a column per generation."""

from __future__ import annotations

from typing import Any

from calc.analysis.timeline import Timeline
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.presentation.tables.base import Table, provenance

__all__ = ["timeline_table"]


def timeline_table(timeline: Timeline) -> Table:
    """The monthly series with generation columns: the data behind the timeline chart (its CSV)."""
    columns: dict[str, list[Any]] = {"month": list(timeline.months)}
    units: dict[str, str] = {}
    for name, values in timeline.series.items():
        columns[name] = [float(v) for v in values]
        units[name] = TIMELINE_OUTPUTS[name].unit
    generations = timeline.arrays.by_generation
    for name, unit in (("h100_equivalents", "H100e"), ("accelerators", "accelerator")):
        for label, values in generations.get(name, {}).items():
            column = f"{name}:{label}"
            columns[column] = [float(v) for v in values]
            units[column] = unit
    scenario = timeline.scenario
    growth = scenario.inputs.hardware.perf_per_watt_growth_per_year
    lifetime = scenario.inputs.cost.hardware_lifetime_years
    reached = timeline.target_reached
    return Table(
        name="timeline",
        title=f"Build-out of {scenario.name}: H100-equivalents by generation and facility power",
        columns=columns,
        units=units,
        caption=provenance(
            [scenario.name], timeline.baseline,
            f"target {timeline.target:g}× reached {reached or 'not by ' + timeline.until}; "
            f"hardware life {lifetime:g} yr; beyond the catalog perf/W +{growth:.0%}/yr, "
            f"FLOP/$ +{scenario.inputs.hardware.price_performance_growth_per_year:.0%}/yr; "
            f"MFU {scenario.inputs.training.mfu:g}"),
    )
