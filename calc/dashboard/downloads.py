"""A chart on the page: its Vega-Lite specs, its notes, and its downloads (PNG, SVG, CSV).

The page draws a chart's declaration (:class:`~calc.presentation.chart_spec.Chart`)
as Vega-Lite specs; the PNG and SVG buttons draw the *same* declaration with
matplotlib (:func:`calc.presentation.export.chart_bytes`, the files ``capcalc
... --out`` saves, with the provenance in their caption and metadata) only when
clicked, so they cost nothing per rerun and nothing here loads matplotlib. The
CSV starts with its header (as every CSV capcalc writes), so ``pandas.read_csv``
reads it with its defaults.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from calc.dashboard.compute.cache import Drawn, figure_bytes
from calc.dashboard.markup import plain
from calc.presentation.chart_spec import Chart

__all__ = ["download_buttons", "notes_markdown", "show_chart"]

_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def download_buttons(drawn: Drawn, *, key: str, formats: tuple[str, ...] = ("png", "svg")
                     ) -> None:
    """One row of buttons: each picture format of a chart, then the CSV behind it.

    Parameters
    ----------
    drawn : Drawn
        The chart on the screen (drawn as a file only on click, cached on ``drawn.key``).
    key : str
        Unique prefix for the buttons' widget keys.
    formats : tuple of str
        Picture formats offered (any of png, svg, pdf); none for a chart without panels.
    """
    chart = drawn.chart
    table = chart.table
    formats = formats if chart.panels else ()
    columns = st.columns(len(formats) + 1) if formats else st.columns([1, 2])
    for column, fmt in zip(columns, formats, strict=False):
        column.download_button(
            fmt.upper(), data=partial(figure_bytes, drawn.key, fmt, chart),
            file_name=f"{table.name}.{fmt}", mime=_MIME[fmt], key=f"{key}-{fmt}",
            icon=":material/download:", on_click="ignore", width="stretch",
        )
    columns[len(formats)].download_button(
        "CSV", data=table.to_csv, file_name=f"{table.name}.csv", mime="text/csv",
        key=f"{key}-csv", icon=":material/download:", on_click="ignore", width="stretch",
    )


def notes_markdown(chart: Chart) -> str:
    """A chart's notes as Markdown, shown as written (:func:`calc.dashboard.markup.plain`): a
    bulleted list under its bold title, or one paragraph each."""
    if chart.notes_title:
        return (f"**{plain(chart.notes_title)}**\n\n"
                + "\n".join(f"- {plain(note)}" for note in chart.notes))
    return "\n\n".join(plain(note) for note in chart.notes)


def show_chart(drawn: Drawn, *, key: str) -> None:
    """A chart on the page: its Vega-Lite specs, its notes, and the buttons that download
    it (the same declaration drawn as files)."""
    for spec in drawn.specs:
        st.vega_lite_chart(spec, width="stretch")
    chart = drawn.chart
    if chart.notes_title:
        st.markdown(notes_markdown(chart))
    elif chart.notes:
        st.caption(notes_markdown(chart))
    download_buttons(drawn, key=key)
