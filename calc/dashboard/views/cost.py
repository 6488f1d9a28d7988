"""Cost view: capex by part, yearly cost (capital recovery and electricity), and owning against
leasing the same fleet, per scenario.

The lease comparison shows calc's outputs: the annualized cost of owning
(``annualized_cost_usd``) against the same accelerators leased all year at the
cloud price (``cloud_cost_per_year_usd``), the same per training run
(``cost_per_run_usd``, ``cloud_cost_per_run_usd``), and the break-even
utilisation (``lease_breakeven_utilisation``): owning is cheaper when the fleet
is busy more than that share of the year. A utilisation input (the page's
setting ``utilisation``, carried by the link) gives owned against leased at the
share of the year the user expects to use the fleet
(:func:`calc.analysis.lease.lease_at`).
"""

from __future__ import annotations

import streamlit as st

from calc.analysis.lease import LeaseAt, lease_at
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.dashboard import page, session
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.context import Context
from calc.dashboard.downloads import show_chart
from calc.dashboard.settings import Settings
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.scenarios import breakeven_text, cost_chart, lease_chart
from calc.presentation.findings import cost_finding
from calc.presentation.formatting import format_value, output_text, percent

__all__ = ["costs", "leases", "render"]

_COST_OUTPUTS = ("capex_usd", "annualized_cost_usd", "annual_electricity_cost_usd",
                 "cost_per_run_usd", "energy_per_flop_j")
#: The lease comparison's cards: (output, label).
_LEASE_CARDS = (
    ("annualized_cost_usd", "Owned, per year"),
    ("cloud_cost_per_year_usd", "Leased all year"),
    ("cost_per_run_usd", "Owned, per run"),
    ("cloud_cost_per_run_usd", "Leased, per run"),
    ("lease_breakeven_utilisation", "Break-even utilisation"),
)


def costs(source: Source) -> Chart:
    """Capex by part and the yearly cost of each scenario of the comparison."""
    return cost_chart(source.compared)


def leases(source: Source) -> Chart:
    """Owning against leasing the same fleet, for each scenario of the comparison."""
    return lease_chart(source.compared)


def _card(name: str, value: float) -> str:
    return output_text(name, value, OUTPUTS[name].unit)


def render(ctx: Context) -> None:
    """The current scenario's costs, stacked bars for each scenario of the comparison, then
    owning against leasing."""
    outputs = ctx.result.outputs
    page.finding(cost_finding(ctx.scenario.name, float(outputs["annualized_cost_usd"]),
                              float(outputs["cloud_cost_per_year_usd"]),
                              breakeven_text(float(outputs["lease_breakeven_utilisation"]))))
    with st.container(horizontal=True, wrap=True, gap="small"):
        for name in _COST_OUTPUTS:
            st.metric(OUTPUTS[name].title, format_value(outputs[name], OUTPUTS[name].unit),
                      help=OUTPUTS[name].description, border=True, width="content")
    show_chart(chart(costs, ctx.key), key="dl-cost")
    st.caption("Money in US dollars of 2025; capex annualised at the cost of capital "
               f"({percent(ctx.scenario.inputs.cost.wacc, 1)}) over "
               f"{ctx.scenario['cost.hardware_lifetime_years']:g} years (hardware) and "
               f"{ctx.scenario['cost.facility_lifetime_years']:g} years (facility).")
    _lease(ctx)


def _utilisation(ctx: Context) -> LeaseAt:
    """The utilisation input; owned against leased cost at it
    (:func:`calc.analysis.lease.lease_at`)."""
    codec = Settings.codecs()["utilisation"]
    percent = int(st.number_input(
        "Utilisation (% of the year the fleet is used)", min_value=codec.lower,
        max_value=codec.upper, step=5,
        help="Leasing is paid only for the hours used; owning costs the same busy or idle. "
             "100 % is leasing all year.", **session.bound("utilisation", "cost:utilisation")))
    return lease_at(ctx.result, percent / 100)


def _verdict(at: LeaseAt) -> str:
    """Owned against leased at one utilisation, in one sentence."""
    percent = f"{at.utilisation:.0%}".replace("%", " %")
    if at.cheaper == "either":
        verdict = "owning and leasing cost the same"
    elif at.cheaper == "own":
        verdict = f"owning is cheaper: leasing costs {1 / at.owned_over_leased:.3g}× as much"
    else:
        verdict = f"leasing is cheaper: owning costs {at.owned_over_leased:.3g}× as much"
    return f"At {percent} utilisation, {verdict} ({breakeven_text(at.breakeven)})."


def _lease(ctx: Context) -> None:
    outputs = ctx.result.outputs
    breakeven = float(outputs["lease_breakeven_utilisation"])
    st.subheader("Own or lease")
    words = breakeven_text(breakeven)
    st.markdown(f"**{ctx.scenario.name}: {words[0].upper()}{words[1:]}.**")
    at = _utilisation(ctx)
    percent = f"{at.utilisation:.0%}".replace("%", " %")
    with st.container(horizontal=True, wrap=True, gap="small", key="lease-cards"):
        for name, label in _LEASE_CARDS:
            st.metric(label, _card(name, float(outputs[name])), border=True, width="content",
                      help=f"{OUTPUTS[name].description}\n\nExact value: "
                           f"{float(outputs[name])!r} {OUTPUTS[name].unit}")
            if name == "annualized_cost_usd":
                leased = at.leased_usd_per_year
                st.metric(f"Leased at {percent}, per year", format_value(leased, "USD_2025"),
                          border=True, width="content",
                          help=f"The same accelerators leased {percent} of the year."
                               f"\n\nExact value: {leased!r} USD_2025")
    st.markdown(_verdict(at))
    show_chart(chart(leases, ctx.key), key="dl-lease")
    price = float(ctx.scenario.inputs.cost.cloud_usd_per_accelerator_hour)
    st.caption(
        f"Leased: {format_value(outputs['accelerators'], 'accelerator')} "
        f"{ctx.scenario['hardware.accelerator']} at "
        f"{INPUTS['cost.cloud_usd_per_accelerator_hour'].title.lower()} ${price:,.2f} per "
        "accelerator-hour (set it in the sidebar's Cost group), all year or "
        f"for one {ctx.scenario['training.run_days']:g}-day run. Owned: the yearly cost above "
        "(capital recovery and electricity), paid whether the fleet is busy or idle; leasing "
        "is paid only for the hours used, so owning is cheaper when the fleet is busy more "
        "than the break-even share of the year.")
