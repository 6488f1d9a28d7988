"""Compare view: the current scenario beside the baseline and the story's reference scenarios."""

from __future__ import annotations

import streamlit as st

from calc.dashboard import page
from calc.dashboard.compute.charts import Source, chart
from calc.dashboard.compute.scenario import compare_results
from calc.dashboard.context import Context
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


def comparison(source: Source) -> Chart:
    """The chart of the comparison: each scenario's key outputs as ratios to the baseline."""
    shown = source.compared
    measure, _each = measure_words(shown)
    return comparison_chart(shown, shown[0], measure=measure)


def render(ctx: Context) -> None:
    """Bars of key outputs against the baseline, and the same as a table."""
    drawn = chart(comparison, ctx.key)
    shown = compare_results(ctx.key)
    measure, each = measure_words(shown)
    mixed = f" Compute multiples measure {each}." if measure == MIXED_MEASURES else ""
    page.finding(compare_finding(
        [(r.name, float(r.outputs["compute_multiple"])) for r in shown[1:]],
        shown[0].name, ctx.scenario.inputs.target.compute_multiplier))
    page.show_first(drawn, key="dl-comparison")
    st.markdown(comparison_markdown(drawn.chart.table, shown[0].name, measure))
    st.caption(f"Brackets: ratio to {ctx.baseline.name}. The reference scenarios use their "
               f"own inputs; only the current one carries your changes.{mixed}")
