"""A finished sweep: one row per point, its axes then what it kept, with units and provenance.

:class:`SweepResult` holds plain numpy columns. ``to_frame()`` gives the tidy
table (pandas; one row per point), ``to_xarray()`` the labelled arrays (a
grid sweep's dimensions are its axes, so a heatmap is ``ds[output]`` over two
of them), ``to_parquet()`` / ``to_zarr()`` write them, and a notebook shows the
sweep as cards. The conversions live in :mod:`calc.data.frames`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.provenance import provenance_line
from calc.data import frames
from calc.data.frames import Tidy
from calc.data.io import write_bytes
from calc.data.notebook import cards_html, quantity

__all__ = ["SweepResult"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SweepResult:
    """Every point of a sweep with what it kept.

    Attributes
    ----------
    axes : tuple of str
        The axis keys, in the order written (phase fields as ``timeline[N].FIELD``).
    columns : mapping of str to ndarray
        One array per axis, then per kept column, each of one value per point.
        Month columns (``reach_month``...) hold positions in ``months`` (-1: never).
    units, descriptions : mapping of str to str
        Unit and meaning of each column.
    months : tuple of str
        The build-out's months (empty for a sweep of the static chain).
    p_target_by : ndarray or None
        P(target reached by each month), ``(points, months)``, for a sampled build-out.
    grid : tuple of (str, tuple), optional
        The axes and their values when the sweep is a pure grid (its points in C order).
    reference : mapping of str to value
        The base scenario's own value of each axis (where it sits in the sweep).
    attrs : mapping
        Provenance: scenario, baseline, target multiple, assumptions' hash, seed,
        samples, design, capcalc's version.
    computed, resumed : int
        Blocks this run computed, and blocks read back from an earlier run's journal.
    """

    axes: tuple[str, ...]
    columns: Mapping[str, npt.NDArray[Any]]
    units: Mapping[str, str]
    descriptions: Mapping[str, str]
    months: tuple[str, ...]
    p_target_by: npt.NDArray[np.float64] | None
    grid: tuple[tuple[str, tuple[Any, ...]], ...] | None
    reference: Mapping[str, Any]
    attrs: Mapping[str, Any]
    computed: int = 0
    resumed: int = 0
    month_columns: frozenset[str] = field(default_factory=frozenset)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.columns[name]

    @property
    def kept(self) -> tuple[str, ...]:
        """The columns after the axes: outputs and reductions."""
        return tuple(c for c in self.columns if c not in self.axes)

    def month_of(self, position: IntArray) -> npt.NDArray[Any]:
        """Month labels of positions in :attr:`months` (None where -1: not reached)."""
        labels = np.array([*self.months, None], dtype=object)
        return labels[np.where(position >= 0, position, len(self.months))]

    def reached_by(self, month: str) -> npt.NDArray[np.float64]:
        """P(target reached by ``month``) at each point: sampled, or 0/1 at central values."""
        if month not in self.months:
            raise ValueError(f"{month} is not a month of this sweep "
                             f"({self.months[0]} to {self.months[-1]})")
        position = self.months.index(month)
        if self.p_target_by is not None:
            return np.asarray(self.p_target_by[:, position], dtype=float)
        reach = np.asarray(self.columns["reach_month"])
        return ((reach >= 0) & (reach <= position)).astype(float)

    def tidy(self) -> Tidy:
        """The sweep as named arrays (dimension ``point``; month columns as labels)."""
        variables: dict[str, tuple[tuple[str, ...], npt.NDArray[Any]]] = {}
        for name, values in self.columns.items():
            shown = self.month_of(values) if name in self.month_columns else values
            variables[name] = (("point",), np.asarray(shown))
        coords: dict[str, tuple[tuple[str, ...], npt.NDArray[Any]]] = {}
        if self.p_target_by is not None:
            variables["p_target_by"] = (("point", "month"), self.p_target_by)
            coords["month"] = (("month",), np.array(self.months, dtype=object))
        descriptions = dict(self.descriptions)
        descriptions.setdefault("p_target_by", "P(the target multiple is reached by each month)")
        return Tidy("sweep", variables, coords, {**self.units, "p_target_by": "1"},
                    dict(self.attrs), descriptions)

    def to_frame(self) -> frames.DataFrame:
        """The tidy table: one row per point, the axes then the kept columns.

        ``frame.attrs`` holds the provenance, ``frame.attrs["units"]`` each column's
        unit. P(target) by every month of a sampled build-out is in :meth:`to_xarray`.
        """
        tidy = self.tidy()
        flat = {k: v for k, v in tidy.variables.items() if v[0] == ("point",)}
        return frames.to_frame(Tidy(tidy.name, flat, {}, tidy.units, tidy.attrs,
                                    tidy.descriptions))

    def to_xarray(self) -> frames.Dataset:
        """The sweep as an :class:`xarray.Dataset`, ``units`` on every variable.

        A pure grid has one dimension per axis (its values as coordinates), so
        ``ds["compute_multiple"].sel(**{"hardware.accelerator": "GB200"})`` is a
        curve over the other axes; a sweep with a design over ranges has one
        dimension ``point`` with the axes as coordinates along it.
        """
        dataset = frames.to_xarray(self.tidy())
        axes = list(self.axes)
        dataset = dataset.set_coords(axes)
        if self.grid is None:
            return dataset
        return dataset.set_index(point=axes).unstack("point")

    def to_parquet(self, path: Path | str) -> Path:
        """Write :meth:`to_frame` to ``path`` as Parquet (units and provenance in its metadata)."""
        return frames.write_parquet(self.to_frame(), Path(path))

    def to_zarr(self, path: Path | str) -> Path:
        """Write :meth:`to_xarray` to ``path`` as a zipped Zarr store."""
        target = Path(path)
        write_bytes(target, frames.zarr_bytes(self.to_xarray()))
        return target

    def _repr_html_(self) -> str:
        cards = [("Points", f"{len(self):,}"), ("Axes", ", ".join(self.axes))]
        for name in ("p_target_reached", "compute_multiple"):
            if name in self.columns:
                values = np.asarray(self.columns[name], dtype=float)
                cards.append((f"{name}: lowest – highest",
                              f"{quantity(float(np.min(values)), self.units[name])} – "
                              f"{quantity(float(np.max(values)), self.units[name])}"))
        if "reach_month" in self.columns:
            reach = np.asarray(self.columns["reach_month"])
            cards.append(("Reaches the target by the horizon",
                          f"{np.mean(reach >= 0):.0%} of points"))
        title = (f"Sweep of {self.attrs.get('scenario', '?')}: target "
                 f"{self.attrs.get('target_multiple', 0):g}× {self.attrs.get('baseline', '')}")
        return cards_html(title, cards, provenance_line(self.attrs))
