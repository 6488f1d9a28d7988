"""A sweep for people and for files: its tidy table, a summary, JSON, and its saved set.

The tidy table (one row per point: the axes, then each output or reduction,
headers with units in brackets) is a :class:`Table`, so its CSV follows every
capcalc CSV. A saved set is ``sweep.parquet`` (the same table), and for a
sampled build-out ``sweep.zarr.zip`` (every array, P(target) by each month
included), described in ``datapackage.json``; a sweep of two axes adds its
heatmaps (:func:`sweep_charts`), each picture beside its CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from calc.analysis.provenance import provenance_line
from calc.analysis.sweep_result import SweepResult
from calc.data.output_folder import FileData
from calc.presentation.datapackage import DataFile, Resource, field_type, with_datapackage
from calc.presentation.formatting import format_value
from calc.presentation.tables.base import Table
from calc.presentation.text import render_table

if TYPE_CHECKING:
    from calc.presentation.chart_spec import Chart

__all__ = ["PARQUET_FILE", "ZARR_FILE", "sweep_charts", "sweep_files", "sweep_json",
           "sweep_table", "sweep_text"]

PARQUET_FILE = "sweep.parquet"
ZARR_FILE = "sweep.zarr.zip"
#: Rows a terminal summary shows before saying how many more there are.
SHOWN_ROWS = 20


def sweep_table(result: SweepResult) -> Table:
    """The tidy table: one row per point, axes first; months as ``YYYY-MM``."""
    tidy = result.tidy()
    columns = {name: values.tolist() for name, (dims, values) in tidy.variables.items()
               if dims == ("point",)}
    return Table(name="sweep", title=f"Sweep of {result.attrs.get('scenario', '')}",
                 columns=columns, units={k: result.units.get(k, "") for k in columns},
                 caption=provenance_line(result.attrs))


def _cell(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if unit == "month":
        return str(value)
    if isinstance(value, float) and unit == "1" and 0 <= value <= 1:
        return format_value(value, unit)
    return format_value(float(value), unit)


def sweep_text(result: SweepResult, rows: int = SHOWN_ROWS) -> str:
    """A summary line, the first ``rows`` rows of the table, and how to get the rest."""
    table = sweep_table(result)
    names = list(table.columns)
    header = [f"{n} [{table.units[n]}]" if table.units.get(n) else n for n in names]
    body = [[_cell(table.columns[n][i], table.units.get(n, "")) for n in names]
            for i in range(min(rows, len(table)))]
    blocks = result.computed + result.resumed
    resumed = f", {result.resumed} read back from the journal" if result.resumed else ""
    lines = [f"Sweep of {result.attrs.get('scenario')}: {len(result):,} points "
             f"({blocks} block{'' if blocks == 1 else 's'}{resumed}); "
             f"{provenance_line(result.attrs)}.", "", render_table(header, body)]
    if len(table) > rows:
        lines.append(f"… {len(table) - rows:,} more rows: --format csv prints them all, "
                     "--out DIR saves them as Parquet.")
    return "\n".join(lines)


def sweep_json(result: SweepResult) -> dict[str, Any]:
    """The JSON form: provenance, units and each column as a list."""
    table = sweep_table(result)
    document: dict[str, Any] = {"attrs": dict(result.attrs), "axes": list(result.axes),
                                "units": dict(table.units), "columns": dict(table.columns)}
    if result.p_target_by is not None:
        document["months"] = list(result.months)
        document["p_target_by"] = np.round(result.p_target_by, 12).tolist()
    return document


def sweep_charts(result: SweepResult) -> list[Chart]:
    """The heatmaps a sweep of two axes is saved with (none for other sweeps): the compute
    multiple and P(target) it keeps, each with the target's contour, and for a build-out
    P(target by each month that has a column of its own), else by the horizon."""
    if len(result.axes) != 2:
        return []
    # deferred: the chart declarations, only when a sweep's files are written
    from calc.presentation.charts.sweep import heatmap_chart, reach_heatmap_chart

    charts = [heatmap_chart(result, o) for o in ("compute_multiple", "p_target_reached")
              if o in result.columns]
    if result.months:
        months = [c.removeprefix("p_target_by_") for c in result.kept
                  if c.startswith("p_target_by_")] or [result.months[-1]]
        charts += [reach_heatmap_chart(result, month) for month in months]
    return charts


def sweep_files(result: SweepResult, formats: Sequence[str] = ("png", "svg")
                ) -> dict[str, FileData]:
    """``sweep.parquet`` (and ``sweep.zarr.zip`` with sampled arrays), the heatmaps of a sweep
    of two axes in each of ``formats`` with their CSVs (:func:`sweep_charts`), and
    ``datapackage.json``."""
    # deferred: pandas, pyarrow, xarray and zarr, loaded only when a set is saved
    from calc.data.frames import parquet_bytes, zarr_bytes
    from calc.presentation.export import chart_files

    table = sweep_table(result)
    fields = tuple((n, field_type(v), table.units.get(n, "")) for n, v in table.columns.items())
    files: dict[str, FileData] = {
        PARQUET_FILE: DataFile(
            lambda: parquet_bytes(result.to_frame()),
            Resource(PARQUET_FILE, table.title, f"One row per point. {table.caption}.", fields,
                     format="parquet", mediatype="application/vnd.apache.parquet")),
    }
    if result.p_target_by is not None:
        files[ZARR_FILE] = DataFile(
            lambda: zarr_bytes(result.to_xarray()),
            Resource(ZARR_FILE, f"{table.title}: every array",
                     "A zipped Zarr store (format 2) of the sweep as an xarray Dataset: every "
                     "column, and P(target by month) over (point, month); units on each "
                     f"variable. {table.caption}.", (), format="zarr",
                     mediatype="application/zip"))
    files.update(chart_files(sweep_charts(result), formats))
    return with_datapackage(files)
