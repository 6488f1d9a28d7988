"""The running record among the largest sites, and how fast it doubles.

Epoch AI finds the largest single site's training compute doubling every ~N months
(``peers.yaml``'s ``trend``). :func:`record_flags` marks the sites that set a new
record as they come online; :func:`fit_doubling` fits a line to the log₂ of those
records against the date, the doubling time the listed sites show;
:func:`trend_h100e` draws Epoch's doubling from an anchor site. The peers' table and
chart (:mod:`calc.presentation.tables.peers`) lay these out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Doubling", "fit_doubling", "record_flags", "trend_h100e"]


@dataclass(frozen=True)
class Doubling:
    """A least-squares line through log₂(H100e) against the decimal year.

    Attributes
    ----------
    slope : float
        Doublings a year (log₂ H100e per year).
    intercept : float
        log₂ H100e at year 0.
    records : int
        How many records the line is fitted to.
    """

    slope: float
    intercept: float
    records: int

    @property
    def months(self) -> float:
        """The doubling time, months (infinite when the records do not grow).

        >>> Doubling(2.0, 0.0, 3).months, Doubling(-1.0, 0.0, 2).months
        (6.0, inf)
        """
        return 12 / self.slope if self.slope > 0 else math.inf

    def h100e(self, year: float) -> float:
        """The line's H100e at decimal ``year``.

        >>> Doubling(1.0, -2020.0, 2).h100e(2030.0)
        1024.0
        """
        return float(2 ** (self.slope * year + self.intercept))


def record_flags(h100e: Sequence[float], operational: Sequence[bool]) -> list[bool]:
    """Which sites (in date order) set a new record: operational, and larger than every
    operational one before.

    >>> record_flags([5.0, 9.0, 7.0, 20.0, 30.0], [True, True, True, False, True])
    [True, True, False, False, True]
    """
    best = 0.0
    flags = []
    for size, running in zip(h100e, operational, strict=True):
        new = running and size > best
        if new:
            best = size
        flags.append(new)
    return flags


def fit_doubling(years: Sequence[float], h100e: Sequence[float]) -> Doubling | None:
    """The least-squares doubling of the records at decimal ``years`` with ``h100e``
    (None with fewer than two).

    >>> fit = fit_doubling([2020.0, 2021.0, 2022.0], [100.0, 200.0, 400.0])
    >>> round(fit.months, 6), fit.records
    (12.0, 3)
    """
    if len(years) < 2:
        return None
    slope, intercept = np.polyfit(list(years), [math.log2(v) for v in h100e], 1)
    return Doubling(float(slope), float(intercept), len(years))


def trend_h100e(anchor_h100e: float, anchor_year: float, year: float,
                doubling_months: float) -> float:
    """H100e at decimal ``year`` of a record doubling every ``doubling_months`` from the
    anchor's ``anchor_h100e`` at ``anchor_year``.

    >>> trend_h100e(1000.0, 2024.0, 2025.0, 6.0)
    4000.0
    """
    return anchor_h100e * 2 ** ((year - anchor_year) * 12 / doubling_months)
