"""Cost tab: capex by part and yearly cost (amortisation and electricity) per scenario."""

from __future__ import annotations

import streamlit as st

from calc.core.vocabulary import OUTPUTS
from calc.presentation import charts
from calc.presentation.formatting import format_value
from calc.presentation.vega.scenarios import cost_spec

from dashboard import compute
from dashboard.context import Context
from dashboard.downloads import download_buttons

__all__ = ["render"]

_COST_OUTPUTS = ("capex_usd", "annualized_cost_usd", "annual_electricity_cost_usd",
                 "cost_per_run_usd", "energy_per_flop_j")


@compute.memo(max_entries=64)
def _spec(key: tuple[object, ...]) -> dict[str, object]:
    return cost_spec(compute.table("cost", *key))


def render(ctx: Context) -> None:
    """Stacked bars for each scenario of the comparison, and the current scenario's costs."""
    outputs = ctx.result.outputs
    for column, name in zip(st.columns(len(_COST_OUTPUTS)), _COST_OUTPUTS, strict=True):
        column.metric(OUTPUTS[name].title, format_value(outputs[name], OUTPUTS[name].unit),
                      help=OUTPUTS[name].description)
    st.vega_lite_chart(_spec(ctx.key), width="content")
    st.caption("Money in US dollars of 2025; straight-line amortisation over "
               f"{ctx.scenario['cost.hardware_lifetime_years']:g} years (hardware) and "
               f"{ctx.scenario['cost.facility_lifetime_years']:g} years (facility).")
    download_buttons(compute.table("cost", *ctx.key), charts.cost_breakdown,
                     key="dl-cost", cache_key=ctx.key)
