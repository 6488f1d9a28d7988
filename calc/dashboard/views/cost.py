"""Cost view: capex by part, yearly cost (capital recovery and electricity), and owning against
leasing the same fleet, per scenario.

The lease comparison shows calc's outputs: the annualized cost of owning
(``annualized_cost_usd``) against the same accelerators leased all year at the
cloud price (``cloud_cost_per_year_usd``), the same per training run
(``cost_per_run_usd``, ``cloud_cost_per_run_usd``), and the break-even
utilisation (``lease_breakeven_utilisation``): owning is cheaper when the fleet
is busy more than that share of the year. The utilisation input is the model's
``cost.utilisation`` (the sidebar's Cost group holds the same input; the link
carries it as any input): owned against leased at the share of the year the user
expects to use the fleet (:func:`calc.analysis.lease.lease_at`), as ``capcalc run``
writes it.
"""

from __future__ import annotations

import streamlit as st

from calc.analysis.lease import LeaseAt, lease_at
from calc.core.vocabulary import INPUTS, OUTPUTS
from calc.dashboard import page, session, widgets
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.context import Context
from calc.dashboard.downloads import show_chart
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.scenarios import cost_chart, lease_chart, utilisation_chart
from calc.presentation.findings import cost_finding
from calc.presentation.formatting import format_value, output_text, percent

__all__ = ["costs", "leases", "render", "utilisations"]

#: The utilisation input's widget key starts so (the sidebar's control of the same input
#: keeps its own).
_PREFIX = "cost:"

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


def utilisations(source: Source) -> Chart:
    """Yearly cost of owning and of leasing against utilisation, the break-even marked, for
    the current scenario."""
    return utilisation_chart([source.result])


def render(ctx: Context) -> None:
    """Owned against leased at the user's utilisation first, with the cost against
    utilisation; the utilisation input and the lease comparison's cards; then the current
    scenario's cost cards and the stacked bars for each scenario of the comparison."""
    at = lease_at(ctx.result, float(ctx.scenario.inputs.cost.utilisation))
    page.finding(cost_finding(ctx.scenario.name, at))
    page.show_first(chart(utilisations, ctx.key), key="dl-cost-utilisation")
    _lease(ctx, at)
    outputs = ctx.result.outputs
    st.subheader("Capex and yearly cost")
    with st.container(horizontal=True, wrap=True, gap="small"):
        for name in _COST_OUTPUTS:
            st.metric(OUTPUTS[name].title, format_value(outputs[name], OUTPUTS[name].unit),
                      help=OUTPUTS[name].description, border=True, width="content")
    show_chart(chart(costs, ctx.key), key="dl-cost")
    st.caption("Money in US dollars of 2025; capex annualised at the cost of capital "
               f"({percent(ctx.scenario.inputs.cost.wacc, 1)}) over "
               f"{ctx.scenario['cost.hardware_lifetime_years']:g} years (hardware) and "
               f"{ctx.scenario['cost.facility_lifetime_years']:g} years (facility).")


def _utilisation(ctx: Context) -> None:
    """The utilisation input (``cost.utilisation``, the same input as the sidebar's)."""
    key = "cost.utilisation"
    widgets.sync({key: ctx.scenario.values[key]}, _PREFIX)
    widgets.input_widget(INPUTS[key], ctx.scenario.assumptions[key], (), session.on_input,
                         error=session.current().input_errors.get(key), prefix=_PREFIX,
                         title="Utilisation (share of the year the fleet is used)")


def _lease(ctx: Context, at: LeaseAt) -> None:
    outputs = ctx.result.outputs
    st.subheader("Own or lease")
    _utilisation(ctx)
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
