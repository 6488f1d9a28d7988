"""The data behind the timeline chart: monthly series with a column per generation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calc.analysis.pace import Pace, PaceWarning
from calc.analysis.statements import stated_checks
from calc.analysis.timeline import Timeline
from calc.core.fleet import TIMELINE_OUTPUTS
from calc.core.months import month_index, month_label
from calc.data.peers import StatedCompute
from calc.presentation.tables.base import Table, provenance

__all__ = ["timeline_table"]


#: The columns of the operator's pace: fitted growth, and the least and most its range allows.
PACE_COLUMNS = ("pace_h100e", "pace_h100e_low", "pace_h100e_high")


def _pace_meta(pace: Pace, timeline: Timeline) -> dict[str, Any]:
    """The pace as the chart and the CSV's reader need it: its growth and its month of the
    target."""
    baseline_h100e = (float(timeline.series["h100_equivalents"][0])
                      / float(timeline.series["compute_multiple"][0])
                      if float(timeline.series["compute_multiple"][0]) > 0 else None)
    months = (pace.months_of(timeline.target * baseline_h100e) if baseline_h100e
              else (None, None, None))
    return {"operator": pace.operator, "growth_per_year": pace.growth,
            "slowest_growth_per_year": pace.slowest, "fastest_growth_per_year": pace.fastest,
            "anchor_month": month_label(pace.anchor), "anchor_h100e": pace.anchor_h100e,
            "target_month": None if months[0] is None else month_label(months[0]),
            "target_months_range": [None if m is None else month_label(m) for m in months[1:]]}


def timeline_table(timeline: Timeline, stated: Sequence[StatedCompute] = (),
                   pace: Pace | None = None, warning: PaceWarning | None = None) -> Table:
    """The monthly series with generation columns: the data behind the timeline chart (its CSV).

    With ``pace``, the operator's own pace through its stated compute is a series too
    (fitted, and the least and most its range allows), and ``warning`` (the months the
    build-out runs above it) travels in the table's meta.
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
            f"hardware life {lifetime:g} yr; beyond the catalog perf/W +{growth:.0%}/yr, "
            f"FLOP/$ +{scenario.inputs.hardware.price_performance_growth_per_year:.0%}/yr; "
            f"MFU {scenario.inputs.training.mfu:g}"
            + (f"; {pace.operator}'s pace {pace.growth:.2f}×/yr "
               f"({pace.slowest:.2f}–{pace.fastest:.2f}) through its stated compute"
               if pace is not None else "")),
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
            "pace": None if pace is None else _pace_meta(pace, timeline),
            "pace_warning": None if warning is None else warning.as_dict(),
            # what the operator says its training compute was, drawn over the build-out
            "stated": [{"month": check.month, "h100e": check.statement.h100_equivalents,
                        "bound": check.statement.bound or "",
                        "modelled_h100e": check.modelled, "label": check.statement.operator}
                       for check in stated_checks(timeline, stated)],
        },
    )
