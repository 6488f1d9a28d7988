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

from collections.abc import Hashable, Sequence
from functools import partial
from typing import Any

import streamlit as st

from calc.presentation.chart_spec import Chart
from calc.presentation.export import chart_bytes
from calc.presentation.tables import Table

from dashboard.markup import plain

__all__ = ["download_buttons", "notes_markdown", "show_chart"]

_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@st.cache_data(show_spinner=False, max_entries=32)
def _rendered(cache_key: Hashable, fmt: str, _chart: Chart) -> bytes:
    return chart_bytes(_chart, fmt)


def _render(chart: Chart, fmt: str, cache_key: Hashable | None) -> bytes:
    if cache_key is None:
        return chart_bytes(chart, fmt)
    return _rendered((chart.name, cache_key), fmt, chart)


def download_buttons(item: Chart | Table, *, key: str, cache_key: Hashable | None = None,
                     formats: tuple[str, ...] = ("png", "svg")) -> None:
    """One row of buttons: each picture format of a chart, then the CSV behind it.

    Parameters
    ----------
    item : Chart or Table
        The chart on the screen (drawn as a file only on click), or a table alone (its CSV).
    key : str
        Unique prefix for the buttons' widget keys.
    cache_key : hashable, optional
        Identity of the chart's inputs; when given, rendered bytes are cached on it.
    formats : tuple of str
        Picture formats offered (any of png, svg, pdf).
    """
    chart = item if isinstance(item, Chart) and item.panels else None
    table = item.table if isinstance(item, Chart) else item
    formats = formats if chart is not None else ()
    columns = st.columns(len(formats) + 1) if formats else st.columns([1, 2])
    for column, fmt in zip(columns, formats, strict=False):
        assert chart is not None
        column.download_button(
            fmt.upper(), data=partial(_render, chart, fmt, cache_key),
            file_name=f"{table.name}.{fmt}", mime=_MIME[fmt], key=f"{key}-{fmt}",
            icon=":material/download:", on_click="ignore", width="stretch",
        )
    columns[len(formats)].download_button(
        "CSV", data=table.to_csv, file_name=f"{table.name}.csv", mime="text/csv",
        key=f"{key}-csv", icon=":material/download:", on_click="ignore", width="stretch",
    )


def notes_markdown(chart: Chart) -> str:
    """A chart's notes as Markdown, shown as written (:func:`dashboard.markup.plain`): a
    bulleted list under its bold title, or one paragraph each."""
    if chart.notes_title:
        return (f"**{plain(chart.notes_title)}**\n\n"
                + "\n".join(f"- {plain(note)}" for note in chart.notes))
    return "\n\n".join(plain(note) for note in chart.notes)


def show_chart(chart: Chart, specs: Sequence[dict[str, Any]], *, key: str,
               cache_key: Hashable | None = None) -> None:
    """``chart`` on the page: its specs (:func:`calc.presentation.vega.vega_specs`, cached by
    the view), its notes, and the buttons that download it."""
    for spec in specs:
        st.vega_lite_chart(spec, width="stretch")
    if chart.notes_title:
        st.markdown(notes_markdown(chart))
    elif chart.notes:
        st.caption(notes_markdown(chart))
    download_buttons(chart, key=key, cache_key=cache_key)
