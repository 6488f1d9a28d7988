"""The results header: the title, the answer in words, then the metric cards.

The answer comes first (:func:`calc.presentation.answer.answer_for`, the same
words as ``capcalc run``); the cards follow in a row that wraps, each as wide as
its text, so no value or delta is ever cut short; a delta is the short ratio to
the baseline ("5.4× baseline") and a card equal to the baseline shows none.
"""

from __future__ import annotations

import math

import streamlit as st

from calc.core.vocabulary import CUMULATIVE_AT_ONE_MOMENT, OUTPUTS, measure_title
from calc.dashboard.compute.buildout import answer
from calc.dashboard.compute.scenario import target
from calc.dashboard.context import Context
from calc.dashboard.markup import plain
from calc.presentation.formatting import output_text, times

__all__ = ["CARDS", "card_label", "card_text", "delta_text", "render"]

#: The outputs shown as metric cards, in order.
CARDS = (
    "facility_power_mw", "accelerators", "h100_equivalents", "effective_flop_per_s",
    "training_flop_per_run", "annual_energy_mwh", "capex_usd", "compute_multiple",
)
#: Cards whose increase is neither good nor bad: their delta is drawn grey.
_NEUTRAL = {"facility_power_mw", "annual_energy_mwh", "capex_usd"}


def card_text(name: str, value: float) -> str:
    """A card's value as the tables write it (the multiple with its ×).

    >>> card_text("compute_multiple", 5.0), card_text("facility_power_mw", 500.0)
    ('5.00×', '500 MW')
    """
    return output_text(name, value, OUTPUTS[name].unit)


def card_label(name: str, measure: str) -> str:
    """A card's label: the output's title; the compute multiple's says what it measures.

    >>> card_label("compute_multiple", "training FLOP per run")
    'Compute multiple (training FLOP per run)'
    >>> card_label("capex_usd", "effective FLOP/s")
    'Capex'
    """
    title = OUTPUTS[name].title
    return f"{title} ({measure})" if name == "compute_multiple" else title


def delta_text(value: float, base: float) -> str | None:
    """The change from the baseline, short: the ratio; None when equal (or not a ratio).

    >>> delta_text(500.0, 100.0), delta_text(50.0, 100.0), delta_text(1.0, 1.0)
    ('5.0× baseline', '0.5× baseline', None)
    """
    if not (math.isfinite(value) and math.isfinite(base)) or base == 0:
        return None
    if value == base or abs(value / base - 1) < 5e-4:
        return None
    return f"{times(value / base)} baseline"


def _exact(value: float, unit: str) -> str:
    return f"Exact value: {value!r} {unit}".rstrip() if math.isfinite(value) else ""


def render(ctx: Context, title: str, description: str, changed: list[str]) -> None:
    """Title and description (written from the current inputs), the answer, what the user
    changed, and the metric cards."""
    st.subheader(title)
    if description:
        st.caption(description)
    text = answer(ctx.key, ctx.phases_key, ctx.until, ctx.settings.slip, ctx.settings.seed)
    facts = target(ctx.key)
    if facts.met:
        st.success(text, icon=":material/check_circle:")
    else:
        st.info(text, icon=":material/flag:")
    outputs, base = ctx.result.outputs, ctx.baseline.outputs
    measure = measure_title(ctx.scenario.values, at_one_moment=True)
    with st.container(horizontal=True, wrap=True, gap="small", key="cards"):
        for name in CARDS:
            spec = OUTPUTS[name]
            value = outputs[name]
            delta = None if name == "compute_multiple" else delta_text(value, base[name])
            up = value > base[name]
            st.metric(
                card_label(name, measure), card_text(name, value), delta=delta,
                delta_color="gray" if name in _NEUTRAL else ("green" if up else "red"),
                delta_arrow=("up" if up else "down") if delta else "off",
                help=f"{spec.description}\n\nAgainst the baseline, {ctx.baseline.name}: "
                     f"{card_text(name, base[name])}.\n\n{_exact(value, spec.unit)}",
                border=True, width="content",
            )
    if changed:
        st.caption(f"**Changed from {plain(ctx.preset)}:** "
                   + " · ".join(plain(line) for line in changed))
    if ctx.scenario["target.measure"] == "cumulative_training_flop":  # the cards: one moment
        st.caption(plain(CUMULATIVE_AT_ONE_MOMENT))
