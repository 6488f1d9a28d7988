"""Results as data libraries hold them: pandas frames, xarray Datasets, Parquet and Zarr files.

capcalc's results are plain numpy. A result describes itself as a
:class:`Tidy` — named arrays over named dimensions, each with its unit, and
the provenance (scenario, seed, samples, assumptions' hash, capcalc's
version) — and this module turns that into a :class:`pandas.DataFrame`
(``attrs`` carry the provenance and ``attrs["units"]`` every column's unit), an
:class:`xarray.Dataset` (``units`` on each variable, provenance in its
``attrs``), a Parquet file (units in each field's metadata, provenance in the
file's) or a zipped Zarr store, and reads those files back.

pandas, xarray, pyarrow and zarr are imported inside the functions that use
them (they take about a second to load together), so a command that never
asks for a frame never loads them. This is the one module below the
presentation layer allowed to import them (an import-linter contract).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from calc.data.io import write_bytes

if TYPE_CHECKING:  # the types, for annotations here and in the results that call down here
    import pandas as pd
    import xarray as xr
    from pandas import DataFrame
    from xarray import Dataset

__all__ = [
    "PARQUET_KEY",
    "DataFrame",
    "Dataset",
    "Tidy",
    "parquet_bytes",
    "read_parquet",
    "read_zarr",
    "to_frame",
    "to_xarray",
    "write_parquet",
    "zarr_bytes",
]

#: The key of capcalc's provenance in a Parquet file's metadata.
PARQUET_KEY = b"capcalc"

Variable = tuple[tuple[str, ...], npt.NDArray[Any]]


@dataclass(frozen=True)
class Tidy:
    """Named arrays over named dimensions, with units and provenance.

    Attributes
    ----------
    name : str
        What the result is (``sweep``, ``simulation``, ...).
    variables : mapping of str to (dims, array)
        The data: each array's dimensions are named in ``dims``.
    coords : mapping of str to (dims, array)
        Coordinates: the axes of a sweep, the months of a timeline.
    units : mapping of str to str
        Unit of each variable and coordinate ("" for names).
    attrs : mapping of str to str, int or float
        Provenance.
    descriptions : mapping of str to str
        One line on what each variable is.
    """

    name: str
    variables: Mapping[str, Variable]
    coords: Mapping[str, Variable] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    attrs: Mapping[str, Any] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def flat(self) -> bool:
        """Whether every array lies along one and the same dimension (or none)."""
        dims = {d for d, _ in (*self.variables.values(), *self.coords.values())}
        return len(dims) <= 1 and all(len(d) <= 1 for d in dims)


def _attrs_of(name: str, tidy: Tidy) -> dict[str, str]:
    out = {}
    if tidy.units.get(name):
        out["units"] = tidy.units[name]
    if tidy.descriptions.get(name):
        out["description"] = tidy.descriptions[name]
    return out


def _plain(value: Any) -> Any:
    """Provenance as JSON and netCDF/Zarr attributes hold it (numbers and text)."""
    if isinstance(value, np.integer | np.floating):
        return value.item()
    if isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, default=str)


def to_xarray(tidy: Tidy) -> xr.Dataset:
    """``tidy`` as an :class:`xarray.Dataset` with ``units`` on each variable."""
    # deferred: xarray and pandas load in about a second; only asked-for frames need them
    import xarray as xr

    data_vars = {name: (dims, values, _attrs_of(name, tidy))
                 for name, (dims, values) in tidy.variables.items()}
    coords = {name: (dims, values, _attrs_of(name, tidy))
              for name, (dims, values) in tidy.coords.items()}
    return xr.Dataset(data_vars, coords=coords,
                      attrs={k: _plain(v) for k, v in tidy.attrs.items()})


def to_frame(tidy: Tidy) -> pd.DataFrame:
    """``tidy`` as a long (tidy) :class:`pandas.DataFrame`: one row per observation.

    Coordinates come first, then the variables; ``frame.attrs`` holds the
    provenance and ``frame.attrs["units"]`` the unit of each column.
    """
    # deferred: pandas loads in half a second; only asked-for frames need it
    import pandas as pd

    if tidy.flat():
        columns = {name: values for name, (_, values) in tidy.coords.items()}
        columns.update({name: values for name, (_, values) in tidy.variables.items()})
        frame = pd.DataFrame({k: np.atleast_1d(v) for k, v in columns.items()})
    else:
        frame = to_xarray(tidy).to_dataframe().reset_index()
    frame.attrs = {**{k: _plain(v) for k, v in tidy.attrs.items()},
                   "units": {c: tidy.units.get(c, "") for c in frame.columns}}
    return frame


def _table(frame: pd.DataFrame) -> Any:
    """A pyarrow table of ``frame`` with units and provenance in its metadata."""
    # deferred: pyarrow loads in a quarter of a second; only Parquet needs it
    import pyarrow as pa

    units = frame.attrs.get("units", {})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = [f.with_metadata({b"unit": str(units.get(f.name, "")).encode()})
              for f in table.schema]
    provenance = {k: v for k, v in frame.attrs.items() if k != "units"}
    metadata = {**(table.schema.metadata or {}),
                PARQUET_KEY: json.dumps({"attrs": provenance, "units": units}).encode()}
    return pa.Table.from_arrays(table.columns, schema=pa.schema(fields, metadata=metadata))


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a Parquet file's bytes, its units and provenance kept in the metadata."""
    # deferred: as in _table
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(_table(frame), buffer)
    return buffer.getvalue()


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` to ``path`` as Parquet, atomically; return the path."""
    write_bytes(path, parquet_bytes(frame))
    return path


def read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file capcalc wrote, with its provenance and units back in ``attrs``."""
    # deferred: as in _table
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    frame = table.to_pandas()
    stored = json.loads((table.schema.metadata or {}).get(PARQUET_KEY, b"{}"))
    frame.attrs = {**stored.get("attrs", {}), "units": stored.get("units", {})}
    return frame


def zarr_bytes(dataset: xr.Dataset) -> bytes:
    """``dataset`` as a zipped Zarr store (format 2, consolidated), as bytes.

    One file, so it is written with the rest of a run's files in one
    transaction; ``xarray.open_zarr(zarr.storage.ZipStore(path, mode="r"))``
    (or :func:`read_zarr`) reads it.
    """
    with tempfile.TemporaryDirectory(prefix="capcalc-zarr-") as folder:
        root = Path(folder) / "store.zarr"
        dataset.to_zarr(root, mode="w", consolidated=True, zarr_format=2)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def read_zarr(path: Path) -> xr.Dataset:
    """A zipped Zarr store written by :func:`zarr_bytes`, loaded into memory."""
    # deferred: xarray and zarr, as in to_xarray
    import xarray as xr
    import zarr

    store = zarr.storage.ZipStore(path, mode="r")
    try:
        return xr.open_zarr(store, consolidated=True, zarr_format=2).load()
    finally:
        store.close()
