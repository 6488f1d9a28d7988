"""The results header: a short title, the answer in words, then the metric cards.

The answer comes first (:func:`calc.presentation.answer.answer_for`, the same
words as ``capcalc run``, what sets the month at central values behind "more"); the
headline cards follow in one row, the compute
multiple leading with its share of the target and the power the target takes
(:func:`calc.presentation.findings.multiple_card`), the other cards, the
scenario's description and the list of changes behind a "more" expander, so
that at 1280×800 the view's first chart is in sight under them. Cards sit in a
row that wraps, each as wide as its text, so no value or delta is ever cut
short; a delta is the short ratio to the baseline ("5.4× baseline") and a card
equal to the baseline shows none.
"""

from __future__ import annotations

import math

import streamlit as st

from calc.core.vocabulary import CUMULATIVE_AT_ONE_MOMENT, OUTPUTS, measure_title
from calc.dashboard.compute.buildout import answer
from calc.dashboard.compute.scenario import target
from calc.dashboard.context import Context
from calc.dashboard.markup import plain
from calc.presentation.findings import multiple_card
from calc.presentation.formatting import output_text, times

__all__ = ["CARDS", "HEADLINE", "MORE", "card_label", "card_text", "delta_text", "render"]

#: The headline cards, in one row: the compute multiple leads.
HEADLINE = ("compute_multiple", "facility_power_mw", "accelerators", "capex_usd")
#: The cards behind "more".
MORE = ("h100_equivalents", "effective_flop_per_s", "training_flop_per_run",
        "annual_energy_mwh")
#: The outputs shown as metric cards, in order.
CARDS = HEADLINE + MORE
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


def _card(ctx: Context, name: str, measure: str) -> None:
    spec = OUTPUTS[name]
    value, base = ctx.result.outputs[name], ctx.baseline.outputs[name]
    helped = (f"{spec.description}\n\nAgainst the baseline, {ctx.baseline.name}: "
              f"{card_text(name, base)}.\n\n{_exact(value, spec.unit)}")
    if name == "compute_multiple":
        shown, power = multiple_card(value, ctx.scenario.inputs.target.compute_multiplier,
                                     ctx.result.outputs["facility_power_mw_for_target"])
        st.metric(card_label(name, measure), shown, delta=power, delta_color="gray",
                  delta_arrow="off", border=True, width="content",
                  help=f"{helped}\n\nThe power for the target keeps every other input "
                       f"and this chip ({ctx.scenario['hardware.accelerator']}).")
        return
    delta = delta_text(value, base)
    up = value > base
    st.metric(card_label(name, measure), card_text(name, value), delta=delta,
              delta_color="gray" if name in _NEUTRAL else ("green" if up else "red"),
              delta_arrow=("up" if up else "down") if delta else "off",
              help=helped, border=True, width="content")


def render(ctx: Context, title: str, description: str, changed: list[str]) -> None:
    """The title (written from the current inputs), the answer, the headline cards in one
    row, then, behind "more", the other cards, the description and what the user changed."""
    lead, rest = answer(ctx.key, ctx.phases_key, ctx.until, ctx.settings.slip,
                        ctx.settings.seed)
    measure = measure_title(ctx.scenario.values, at_one_moment=True)
    with st.container(horizontal=True, gap="small", key="title", vertical_alignment="center"):
        st.markdown(f"**{plain(title)}**", help=plain(description) if description else None,
                    width="content")
        # the rest of the answer, every other card and the changes: behind "more"
        label = "More" + (f" · {len(changed)} changed" if changed else "")
        with st.popover(label, icon=":material/expand_more:", key="more"):
            if rest:
                st.markdown(plain(rest))
            with st.container(horizontal=True, wrap=True, gap="small", key="more-cards"):
                for name in MORE:
                    _card(ctx, name, measure)
            if description:
                st.caption(plain(description))
            if changed:
                st.caption(f"**Changed from {plain(ctx.preset)}:** "
                           + " · ".join(plain(line) for line in changed))
            if ctx.scenario["target.measure"] == "cumulative_training_flop":  # one moment
                st.caption(plain(CUMULATIVE_AT_ONE_MOMENT))
    with st.container(key="answer"):
        if target(ctx.key).met:
            st.success(lead, icon=":material/check_circle:")
        else:
            st.info(lead, icon=":material/flag:")
    with st.container(horizontal=True, wrap=True, gap="small", key="cards",
                      vertical_alignment="center"):
        for name in HEADLINE:
            _card(ctx, name, measure)
