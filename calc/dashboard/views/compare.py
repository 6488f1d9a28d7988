"""Compare view: the current scenario beside the baseline, the story's reference scenarios
and the variants the user pinned.

"Pin this variant" keeps the scenario shown, with its changed inputs, in the comparison
while the user tries others (at most :data:`~calc.dashboard.link.MAX_PINS`; the link
carries them as ``pin=``); each pin has a button that takes it out again.
"""

from __future__ import annotations

import streamlit as st

from calc.analysis.run import Result
from calc.dashboard import page, session
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.compute.scenario import pinned_named, pinned_results
from calc.dashboard.context import Context
from calc.dashboard.keys import Pin
from calc.dashboard.link import MAX_PINS, pins_text
from calc.presentation.chart_spec import Chart
from calc.presentation.charts.scenarios import comparison_chart
from calc.presentation.findings import compare_finding
from calc.presentation.formatting import format_value
from calc.presentation.results import MIXED_MEASURES, measure_words
from calc.presentation.tables import Table

__all__ = ["comparison", "comparison_markdown", "render"]


def comparison_markdown(table: Table, baseline: str, measure: str | None = None) -> str:
    """The comparison as a Markdown table: outputs down, scenarios across, ratios against
    ``baseline`` in brackets; the compute multiple's row says what it measures (``measure``)."""
    scenarios = list(dict.fromkeys(table.columns["scenario"]))
    cells: dict[tuple[str, str], str] = {}
    titles: dict[str, str] = {}
    for row in table.rows():
        text = format_value(row["value"], row["unit"])
        if row["output"] == "compute_multiple":
            text += "×"
        elif row["scenario"] != baseline:
            text += f" ({row['ratio']:.3g}×)"
        cells[(row["output"], row["scenario"])] = text
        titles[row["output"]] = f"Compute multiple ({measure})" if measure and \
            row["output"] == "compute_multiple" else row["title"]
    lines = ["| | " + " | ".join(f"**{s}**" for s in scenarios) + " |",
             "|---|" + "---:|" * len(scenarios)]
    for output, title in titles.items():
        lines.append(f"| {title} | " + " | ".join(cells[(output, s)] for s in scenarios) + " |")
    return "\n".join(lines)


def comparison(source: Source, pins: tuple[Pin, ...] = ()) -> Chart:
    """The chart of the comparison: each scenario's key outputs as ratios to the baseline,
    the pinned variants (``pins``) last."""
    shown = pinned_results(source.key, pins)
    measure, _each = measure_words(shown)
    return comparison_chart(shown, shown[0], measure=measure)


def _pins(ctx: Context, shown: list[Result]) -> None:
    """The pin button, and one button per pinned variant that takes it out."""
    always = {shown[0].name, *ctx.library.story.references}  # the baseline, the references
    here = (ctx.preset, ctx.sets) in ctx.pins or (not ctx.sets and ctx.preset in always)
    with st.container(horizontal=True, wrap=True, gap="small", key="pins"):
        st.button("Pin this variant", key="compare:pin", icon=":material/push_pin:",
                  on_click=session.on_pin, disabled=here,
                  help="Keeps the scenario shown, with your changes, in this comparison while "
                       f"you try others (at most {MAX_PINS}; the link carries them).")
        shown_pins = dict(pinned_named(ctx.key, ctx.pins))
        for pin in ctx.pins:
            result = shown_pins.get(pin)
            label = result.name if result is not None else \
                "the variant shown now" if pin == (ctx.preset, ctx.sets) else \
                f"{pin[0]} (it no longer runs)"
            st.button(f"Unpin {label}", key=f"compare:unpin:{pins_text([pin])}",
                      icon=":material/close:", on_click=session.on_unpin, args=(pin,),
                      help=f"Pinned: {pins_text([pin])}")


def render(ctx: Context) -> None:
    """Bars of key outputs against the baseline, and the same as a table; the pin buttons."""
    drawn = chart(comparison, ctx.key, ctx.pins)
    shown = pinned_results(ctx.key, ctx.pins)
    measure, each = measure_words(shown)
    mixed = f" Compute multiples measure {each}." if measure == MIXED_MEASURES else ""
    page.finding(compare_finding(
        [(r.name, float(r.outputs["compute_multiple"])) for r in shown[1:]],
        shown[0].name, ctx.scenario.inputs.target.compute_multiplier))
    page.show_first(drawn, key="dl-comparison")
    scenarios = list(dict.fromkeys(drawn.chart.table.columns["scenario"]))
    page.card_table(comparison_markdown(drawn.chart.table, shown[0].name, measure),
                    ["", *scenarios], key="compare-table")
    _pins(ctx, shown)
    st.caption(f"Brackets: ratio to {ctx.baseline.name}. The reference scenarios use their "
               "own inputs; the current one carries your changes, and each pinned variant "
               f"the changes it was pinned with.{mixed}")
