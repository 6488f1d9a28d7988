"""Power → compute view: effective FLOP/s against facility power for every catalog accelerator."""

from __future__ import annotations

import streamlit as st

from calc.core.vocabulary import measure_title
from calc.presentation import charts
from calc.presentation.vega.scenarios import power_spec

from dashboard import compute
from dashboard.context import Context
from dashboard.downloads import download_buttons

__all__ = ["render"]


@compute.memo(max_entries=64)
def _spec(key: tuple[object, ...]) -> dict[str, object]:
    return power_spec(compute.table("power", *key))


def render(ctx: Context) -> None:
    """The curves (log–log), the target level, 100 and 500 MW marks, the current point."""
    st.vega_lite_chart(_spec(ctx.key), width="stretch")
    st.caption(
        "Each curve keeps the current scenario's other assumptions and swaps the accelerator "
        f"(the thick line is {ctx.scenario['hardware.accelerator']}). Circles: "
        f"{ctx.baseline.name} and the current scenario. Dashed: the target, "
        f"{ctx.scenario.inputs.target.compute_multiplier:g}× {ctx.baseline.name}'s "
        f"{measure_title(ctx.scenario.values, at_one_moment=True)}."
    )
    download_buttons(compute.table("power", *ctx.key), charts.power_to_compute,
                     key="dl-power", cache_key=ctx.key)
