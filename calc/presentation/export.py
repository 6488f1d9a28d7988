"""Charts as files: PNG/SVG/PDF bytes with provenance metadata, each beside the CSV it draws
(described, with the set's other CSV files, in ``datapackage.json``).

A chart is its declaration (:class:`~calc.presentation.chart_spec.Chart`), the
same one the dashboard draws on screen; :mod:`calc.presentation.figure` draws
it with matplotlib, which is imported only when a picture is written. A saved
set is written by :func:`calc.data.output_folder.write_files`: all files or
none, never a mix of two runs. Drawing happens only when a file is written, so
building the set costs nothing for formats not asked for.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from calc.core.errors import CapcalcError, quoted
from calc.data.output_folder import FileData, write_files
from calc.presentation.chart_spec import Chart
from calc.presentation.datapackage import csv_file, with_datapackage
from calc.presentation.tables.base import Table

__all__ = ["FORMATS", "Saved", "chart_bytes", "chart_files", "check_formats", "pictures",
           "save_chart", "save_charts"]

FORMATS = ("png", "svg", "pdf")

#: What a saved set holds: charts (their pictures and CSV) and tables (their CSV alone).
Saved = Chart | Table


def check_formats(formats: Sequence[str]) -> list[str]:
    """``formats`` if each is one of :data:`FORMATS`, else one line naming the first that is not.

    >>> check_formats(["png", "svg"])
    ['png', 'svg']
    """
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise CapcalcError(f"unknown chart format {quoted(bad[0] if bad else '')}; choose from "
                           f"{', '.join(FORMATS)}", key="formats")
    return list(formats)


def pictures(chart: Chart, formats: Sequence[str]) -> dict[str, bytes]:
    """``chart`` drawn once with matplotlib (:mod:`calc.presentation.figure`) and rendered in
    each of ``formats``, with its provenance in each file's metadata."""
    check_formats(formats)
    from calc.presentation.figure import draw, figure_bytes  # deferred: loads matplotlib
    from calc.presentation.figure.files import quiet_drawing

    with quiet_drawing():
        fig = draw(chart)
    return {fmt: figure_bytes(fig, chart.table, fmt) for fmt in formats}


def chart_bytes(chart: Chart, fmt: str = "png") -> bytes:
    """``chart`` as the bytes of one ``fmt`` file (png, svg or pdf)."""
    return pictures(chart, [fmt])[fmt]


def chart_files(saved: Sequence[Saved], formats: Sequence[str]) -> dict[str, FileData]:
    """File name → content of each chart in every format and of its CSV, and of each table's
    CSV.

    The content of a picture is a callable: the chart is drawn once, when the
    first of its files is written; a chart with nothing to draw (``empty``) has
    its CSV alone. A CSV is a :class:`~calc.presentation.datapackage.CsvFile`,
    so :func:`save_charts` (and the command line) can describe it in ``datapackage.json``.
    """
    check_formats(formats)
    files: dict[str, FileData] = {}
    for item in saved:
        table = item.table if isinstance(item, Chart) else item
        if isinstance(item, Chart) and item.panels:
            drawn: dict[str, bytes] = {}

            def render(fmt: str, chart: Chart = item, drawn: dict[str, bytes] = drawn) -> bytes:
                if not drawn:  # every format at once: the chart is drawn a single time
                    drawn.update(pictures(chart, formats))
                return drawn[fmt]

            for fmt in formats:
                files[f"{table.name}.{fmt}"] = functools.partial(render, fmt)
        files[f"{table.name}.csv"] = csv_file(table)
    return files


def save_charts(saved: Sequence[Saved], folder: Path, *,
                formats: Sequence[str] = ("png", "svg"), force: bool = False) -> list[Path]:
    """Write several charts with their CSVs and ``datapackage.json`` into ``folder``,
    all or nothing."""
    return write_files(folder, with_datapackage(chart_files(saved, formats)), force=force)


def save_chart(chart: Chart, folder: Path, *, formats: Sequence[str] = ("png", "svg"),
               force: bool = False) -> list[Path]:
    """Write one chart in each format and its CSV into ``folder``; return the paths."""
    return save_charts([chart], folder, formats=formats, force=force)
