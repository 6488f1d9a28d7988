"""Compare view: the current scenario beside the baseline and the story's reference scenarios."""

from __future__ import annotations

from typing import Any

import streamlit as st

from calc.presentation.formatting import format_value
from calc.presentation.results import MIXED_MEASURES, measure_words
from calc.presentation.tables import Table
from calc.presentation.vega import vega_specs

from dashboard import compute
from dashboard.context import Context
from dashboard.downloads import show_chart

__all__ = ["comparison_markdown", "render"]


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


@compute.memo(max_entries=64)
def _view(key: tuple[object, ...]) -> tuple[list[dict[str, Any]], str, str]:
    chart = compute.chart("comparison", *key)
    shown = compute.compare_results(*key)
    measure, each = measure_words(shown)
    mixed = f" Compute multiples measure {each}." if measure == MIXED_MEASURES else ""
    return (vega_specs(chart), comparison_markdown(chart.table, shown[0].name, measure),
            mixed)


def render(ctx: Context) -> None:
    """Bars of key outputs against the baseline, and the same as a table."""
    specs, markdown, mixed = _view(ctx.key)
    show_chart(compute.chart("comparison", *ctx.key), specs, key="dl-comparison",
               cache_key=ctx.key)
    st.markdown(markdown)
    st.caption(f"Brackets: ratio to {ctx.baseline.name}. The reference scenarios use their "
               f"own inputs; only the current one carries your changes.{mixed}")
