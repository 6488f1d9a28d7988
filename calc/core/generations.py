"""Generations: the then-current accelerator for each month, from the catalog and the trend.

A power-limited site buys the chip with the most peak FLOP/s per server watt
among those released by a month; each catalog chip enters on its own release
month (a preliminary chip, from the month its maker has stated) at its own
price. After the catalog's newest release the *trend chip* takes over: in its
first month it is exactly the chip current the month before (same FLOP/s,
watts and price), and from then its FLOP/s per watt grow by
``hardware.perf_per_watt_growth_per_year`` and its FLOP/s per dollar by
``hardware.price_performance_growth_per_year``. So the current chip's FLOP/s
per facility watt never fall from one month to the next, and nothing jumps
where the catalog ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from calc.core.constants import MONTHS_PER_YEAR
from calc.core.errors import CapcalcError
from calc.core.months import month_index

__all__ = ["Chip", "Generations", "current_accelerator", "generations", "trend_factors"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Chip statuses a timeline may buy: shipping ones, and preliminary ones from their stated month.
BUYABLE = ("shipping", "preliminary")


class Chip(Protocol):
    """What the core reads of a catalog accelerator (``calc.data.assumptions.Accelerator``)."""

    @property
    def key(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def release(self) -> str: ...
    @property
    def tdp_w(self) -> float: ...
    @property
    def server_overhead(self) -> float: ...

    def field(self, name: str) -> float:
        """A numeric field by name (``tdp_w``, ``fp8_flop_per_s``, ...)."""
        ...


def _ratio(acc: Chip, precision: str) -> float:
    """Peak FLOP/s at ``precision`` per server watt: how a power-limited site ranks chips."""
    return acc.field(f"{precision}_flop_per_s") / (acc.tdp_w * acc.server_overhead)


@dataclass(frozen=True)
class Generations:
    """The then-current chip for each month of a span.

    Attributes
    ----------
    first : int
        Month index of the span's first month.
    chips : tuple of str
        Catalog names the span picks ("" where nothing is released yet).
    chip_at : ndarray of int
        ``(months,)`` index into ``chips``: the current catalog chip, or for trend
        months the chip the trend extends.
    trend_months : ndarray of float
        ``(months,)`` months since the trend started (0 in its first month and
        for catalog months): the exponent of the trend's growth, in twelfths.
    labels : tuple of str
        Generation labels: catalog names, and ``trend YYYY`` by calendar year.
    label_at : ndarray of int
        ``(months,)`` index into ``labels``.
    trend_start : int
        Month index of the trend's first month (the month after the newest release).
    """

    first: int
    chips: tuple[str, ...]
    chip_at: IntArray
    trend_months: FloatArray
    labels: tuple[str, ...]
    label_at: IntArray
    trend_start: int

    def lookup(self, month: IntArray) -> IntArray:
        """Row of each month in the span (months outside are clipped to its ends)."""
        return np.clip(np.asarray(month) - self.first, 0, len(self.chip_at) - 1)


def generations(catalog: Mapping[str, Chip], precision: str, first: int,
                last: int) -> Generations:
    """The current chip of every month from ``first`` to ``last`` (month indices).

    Examples
    --------
    >>> from calc.data.assumptions import load_baseline
    >>> g = generations(load_baseline().catalog, "bf16", 2023 * 12, 2030 * 12)
    >>> g.labels[int(g.label_at[0])], g.labels[int(g.label_at[-1])]
    ('H100', 'trend 2030')
    """
    buyable = [a for a in catalog.values() if a.status in BUYABLE]
    if not buyable:
        raise CapcalcError("the catalog has no accelerator a build-out can buy", key="catalog")
    release = {a.key: month_index(a.release) for a in buyable}
    trend_start = max(month_index(a.release) for a in catalog.values()) + 1
    months = np.arange(first, last + 1)
    chips: list[str] = []
    labels: list[str] = []
    chip_at = np.zeros(len(months), dtype=np.int64)
    label_at = np.zeros(len(months), dtype=np.int64)
    trend_months = np.zeros(len(months))

    def best_by(month: int) -> str:
        released = [a for a in buyable if release[a.key] <= month]
        return max(released, key=lambda a: _ratio(a, precision)).key if released else ""

    extended = best_by(trend_start - 1)
    for row, month in enumerate(months):
        if month >= trend_start:
            name = extended
            trend_months[row] = float(month - trend_start)
            label = f"trend {month // MONTHS_PER_YEAR}"
        else:
            name = label = best_by(int(month))
        if name not in chips:
            chips.append(name)
        if label not in labels:
            labels.append(label)
        chip_at[row] = chips.index(name)
        label_at[row] = labels.index(label)
    return Generations(first, tuple(chips), chip_at, trend_months, tuple(labels), label_at,
                       trend_start)


def trend_factors(trend_months: FloatArray, perf_per_watt_growth: FloatArray,
                  price_performance_growth: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Multipliers of the trend chip's FLOP/s and of its price after ``trend_months`` months.

    Watts stay those of the chip the trend extends, so FLOP/s grow as FLOP/s
    per watt do; the price grows as FLOP/s divided by FLOP/s per dollar.

    >>> flop, price = trend_factors(np.array([0.0, 12.0]), np.array(0.4), np.array(0.3))
    >>> [round(float(x), 4) for x in flop], [round(float(x), 4) for x in price]
    ([1.0, 1.4], [1.0, 1.0769])
    """
    years = np.asarray(trend_months, dtype=float) / MONTHS_PER_YEAR
    flop = (1 + np.asarray(perf_per_watt_growth, dtype=float)) ** years
    return flop, flop / (1 + np.asarray(price_performance_growth, dtype=float)) ** years


def current_accelerator(catalog: Mapping[str, Chip], month: str,
                        precision: str = "bf16") -> tuple[str, float]:
    """The then-current chip in ``month``: its catalog name and years of trend growth applied.

    Examples
    --------
    >>> from calc.data.assumptions import load_baseline
    >>> catalog = load_baseline().catalog
    >>> current_accelerator(catalog, "2023-06")
    ('H100', 0.0)
    """
    index = month_index(month)
    gens = generations(catalog, precision, index, index)
    name = gens.chips[int(gens.chip_at[0])]
    if not name:
        raise CapcalcError(f"no catalog accelerator is released by {month}", key="accelerator")
    return name, float(gens.trend_months[0]) / MONTHS_PER_YEAR
