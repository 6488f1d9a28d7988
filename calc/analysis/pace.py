"""An operator's own pace: an exponential through its stated compute, and a build-out held
against it.

``peers.yaml`` records what an operator says its training compute was
(``stated_compute``, H100-equivalents by date). Its *pace* is an exponential
through its latest statement whose growth a year is fitted through all of them
(least squares on the logarithm), with a range: the slowest and fastest growth
over steps between statements at least ``pace.min_step_months`` apart (walking
back from the latest) and over the whole record. The pace gives the month the
operator's own numbers would reach a target, and a build-out whose modelled
H100-equivalents run above ``pace.warn_factor`` times the fastest pace in some
month is flagged: the model then holds more than the operator's numbers would
sign.

Pure numpy; months are month indices (``YYYY × 12 + MM − 1``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

from calc.core.constants import MONTHS_PER_YEAR
from calc.core.months import month_index, month_label
from calc.data.records import PeerRecords, records_of

if TYPE_CHECKING:
    from calc.data.peers import PeersFile


class Stated(Protocol):
    """A statement of training compute (:class:`calc.data.records.Statement` or
    :class:`calc.data.peers.StatedCompute`)."""

    @property
    def date(self) -> str: ...
    @property
    def h100_equivalents(self) -> float: ...

__all__ = ["Pace", "PaceWarning", "fit_pace", "operator_pace", "pace_warning", "statement_month"]

FloatArray = npt.NDArray[np.float64]


def statement_month(date: str) -> int:
    """The month index of a statement's date (a bare year stands for its December).

    >>> month_label(statement_month("2025")), month_label(statement_month("2024-03-31"))
    ('2025-12', '2024-03')
    """
    parts = date.split("-")
    return month_index(f"{parts[0]}-{parts[1] if len(parts) > 1 else '12'}")


@dataclass(frozen=True)
class Pace:
    """An operator's pace: H100-equivalents growing ``growth`` times a year from its latest
    statement, with the slowest and fastest growth its record shows.

    Attributes
    ----------
    operator : str
        Whose statements.
    anchor : int
        Month index of the latest statement, which the pace passes through.
    anchor_h100e : float
        The latest statement's H100-equivalents.
    growth, slowest, fastest : float
        Growth a year (×): least-squares fit, and the range's ends.
    points : tuple of (int, float)
        The statements fitted: month index and H100-equivalents.
    """

    operator: str
    anchor: int
    anchor_h100e: float
    growth: float
    slowest: float
    fastest: float
    points: tuple[tuple[int, float], ...]

    def h100e(self, months: Sequence[int] | npt.NDArray[np.int64],
              growth: float | None = None) -> FloatArray:
        """H100-equivalents at ``months`` on the pace (at ``growth``, default the fitted)."""
        rate = self.growth if growth is None else growth
        years = (np.asarray(months, dtype=float) - self.anchor) / MONTHS_PER_YEAR
        return np.asarray(self.anchor_h100e * rate ** years, dtype=float)

    def band(self, months: Sequence[int] | npt.NDArray[np.int64]) -> tuple[FloatArray,
                                                                          FloatArray]:
        """The least and the most H100-equivalents the range allows in each month (after
        the anchor the fastest growth is the most; before it, the slowest)."""
        ends = np.stack([self.h100e(months, self.slowest), self.h100e(months, self.fastest)])
        return ends.min(axis=0), ends.max(axis=0)

    def month_of(self, h100e: float, growth: float | None = None) -> int | None:
        """The first month the pace holds at least ``h100e`` (None where it never does).

        >>> p = Pace("T", month_index("2026-06"), 134e3, 2.0, 1.68, 2.4, ())
        >>> month_label(p.month_of(670e3))  # 134k x 2^(28/12) = 674k: 28 months on
        '2028-10'
        """
        rate = self.growth if growth is None else growth
        if h100e <= self.anchor_h100e:
            later = [m for m, v in self.points if v >= h100e]
            return min(later) if later else self.anchor
        if rate <= 1:
            return None
        months = MONTHS_PER_YEAR * math.log(h100e / self.anchor_h100e) / math.log(rate)
        return self.anchor + math.ceil(months - 1e-9)

    def months_of(self, h100e: float) -> tuple[int | None, int | None, int | None]:
        """:meth:`month_of` at the fitted, the fastest and the slowest growth."""
        return (self.month_of(h100e), self.month_of(h100e, self.fastest),
                self.month_of(h100e, self.slowest))

    def as_dict(self) -> dict[str, object]:
        """The pace as plain data (JSON)."""
        return {"operator": self.operator, "anchor_month": month_label(self.anchor),
                "anchor_h100e": self.anchor_h100e, "growth_per_year": self.growth,
                "slowest_growth_per_year": self.slowest, "fastest_growth_per_year": self.fastest,
                "statements": [{"month": month_label(m), "h100e": v} for m, v in self.points]}


def _rate(first: tuple[int, float], last: tuple[int, float]) -> float:
    """Growth a year between two statements: (h1 / h0) ^ (12 / months)."""
    return float((last[1] / first[1]) ** (MONTHS_PER_YEAR / (last[0] - first[0])))


def fit_pace(statements: Sequence[Stated], *, min_step_months: float,
             operator: str = "") -> Pace | None:
    """The pace through ``statements`` (None with fewer than two dated months).

    The growth is the least-squares slope of ln(H100e) against time through every
    statement (a floor counts at its value); the range runs from the slowest to
    the fastest growth over (a) each step between statements at least
    ``min_step_months`` apart, walking back from the latest, and (b) the whole
    record, widened to hold the fit. Several statements of one month keep the last.

    Examples
    --------
    Tesla's four statements, worked by hand in ``tests/analysis/test_pace.py``:

    >>> from calc.data.peers import load_peers
    >>> p = fit_pace(load_peers().stated("Tesla"), min_step_months=12, operator="Tesla")
    >>> round(p.growth, 3), round(p.slowest, 3), round(p.fastest, 3)
    (2.159, 1.681, 2.4)
    """
    by_month = {statement_month(s.date): float(s.h100_equivalents) for s in statements}
    points = sorted(by_month.items())
    if len(points) < 2:
        return None
    t = np.array([m for m, _ in points], dtype=float) / MONTHS_PER_YEAR
    y = np.log([v for _, v in points])
    slope = float(np.sum((t - t.mean()) * (y - y.mean())) / np.sum((t - t.mean()) ** 2))
    growth = math.exp(slope)
    rates = [_rate(points[0], points[-1])]
    here = len(points) - 1
    while True:
        earlier = [i for i in range(here) if points[here][0] - points[i][0] >= min_step_months]
        if not earlier:
            break
        step = earlier[-1]
        rates.append(_rate(points[step], points[here]))
        here = step
    anchor, anchor_h100e = points[-1]
    return Pace(operator=operator, anchor=anchor, anchor_h100e=anchor_h100e, growth=growth,
                slowest=min(min(rates), growth), fastest=max(max(rates), growth),
                points=tuple(points))


def operator_pace(peers: PeersFile | PeerRecords, operator: str | None) -> Pace | None:
    """The pace of ``operator`` (the story's operator in focus) from its statements in
    ``peers``, or None when it has fewer than two (or there is no operator)."""
    if not operator:
        return None
    records = records_of(peers)
    return fit_pace(records.stated(operator), min_step_months=records.min_step_months,
                    operator=operator)


@dataclass(frozen=True)
class PaceWarning:
    """Months a build-out runs above ``factor`` times the operator's fastest pace.

    ``worst`` is the month where modelled ÷ fastest pace is largest, ``ratio`` that
    quotient; ``first`` and ``last`` the first and last month above the factor.
    """

    operator: str
    factor: float
    first: str
    last: str
    worst: str
    ratio: float
    modelled_h100e: float
    pace_h100e: float
    months: int

    def as_dict(self) -> dict[str, object]:
        """The warning as plain data (JSON)."""
        return {"operator": self.operator, "factor": self.factor, "first_month": self.first,
                "last_month": self.last, "worst_month": self.worst, "ratio": self.ratio,
                "modelled_h100e": self.modelled_h100e, "pace_h100e": self.pace_h100e,
                "months": self.months}


def pace_warning(pace: Pace, months: Sequence[str], h100e: Sequence[float], factor: float
                 ) -> PaceWarning | None:
    """A :class:`PaceWarning` where the modelled ``h100e`` of ``months`` exceeds ``factor``
    times the most the pace's range allows, from the operator's first statement on;
    None where it never does.

    >>> first = ((month_index("2025-06"), 50.0),)
    >>> p = Pace("T", month_index("2026-06"), 100.0, 2.0, 2.0, 2.0, first)
    >>> w = pace_warning(p, ["2026-06", "2026-07", "2027-06"], [120.0, 200.0, 250.0], 1.5)
    >>> (w.first, w.worst, round(w.ratio, 2), w.months)
    ('2026-07', '2026-07', 1.89, 1)
    >>> pace_warning(p, ["2026-06"], [140.0], 1.5) is None
    True
    """
    index = np.array([month_index(m) for m in months])
    modelled = np.asarray(h100e, dtype=float)
    _, most = pace.band(index)
    start = min(m for m, _ in pace.points) if pace.points else pace.anchor
    ratio = np.where(index >= start, modelled / most, 0.0)
    over = np.flatnonzero(ratio > factor)
    if not over.size:
        return None
    worst = int(np.argmax(ratio))
    return PaceWarning(operator=pace.operator, factor=factor, first=months[int(over[0])],
                       last=months[int(over[-1])], worst=months[worst],
                       ratio=float(ratio[worst]), modelled_h100e=float(modelled[worst]),
                       pace_h100e=float(most[worst]), months=int(over.size))
