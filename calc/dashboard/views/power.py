"""Power → compute view: effective FLOP/s against facility power for every catalog accelerator.

The view opens with the power the target takes on each chip
(:func:`calc.presentation.findings.power_finding`), then the chart; when the user has
changed something, the preset's own curve is drawn faint beside the current ones, so a
slider's effect reads against where the scenario started.
"""

from __future__ import annotations

import streamlit as st

from calc.core.vocabulary import measure_title
from calc.dashboard import page
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.compute.scenario import results, target
from calc.dashboard.context import Context
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.scenarios import power_chart
from calc.presentation.findings import power_finding

__all__ = ["power", "render"]


def power(source: Source) -> Chart:
    """The curves of every catalog accelerator, with the baseline and the current scenario
    as points (the baseline alone when the current one is the baseline), and the preset's
    curve faint when the user changed an input."""
    result, baseline = source.result, source.baseline
    current_differs = bool(source.key.sets) or result.name != baseline.name
    shown = source.compared
    points = shown[:2] if current_differs else shown[:1]
    unit = float(baseline.measured(result.measure))
    preset = results(source.key.changed(()))[0] if source.key.sets else None
    return power_chart(source.library, result.scenario, unit, points,
                       measure=measure_title(result.scenario.values), reference=preset)


def render(ctx: Context) -> None:
    """The power for the target on each chip; the curves (log–log), the target level, 100
    and 500 MW marks, the current point, the preset's curve when changed."""
    page.finding(power_finding(target(ctx.key)))
    page.show_first(chart(power, ctx.key), key="dl-power")
    faint = (f" Grey dashes: {ctx.preset} as the preset has it, before your changes."
             if ctx.sets else "")
    st.caption(
        "Each curve keeps the current scenario's other assumptions and swaps the accelerator "
        f"(the thick line is {ctx.scenario['hardware.accelerator']}). Circles: "
        f"{ctx.baseline.name} and the current scenario. Dashed: the target, "
        f"{ctx.scenario.inputs.target.compute_multiplier:g}× {ctx.baseline.name}'s "
        f"{measure_title(ctx.scenario.values, at_one_moment=True)}.{faint}"
    )
