"""Download buttons for a chart: PNG and SVG drawn by the chart functions on click, and its CSV.

The interactive page shows Vega-Lite charts; the matplotlib figure (the same
one ``capcalc run --out`` saves, with its provenance caption and metadata) is
drawn only when a PNG or SVG button is clicked, so it costs nothing per rerun.
The CSV starts with its header (as every CSV capcalc writes), so
``pandas.read_csv`` reads it with its defaults; its provenance is in the PNG
and SVG (caption and metadata).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial

import streamlit as st
from matplotlib.figure import Figure

from calc.presentation.export import figure_bytes
from calc.presentation.tables import Table

__all__ = ["download_buttons"]

_MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@st.cache_data(show_spinner=False, max_entries=32)
def _rendered(cache_key: Hashable, fmt: str, _table: Table,
              _draw: Callable[[Table], Figure]) -> bytes:
    return figure_bytes(_draw(_table), _table, fmt)


def _render(table: Table, draw: Callable[[Table], Figure], fmt: str,
            cache_key: Hashable | None) -> bytes:
    if cache_key is None:
        return figure_bytes(draw(table), table, fmt)
    return _rendered((table.name, cache_key), fmt, table, draw)


def download_buttons(table: Table, draw: Callable[[Table], Figure] | None, *, key: str,
                     cache_key: Hashable | None = None,
                     formats: tuple[str, ...] = ("png", "svg")) -> None:
    """One row of buttons: each chart format, then the CSV behind the chart.

    Parameters
    ----------
    table : Table
        The data behind the chart; its ``name`` names the files.
    draw : callable or None
        A :mod:`calc.presentation.charts` function ``Table → Figure``, called only on click;
        None for a table without a drawn chart (its CSV only).
    key : str
        Unique prefix for the buttons' widget keys.
    cache_key : hashable, optional
        Identity of ``table``'s inputs; when given, rendered bytes are cached on it.
    formats : tuple of str
        Chart formats offered (any of png, svg, pdf).
    """
    formats = formats if draw is not None else ()
    columns = st.columns(len(formats) + 1) if formats else st.columns([1, 2])
    for column, fmt in zip(columns, formats, strict=False):
        assert draw is not None
        column.download_button(
            fmt.upper(), data=partial(_render, table, draw, fmt, cache_key),
            file_name=f"{table.name}.{fmt}", mime=_MIME[fmt], key=f"{key}-{fmt}",
            icon=":material/download:", on_click="ignore", width="stretch",
        )
    columns[len(formats)].download_button(
        "CSV", data=table.to_csv, file_name=f"{table.name}.csv", mime="text/csv",
        key=f"{key}-csv", icon=":material/download:", on_click="ignore", width="stretch",
    )
