"""Render charts to PNG/SVG/PDF bytes with provenance metadata, and save them with their CSV."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from calc import __version__
from calc.core.errors import CapcalcError
from calc.data.io import check_writable, resolve_inside, write_bytes, write_text
from calc.presentation.tables import Table

__all__ = ["FORMATS", "figure_bytes", "save_chart", "save_charts"]

FORMATS = ("png", "svg", "pdf")


def _metadata(fmt: str, table: Table) -> dict[str, str]:
    description = f"{table.title}. {table.caption}"
    if fmt == "png":
        return {"Title": table.title, "Description": description,
                "Software": f"capcalc {__version__}"}
    if fmt == "svg":
        return {"Title": table.title, "Description": description,
                "Creator": f"capcalc {__version__}"}
    return {"Title": table.title, "Subject": description, "Creator": f"capcalc {__version__}"}


def figure_bytes(fig: Figure, table: Table, fmt: str = "png", dpi: int = 200) -> bytes:
    """Render ``fig`` as ``fmt`` (png, svg or pdf) with ``table``'s provenance in its metadata."""
    if fmt not in FORMATS:
        raise CapcalcError(f"unknown chart format {fmt!r}; choose from {', '.join(FORMATS)}",
                           key="--formats")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, metadata=_metadata(fmt, table))
    return buffer.getvalue()


def save_chart(fig: Figure, table: Table, folder: Path, *, formats: Sequence[str] = ("png", "svg"),
               force: bool = False) -> list[Path]:
    """Write ``fig`` in each format and ``table`` as CSV into ``folder``; return the paths."""
    return save_charts([(fig, table)], folder, formats=formats, force=force)


def save_charts(charts: Sequence[tuple[Figure, Table]], folder: Path, *,
                formats: Sequence[str] = ("png", "svg"), force: bool = False) -> list[Path]:
    """Write several charts with their CSVs; refuse before writing anything if a file exists."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise CapcalcError(f"unknown chart format {fmt!r}; choose from {', '.join(FORMATS)}",
                               key="--formats")
    planned: list[tuple[Path, Figure | None, Table, str]] = []
    for fig, table in charts:
        for fmt in formats:
            planned.append((resolve_inside(folder, f"{table.name}.{fmt}"), fig, table, fmt))
        planned.append((resolve_inside(folder, f"{table.name}.csv"), None, table, "csv"))
    check_writable([p for p, *_ in planned], force=force)
    written = []
    for path, maybe_fig, table, fmt in planned:
        if maybe_fig is None:
            write_text(path, table.to_csv())
        else:
            write_bytes(path, figure_bytes(maybe_fig, table, fmt))
        written.append(path)
    return written
