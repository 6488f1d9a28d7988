"""Power → compute view: effective FLOP/s against facility power for every catalog accelerator."""

from __future__ import annotations

from typing import Any

import streamlit as st

from calc.core.vocabulary import measure_title
from calc.presentation.vega import vega_specs

from dashboard import compute
from dashboard.context import Context
from dashboard.downloads import show_chart

__all__ = ["render"]


@compute.memo(max_entries=64)
def _specs(key: tuple[object, ...]) -> list[dict[str, Any]]:
    return vega_specs(compute.chart("power", *key))


def render(ctx: Context) -> None:
    """The curves (log–log), the target level, 100 and 500 MW marks, the current point."""
    show_chart(compute.chart("power", *ctx.key), _specs(ctx.key), key="dl-power",
               cache_key=ctx.key)
    st.caption(
        "Each curve keeps the current scenario's other assumptions and swaps the accelerator "
        f"(the thick line is {ctx.scenario['hardware.accelerator']}). Circles: "
        f"{ctx.baseline.name} and the current scenario. Dashed: the target, "
        f"{ctx.scenario.inputs.target.compute_multiplier:g}× {ctx.baseline.name}'s "
        f"{measure_title(ctx.scenario.values, at_one_moment=True)}."
    )
