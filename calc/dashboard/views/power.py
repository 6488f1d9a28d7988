"""Power → compute view: effective FLOP/s against facility power for every catalog accelerator."""

from __future__ import annotations

import streamlit as st

from calc.core.vocabulary import measure_title
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.context import Context
from calc.dashboard.downloads import show_chart
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.scenarios import power_chart

__all__ = ["power", "render"]


def power(source: Source) -> Chart:
    """The curves of every catalog accelerator, with the baseline and the current scenario
    as points (the baseline alone when the current one is the baseline)."""
    result, baseline = source.result, source.baseline
    current_differs = bool(source.key.sets) or result.name != baseline.name
    shown = source.compared
    points = shown[:2] if current_differs else shown[:1]
    unit = baseline.measured(result.measure)
    return power_chart(source.library, result.scenario, float(unit), points,
                       measure=measure_title(result.scenario.values))


def render(ctx: Context) -> None:
    """The curves (log–log), the target level, 100 and 500 MW marks, the current point."""
    show_chart(chart(power, ctx.key), key="dl-power")
    st.caption(
        "Each curve keeps the current scenario's other assumptions and swaps the accelerator "
        f"(the thick line is {ctx.scenario['hardware.accelerator']}). Circles: "
        f"{ctx.baseline.name} and the current scenario. Dashed: the target, "
        f"{ctx.scenario.inputs.target.compute_multiplier:g}× {ctx.baseline.name}'s "
        f"{measure_title(ctx.scenario.values, at_one_moment=True)}."
    )
