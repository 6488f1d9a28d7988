"""Generations: which chip a build-out can buy for a month, from the catalog and the trend.

A power-limited site buys the chip with the most peak FLOP/s per server watt
among those in volume availability by the month it orders them (a phase's
planned start less the procurement lead time, :mod:`calc.core.fleet`). Each
catalog chip enters on its own release month (a preliminary chip, from the
month its maker or its buyers have stated; an uncertain month is sampled like
any input) at its own price. After the catalog's newest release the *trend
chip* takes over: in its first month it is exactly the chip current the month
before (same FLOP/s, watts and price), and from then its FLOP/s per watt grow
by ``hardware.perf_per_watt_growth_per_year`` and its FLOP/s per dollar by
``hardware.price_performance_growth_per_year``. So the current chip's FLOP/s
per facility watt never fall from one month to the next, and nothing jumps
where the catalog ends.

Everything is vectorised over samples: release months, watts and FLOP/s may
differ from sample to sample (the build-out Monte Carlo draws them), and each
sample picks its own chip (:func:`latest_pick`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np
import numpy.typing as npt

from calc.core.constants import MONTHS_PER_YEAR
from calc.core.errors import CapcalcError
from calc.core.months import month_index

__all__ = ["Chip", "ChipTable", "current_accelerator", "latest_pick", "trend_factors"]

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


@dataclass(frozen=True)
class ChipTable:
    """The chips a build-out may buy, per sample: when each is available and how it ranks.

    Attributes
    ----------
    names : tuple of str
        Catalog names of the buyable chips, in catalog order (ties go to the first).
    release : ndarray of int
        ``(chips, samples)`` month index from which each chip is in volume availability.
    ratio : ndarray of float
        ``(chips, samples)`` peak FLOP/s at the ranking precision per server watt.
    trend_start : ndarray of int
        ``(samples,)`` the month after the catalog's newest release: the trend's first month.
    """

    names: tuple[str, ...]
    release: IntArray
    ratio: FloatArray
    trend_start: IntArray

    @cached_property
    def best_of_first(self) -> IntArray:
        """``(chips + 1, samples)``: row ``k`` is the best of the first ``k`` chips each
        sample sees released (the row of ``names``; -1 for ``k = 0``).

        Built once per table, so that a pick needs only how many chips are
        released by the order month. Best is the most FLOP/s per server watt,
        a tie going to the chip first in catalog order (as ``numpy.argmax``).
        """
        shape = np.broadcast_shapes(self.release.shape, self.ratio.shape)
        chips, samples = shape
        by_release, ratios = _by_release(np.broadcast_to(self.release, shape),
                                         np.broadcast_to(self.ratio, shape))
        best = np.full((chips + 1, samples), -1, dtype=np.int64)
        best_ratio = np.full(samples, -np.inf)
        for k in range(chips):
            chip, ratio = by_release[k], ratios[k]
            better = (ratio > best_ratio) | ((ratio == best_ratio) & (chip < best[k]))
            best[k + 1] = np.where(better, chip, best[k])
            best_ratio = np.where(better, ratio, best_ratio)
        return best


def _by_release(release: IntArray, ratio: FloatArray) -> tuple[IntArray, FloatArray]:
    """Each sample's chips (rows) in order of release, and their ratios, ``(chips, samples)``.

    Most samples share the first sample's order (only drawn release months
    differ): those take it as it is; only the others are sorted.
    """
    first = np.argsort(release[:, 0], kind="stable")
    order = np.broadcast_to(first[:, None], release.shape)
    ratios = ratio[first]
    in_order = release[first]
    unsorted = np.flatnonzero(np.any(in_order[1:] < in_order[:-1], axis=0))
    if unsorted.size:
        order = order.copy()
        order[:, unsorted] = np.argsort(release[:, unsorted], axis=0, kind="stable")
        ratios[:, unsorted] = np.take_along_axis(ratio[:, unsorted], order[:, unsorted],
                                                 axis=0)
    return order, ratios


def latest_pick(table: ChipTable, order: IntArray) -> tuple[IntArray, FloatArray, IntArray]:
    """The chip each sample buys when it orders in month ``order`` (samples,).

    Returns the row of ``table.names`` (-1 where no chip is released by then),
    the months of trend growth (0 before the trend starts) and whether the chip
    is the trend chip (1) or a catalog chip (0). A chip released later, or
    ordered earlier, can only be a chip of fewer FLOP/s per server watt. Ratios
    are positive numbers (a NaN would never be picked).

    Examples
    --------
    >>> t = ChipTable(("old", "new"), np.array([[0], [10]]), np.array([[1.0], [2.0]]),
    ...               np.array([11]))
    >>> [tuple(int(x[0]) for x in latest_pick(t, np.array([m]))) for m in (5, 10, 14)]
    [(0, 0, 0), (1, 0, 0), (1, 3, 1)]
    """
    order = np.asarray(order, dtype=np.int64)
    released = np.count_nonzero(table.release <= order[None, :], axis=0)
    best = table.best_of_first
    column = np.arange(best.shape[1]) if best.shape[1] > 1 else 0  # a one-sample table
    pick = best[released, column]
    trend = order >= table.trend_start
    months = np.maximum(0, order - table.trend_start).astype(float)
    return pick, months, trend.astype(np.int64)


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


def central_table(catalog: Mapping[str, Chip], precision: str) -> ChipTable:
    """The :class:`ChipTable` of one sample: every catalog figure at its central value."""
    buyable = [a for a in catalog.values() if a.status in BUYABLE]
    if not buyable:
        raise CapcalcError("the catalog has no accelerator a build-out can buy", key="catalog")
    newest = max(month_index(a.release) for a in catalog.values())
    return ChipTable(
        names=tuple(a.key for a in buyable),
        release=np.array([[month_index(a.release)] for a in buyable], dtype=np.int64),
        ratio=np.array([[a.field(f"{precision}_flop_per_s") / (a.tdp_w * a.server_overhead)]
                        for a in buyable]),
        trend_start=np.array([newest + 1], dtype=np.int64))


def current_accelerator(catalog: Mapping[str, Chip], month: str,
                        precision: str = "bf16") -> tuple[str, float]:
    """The best chip in volume availability in ``month`` at central values: its catalog
    name and the years of trend growth applied.

    Examples
    --------
    >>> from calc.data.assumptions import load_baseline
    >>> catalog = load_baseline().catalog
    >>> current_accelerator(catalog, "2023-06")
    ('H100', 0.0)
    """
    table = central_table(catalog, precision)
    pick, months, _ = latest_pick(table, np.array([month_index(month)]))
    if int(pick[0]) < 0:
        raise CapcalcError(f"no catalog accelerator is released by {month}", key="accelerator")
    return table.names[int(pick[0])], float(months[0]) / MONTHS_PER_YEAR
