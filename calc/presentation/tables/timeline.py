"""The data behind the timeline chart: monthly series with a column per generation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc.analysis.statements import stated_checks
from calc.analysis.timeline import Timeline
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.data.peers import StatedCompute
from calc.presentation.tables.base import Table, provenance

__all__ = ["timeline_table"]


def timeline_table(timeline: Timeline, stated: Sequence[StatedCompute] = ()) -> Table:
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
        meta={
            "target": timeline.target,
            "target_reached": reached,
            "baseline": timeline.baseline,
            "generations": list(generations.get("h100_equivalents", {})),
            "phases": [{"name": p.name, "begins": p.begins, "confidence": p.confidence,
                        "facility_power_mw": p.facility_power_mw} for p in timeline.phases],
            # H100e per unit of compute multiple, month by month (the target line in H100e)
            "h100e_for_target": [
                float(h) * timeline.target / float(m) if float(m) > 0 else None
                for h, m in zip(timeline.series["h100_equivalents"],
                                timeline.series["compute_multiple"], strict=True)],
            "until": timeline.until,
            # what the operator says its training compute was, drawn over the build-out
            "stated": [{"month": check.month, "h100e": check.statement.h100_equivalents,
                        "bound": check.statement.bound or "",
                        "modelled_h100e": check.modelled, "label": check.statement.operator}
                       for check in stated_checks(timeline, stated)],
        },
    )
