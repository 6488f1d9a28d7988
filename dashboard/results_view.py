"""The results header: the scenario, metric cards with deltas from the baseline, the target."""

from __future__ import annotations

import math

import streamlit as st

from calc.core.vocabulary import OUTPUTS
from calc.presentation.answer import describe
from calc.presentation.formatting import format_value, times

from dashboard import compute
from dashboard.context import Context

__all__ = ["CARDS", "delta_text", "render"]

#: The outputs shown as metric cards, in order (two rows of four).
CARDS = (
    "facility_power_mw", "accelerators", "h100_equivalents", "effective_flop_per_s",
    "training_flop_per_run", "annual_energy_mwh", "capex_usd", "compute_multiple",
)
#: Cards whose increase is neither good nor bad: their delta is drawn grey.
_NEUTRAL = {"facility_power_mw", "annual_energy_mwh", "capex_usd"}


def delta_text(value: float, base: float, unit: str, baseline: str) -> str | None:
    """The change from the baseline: signed difference and ratio; None when equal.

    >>> delta_text(500.0, 100.0, "MW", "cortex-phase1")
    '+400 MW (5.0× cortex-phase1)'
    >>> delta_text(50.0, 100.0, "MW", "b")
    '-50.0 MW (0.5× b)'
    >>> delta_text(1.0, 1.0, "1", "b") is None
    True
    """
    diff = value - base
    if base == value or (base and abs(diff / base) < 1e-12):
        return None
    sign = "+" if diff > 0 else "-"
    ratio = f" ({times(value / base)} {baseline})" if base else ""
    return f"{sign}{format_value(abs(diff), unit)}{ratio}"


def _exact(value: float, unit: str) -> str:
    return f"Exact value: {value!r} {unit}".rstrip() if math.isfinite(value) else ""


def render(ctx: Context) -> None:
    """Title, scenario description, metric cards and the distance to the target in words."""
    scenario = ctx.result.scenario
    title = scenario.title + (" — changed" if ctx.sets else "")
    st.subheader(title)
    if scenario.description:
        st.caption(scenario.description)
    if ctx.sets:
        st.caption("Changed: " + ", ".join(f"`{k}={v}`" for k, v in ctx.sets))
    outputs, base = ctx.result.outputs, ctx.baseline.outputs
    for row in (CARDS[:4], CARDS[4:]):
        for column, name in zip(st.columns(4), row, strict=True):
            spec = OUTPUTS[name]
            value = outputs[name]
            shown = format_value(value, spec.unit) + ("×" if name == "compute_multiple" else "")
            delta = delta_text(value, base[name], spec.unit, ctx.baseline.name)
            column.metric(
                spec.title, shown,
                delta=delta if delta is not None else "± 0 (the baseline)",
                delta_color="off" if delta is None or name in _NEUTRAL else "normal",
                delta_arrow="auto" if delta is not None else "off",
                help=f"{spec.description}\n\n{_exact(value, spec.unit)}",
                border=True,
            )
    facts = compute.target(*ctx.key)
    if facts.met:
        st.success(describe(facts), icon=":material/check_circle:")
    else:
        st.info(describe(facts), icon=":material/flag:")
