"""The chips of a build-out: each catalog chip's figures per sample, and the one a phase
buys when it orders (the trend chip beyond the catalog grown from its start).

A catalog chip takes its catalog figures, overridden by ``catalog.<NAME>.<field>``
values (the build-out Monte Carlo's draws, shared by every phase and refresh on
that chip), and for the scenario's own ``hardware.accelerator`` by its
``hardware.*`` and ``cost.accelerator_capex_usd`` values; its release month by
``catalog.<NAME>.release`` (a month index, per sample). :mod:`calc.core.fleet`
asks for the chip each install gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.core.errors import CapcalcError
from calc.core.generations import BUYABLE, Chip, ChipTable, latest_pick, trend_factors
from calc.core.months import month_index, month_label
from calc.core.vocabulary import CATALOG_FIELDS

__all__ = ["CHIP_FIELDS", "FleetChips", "FloatArray", "IntArray", "Params", "release_key"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: A chip's figures by name inside the core, each ``(samples,)``.
Params = dict[str, FloatArray]

CHIP_FIELDS = {  # hardware key → name inside the core
    "hardware.tdp_w": "tdp_w",
    "hardware.server_overhead": "server_overhead",
    "hardware.peak_flop_per_s": "peak",
    "hardware.peak_8bit_flop_per_s": "peak8",
    "cost.accelerator_capex_usd": "capex",
}


def release_key(name: str) -> str:
    """The values key of a catalog chip's release month (a month index, per sample).

    >>> release_key("Rubin")
    'catalog.Rubin.release'
    """
    return f"catalog.{name}.release"


class FleetChips:
    """The parameters of every chip a timeline installs, per sample, and the one a phase buys.

    A catalog chip takes its catalog figures, overridden by ``catalog.<NAME>.<field>``
    values, and for the scenario's own ``hardware.accelerator`` by its
    ``hardware.*`` and ``cost.accelerator_capex_usd`` values.
    """

    def __init__(self, values: Mapping[str, Any], catalog: Mapping[str, Chip], n: int) -> None:
        self.values, self.catalog, self.n = values, catalog, n
        self.precision = str(values["training.precision"])
        self.own = str(values["hardware.accelerator"])
        self.labels: list[str] = []
        self._params: dict[tuple[str, str], Params] = {}
        self._table: ChipTable | None = None
        self.growth_w = self._vec(values["hardware.perf_per_watt_growth_per_year"])
        self.growth_p = self._vec(values["hardware.price_performance_growth_per_year"])

    def _vec(self, x: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(x, dtype=float), (self.n,))

    def label(self, text: str) -> int:
        """Index of a generation label (added on first use, in order of installation)."""
        if text not in self.labels:
            self.labels.append(text)
        return self.labels.index(text)

    def of(self, name: str, precision: str | None = None) -> Params:
        """Parameters of catalog chip ``name`` at ``precision`` (default the scenario's):
        ``tdp_w``, ``server_overhead``, ``peak``, ``peak8`` and ``capex``, each ``(samples,)``.

        The scenario's ``hardware.peak_flop_per_s`` applies at its own precision only.
        """
        precision = precision or self.precision
        if (name, precision) not in self._params:
            acc = self.catalog[name]
            params = {}
            for hw_key, inner in CHIP_FIELDS.items():
                field = CATALOG_FIELDS[hw_key].format(precision=precision)
                value = self.values.get(f"catalog.{name}.{field}")
                if value is None and name == self.own and (
                        precision == self.precision or hw_key != "hardware.peak_flop_per_s"):
                    value = self.values.get(hw_key)
                params[inner] = self._vec(acc.field(field) if value is None else value)
            self._params[(name, precision)] = params
        return self._params[(name, precision)]

    def release(self, name: str) -> IntArray:
        """Month index from which chip ``name`` is in volume availability, ``(samples,)``."""
        value = self.values.get(release_key(name))
        if value is None:
            value = month_index(self.catalog[name].release)
        return self._vec(np.rint(np.asarray(value, dtype=float))).astype(np.int64)

    def table(self) -> ChipTable:
        """Every buyable chip's release month and rank (FLOP/s at the scenario's precision
        per server watt), per sample."""
        if self._table is None:
            names = tuple(k for k, a in self.catalog.items() if a.status in BUYABLE)
            if not names:
                raise CapcalcError("the catalog has no accelerator a build-out can buy",
                                   key="catalog")
            ratio = []
            for name in names:
                p = self.of(name)
                ratio.append(p["peak"] / (p["tdp_w"] * p["server_overhead"]))
            release = {k: self.release(k) for k in self.catalog}
            newest = np.max(np.stack(list(release.values())), axis=0)
            self._table = ChipTable(names, np.stack([release[k] for k in names]),
                                    np.stack(ratio), newest + 1)
        return self._table

    def current(self, order: IntArray, phase: str, precision: str | None = None,
                lead: IntArray | None = None) -> tuple[Params, IntArray]:
        """The chip bought by an order in months ``order`` (samples,): its parameters at
        ``precision`` (default the scenario's) and label index. Chips are ranked at the
        scenario's precision; ``lead`` (months before the start) is for the message when
        none is released yet."""
        table = self.table()
        precision = precision or self.precision
        pick, months, trend = latest_pick(table, order)
        if np.any(pick < 0):
            early = int(np.min(np.where(pick < 0, order, np.iinfo(np.int64).max)))
            ahead = "" if lead is None else (
                f", {int(np.max(lead))} months (the procurement lead time) before it starts")
            raise CapcalcError(f"no catalog accelerator is released by {month_label(early)} "
                               f"for phase {phase!r}{ahead}", key="accelerator")
        params = self._picked(pick, precision)
        if np.any(months):  # with no month of trend growth the factors are exactly 1
            flop, price = trend_factors(months, self.growth_w, self.growth_p)
            params["peak"] = params["peak"] * flop
            params["peak8"] = params["peak8"] * flop
            params["capex"] = params["capex"] * price
        return params, self._labels_of(pick, trend, order)

    def _picked(self, pick: IntArray, precision: str) -> Params:
        """Each sample's figures of chip ``pick`` (a row of the table's names) at
        ``precision``: copied chip by chip, for the few chips picked."""
        names = self.table().names
        chosen = np.flatnonzero(np.bincount(pick, minlength=len(names)))
        if len(chosen) == 1:  # every sample buys the same chip
            return dict(self.of(names[chosen[0]], precision))
        params = {inner: np.empty(self.n) for inner in CHIP_FIELDS.values()}
        for row in chosen:
            where = pick == row
            for inner, value in self.of(names[row], precision).items():
                np.copyto(params[inner], value, where=where)
        return params

    def _labels_of(self, pick: IntArray, trend: IntArray, order: IntArray) -> IntArray:
        """Label index per sample: the catalog name, or ``trend YYYY`` by the order's year."""
        codes = np.where(trend > 0, -1 - order // 12, pick)
        low = int(codes.min())
        shifted = codes - low  # small non-negative integers: a few years and chips
        present = np.flatnonzero(np.bincount(shifted))
        # in order of the samples that first show them
        present = present[np.argsort([int(np.argmax(shifted == v)) for v in present])]
        ids = np.empty(int(present.max()) + 1, dtype=np.int64)
        for value in present:
            code = int(value) + low
            text = f"trend {-1 - code}" if code < 0 else self.table().names[code]
            ids[value] = self.label(text)
        return ids[shifted]
