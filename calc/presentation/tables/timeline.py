"""The data behind the timeline chart: monthly series with a column per generation."""

from __future__ import annotations

from typing import Any

from calc.analysis.pace import Pace
from calc.analysis.timeline import Timeline
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index
from calc.presentation.formatting import percent
from calc.presentation.tables.base import Table, provenance

__all__ = ["PACE_COLUMNS", "timeline_table"]

#: The columns of the operator's pace: fitted growth, and the least and most its range allows.
PACE_COLUMNS = ("pace_h100e", "pace_h100e_low", "pace_h100e_high")


def timeline_table(timeline: Timeline, pace: Pace | None = None) -> Table:
    """The monthly series with generation columns: the data behind the timeline chart (its CSV).

    With ``pace``, the operator's own pace through its stated compute is a series too
    (fitted, and the least and most its range allows).
    """
    columns: dict[str, list[Any]] = {"month": list(timeline.months)}
    units: dict[str, str] = {}
    for name, values in timeline.series.items():
        columns[name] = [float(v) for v in values]
        units[name] = TIMELINE_OUTPUTS[name].unit
    if pace is not None:
        index = [month_index(m) for m in timeline.months]
        least, most = pace.band(index)
        for column, values in zip(PACE_COLUMNS, (pace.h100e(index), least, most), strict=True):
            columns[column] = [float(v) for v in values]
            units[column] = "H100e"
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
            f"target {timeline.target:g}× reached "
            f"{(reached + ' at central values') if reached else 'not by ' + timeline.until}; "
            f"hardware life {lifetime:g} yr; beyond the catalog perf/W +{percent(growth)}/yr, "
            f"FLOP/$ +{percent(scenario.inputs.hardware.price_performance_growth_per_year)}/yr; "
            f"MFU {scenario.inputs.training.mfu:g}"
            + (f"; {pace.operator}'s pace {pace.growth:.2f}×/yr "
               f"({pace.slowest:.2f}–{pace.fastest:.2f}) through its stated compute"
               if pace is not None else "")),
    )
