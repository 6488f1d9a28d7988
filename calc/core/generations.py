"""Generations: the then-current accelerator for each month, from the catalog and the trend.

A power-limited site buys the chip with the most peak FLOP/s per server watt
of those released by a month; beyond the catalog's newest release the best
chip's FLOP/s grow by ``hardware.perf_per_watt_growth_per_year``.
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

__all__ = ["Chip", "Generations", "current_accelerator", "generations"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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
    """The then-current chip for each month of a span, from the catalog and the trend."""

    first: int
    chips: tuple[str, ...]        # catalog names the span can pick
    chip_at: IntArray             # (months,) index into ``chips``
    trend_years: FloatArray       # (months,) years of trend growth; 0 for a catalog chip
    labels: tuple[str, ...]       # generation labels
    label_at: IntArray            # (months,) index into ``labels``

    def lookup(self, month: IntArray) -> IntArray:
        """Row of each month in the span (months outside are clipped to its ends)."""
        return np.clip(month - self.first, 0, len(self.chip_at) - 1)


def generations(catalog: Mapping[str, Chip], precision: str, first: int,
                 last: int) -> Generations:
    shipping = [a for a in catalog.values() if a.status == "shipping"]
    if not shipping:
        raise CapcalcError("the catalog has no shipping accelerator to choose as the latest",
                           key="catalog")
    newest = max(month_index(a.release) for a in catalog.values())
    best = max(shipping, key=lambda a: _ratio(a, precision))
    months = np.arange(first, last + 1)
    chips: list[str] = []
    labels: list[str] = []
    chip_at = np.zeros(len(months), dtype=np.int64)
    label_at = np.zeros(len(months), dtype=np.int64)
    trend_years = np.zeros(len(months))
    for row, month in enumerate(months):
        if month > newest:
            name = best.key
            trend_years[row] = (month - month_index(best.release)) / MONTHS_PER_YEAR
            label = f"trend {month // MONTHS_PER_YEAR}"
        else:
            released = [a for a in shipping if month_index(a.release) <= month]
            if not released:
                name = label = ""
            else:
                name = max(released, key=lambda a: _ratio(a, precision)).key
                label = name
        if name not in chips:
            chips.append(name)
        if label not in labels:
            labels.append(label)
        chip_at[row] = chips.index(name)
        label_at[row] = labels.index(label)
    return Generations(first, tuple(chips), chip_at, trend_years, tuple(labels), label_at)


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
        raise CapcalcError(f"no shipping catalog accelerator is released by {month}",
                           key="accelerator")
    return name, float(gens.trend_years[0])
