"""Charts as files: PNG/SVG/PDF bytes with provenance metadata, each beside the CSV it draws
(described, with the set's other CSV files, in ``datapackage.json``).

A saved set is written by :func:`calc.data.output_folder.write_files`: all files or none,
never a mix of two runs. Drawing happens only when a file is written, so
building the set costs nothing for formats not asked for.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from calc.core.errors import CapcalcError, quoted
from calc.core.version import __version__
from calc.data.output_folder import FileData, write_files
from calc.presentation.datapackage import csv_file, with_datapackage
from calc.presentation.tables.base import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FORMATS", "Chart", "chart_files", "check_formats", "figure_bytes", "quiet_drawing",
           "save_chart",
           "save_charts"]

FORMATS = ("png", "svg", "pdf")

#: A chart to save: its table and the function that draws it (None: the CSV alone).
Chart = tuple["Callable[[Table], Figure] | None", Table]


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


def _metadata(fmt: str, table: Table) -> dict[str, str]:
    description = f"{table.title}. {table.caption}"
    if fmt == "png":
        return {"Title": table.title, "Description": description,
                "Software": f"capcalc {__version__}"}
    if fmt == "svg":
        return {"Title": table.title, "Description": description,
                "Creator": f"capcalc {__version__}"}
    return {"Title": table.title, "Subject": description, "Creator": f"capcalc {__version__}"}


logger = logging.getLogger(__name__)


@contextlib.contextmanager
def quiet_drawing() -> Iterator[None]:
    """Within the block, what matplotlib warns of while it draws (a glyph the font lacks, a
    layout it could not apply) goes to capcalc's log at debug level, never to the user's
    terminal: the chart is drawn all the same, and stderr carries capcalc's own lines only.
    """
    library = logging.getLogger("matplotlib")
    level = library.level
    library.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        library.setLevel(level)
    for warning in caught:
        logger.debug("while drawing: %s", warning.message)


def figure_bytes(fig: Figure, table: Table, fmt: str = "png", dpi: int = 200) -> bytes:
    """Render ``fig`` as ``fmt`` (png, svg or pdf) with ``table``'s provenance in its metadata.

    The positions the first save lays out are kept for the saves that follow. A
    figure with constrained layout is laid out twice on every save (a dry-run
    draw, then again in the real one); the layout is solved in figure
    fractions, so it is the same at any resolution, and a chart saved as PNG and
    SVG takes about a quarter less time when the second save reuses it.
    """
    check_formats([fmt])
    buffer = io.BytesIO()
    with quiet_drawing():
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt, table))
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine(None)  # None, not "none": no dry-run draw before each save
    return buffer.getvalue()


def chart_files(charts: Sequence[Chart], formats: Sequence[str]) -> dict[str, FileData]:
    """File name → content of each chart in every format, and of its CSV.

    The content of a picture is a callable: the chart is drawn once, when the
    first of its files is written. A CSV is a :class:`~calc.presentation.datapackage.CsvFile`,
    so :func:`save_charts` (and the command line) can describe it in ``datapackage.json``.
    """
    check_formats(formats)
    files: dict[str, FileData] = {}
    for draw, table in charts:
        if draw is not None:
            drawn: dict[str, Figure] = {}

            def render(fmt: str, draw: Callable[[Table], Figure] = draw, table: Table = table,
                       drawn: dict[str, Figure] = drawn) -> bytes:
                if "fig" not in drawn:
                    with quiet_drawing():
                        drawn["fig"] = draw(table)
                return figure_bytes(drawn["fig"], table, fmt)

            for fmt in formats:
                files[f"{table.name}.{fmt}"] = functools.partial(render, fmt)
        files[f"{table.name}.csv"] = csv_file(table)
    return files


def save_charts(charts: Sequence[Chart], folder: Path, *,
                formats: Sequence[str] = ("png", "svg"), force: bool = False) -> list[Path]:
    """Write several charts with their CSVs and ``datapackage.json`` into ``folder``,
    all or nothing."""
    return write_files(folder, with_datapackage(chart_files(charts, formats)), force=force)


def save_chart(draw: Callable[[Table], Figure], table: Table, folder: Path, *,
               formats: Sequence[str] = ("png", "svg"), force: bool = False) -> list[Path]:
    """Write one chart in each format and its CSV into ``folder``; return the paths."""
    return save_charts([(draw, table)], folder, formats=formats, force=force)
