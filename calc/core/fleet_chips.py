"""The chips of a build-out: each catalog chip's figures per sample, and the one current
in a month (the trend chip beyond the catalog grown from its start).

A catalog chip takes its catalog figures, overridden by ``catalog.<NAME>.<field>``
values, and for the scenario's own ``hardware.accelerator`` by its ``hardware.*``
and ``cost.accelerator_capex_usd`` values. :mod:`calc.core.fleet` asks for the chip
each install gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.core.errors import CapcalcError
from calc.core.generations import Chip, Generations, trend_factors
from calc.core.months import month_label
from calc.core.vocabulary import CATALOG_FIELDS

__all__ = ["CHIP_FIELDS", "FleetChips", "FloatArray", "IntArray", "Params"]

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



class FleetChips:
    """The parameters of every chip a timeline installs, per sample, and the current one by month.

    A catalog chip takes its catalog figures, overridden by ``catalog.<NAME>.<field>``
    values, and for the scenario's own ``hardware.accelerator`` by its
    ``hardware.*`` and ``cost.accelerator_capex_usd`` values.
    """

    def __init__(self, values: Mapping[str, Any], catalog: Mapping[str, Chip], n: int,
                 span: Generations) -> None:
        self.values, self.catalog, self.n, self.span = values, catalog, n, span
        self.precision = str(values["training.precision"])
        self.own = str(values["hardware.accelerator"])
        self.labels: list[str] = []
        self._params: dict[tuple[str, str], Params] = {}
        self._stacked: dict[str, Params] = {}
        self._label_ids: IntArray = np.zeros(0, dtype=np.int64)
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

    def current(self, at: IntArray, phase: str,
                precision: str | None = None) -> tuple[Params, IntArray]:
        """The generation current in months ``at`` (samples,): its parameters at ``precision``
        (default the scenario's) and label index. Generations are ranked at the scenario's
        precision."""
        g = self.span
        precision = precision or self.precision
        if not self._label_ids.size:
            self._label_ids = np.array([self.label(x) for x in g.labels], dtype=np.int64)
        if precision not in self._stacked:  # every chip the span can pick: (chips, samples)
            named = [c or self.own for c in g.chips]
            self._stacked[precision] = {
                inner: np.stack([self.of(c, precision)[inner] for c in named])
                for inner in CHIP_FIELDS.values()}
        stacked = self._stacked[precision]
        row = g.lookup(at)
        picks = g.chip_at[row]
        if "" in g.chips and np.any(picks == g.chips.index("")):
            raise CapcalcError(f"no catalog accelerator is released by "
                               f"{month_label(int(np.min(at)))} for phase {phase!r}",
                               key="accelerator")
        samples = np.arange(self.n)
        params = {inner: stacked[inner][picks, samples] for inner in CHIP_FIELDS.values()}
        flop, price = trend_factors(g.trend_months[row], self.growth_w, self.growth_p)
        params["peak"] = params["peak"] * flop
        params["peak8"] = params["peak8"] * flop
        params["capex"] = params["capex"] * price
        return params, self._label_ids[g.label_at[row]]
