"""A build-out against what its operator says: stated training compute, and capex by year.

Three checks of a timeline against published figures of ``peers.yaml``: the
H100-equivalents it models in each month an operator stated its training
compute, the capex it implies per calendar year beside the company's reported
or guided total capex, and per calendar quarter beside the company's quarterly
capex — so a reader sees at once when the modelled AI build alone would take
more than the company says it spends on everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

from calc.analysis.timeline import Timeline
from calc.core.months import month_index

if TYPE_CHECKING:  # the checks read either form: the records need no pydantic at run time
    from calc.data.peers import CompanyCapex, StatedCompute
    from calc.data.records import Capex, Statement

    #: A statement of training compute, validated or as the cached records keep it.
    Stated: TypeAlias = StatedCompute | Statement
    #: A company's capex figure, validated or as the cached records keep it.
    Spent: TypeAlias = CompanyCapex | Capex

__all__ = ["CapexQuarter", "CapexYear", "StatedCheck", "capex_by_quarter", "capex_by_year",
           "capex_checks", "quarter_checks", "stated_checks"]


@dataclass(frozen=True)
class StatedCheck:
    """One statement of training compute against the timeline's H100e in that month.

    ``modelled`` is None when the month lies outside the timeline; ``ratio`` is
    modelled ÷ stated (for a stated floor, at least 1 means the model agrees).
    """

    statement: Stated
    month: str
    modelled: float | None

    @property
    def ratio(self) -> float | None:
        """Modelled ÷ stated H100-equivalents."""
        return None if self.modelled is None else self.modelled / self.statement.h100_equivalents

    @property
    def agrees(self) -> bool | None:
        """Whether the model meets a stated floor or lies within 15 % of a stated value."""
        ratio = self.ratio
        if ratio is None:
            return None
        if self.statement.bound == "at_least":
            return ratio >= 1 - 1e-9
        if self.statement.bound == "at_most":
            return ratio <= 1 + 1e-9
        return abs(ratio - 1) <= 0.15


def _month_of(date: str) -> str:
    """``YYYY-MM`` of a statement's date (a bare year stands for its December)."""
    parts = date.split("-")
    return f"{parts[0]}-{parts[1] if len(parts) > 1 else '12'}"


def stated_checks(timeline: Timeline, stated: Sequence[Stated]) -> tuple[StatedCheck, ...]:
    """Each statement against the modelled H100-equivalents of its month."""
    first = month_index(timeline.months[0])
    h100e = timeline.series["h100_equivalents"]
    checks = []
    for statement in stated:
        month = _month_of(statement.date)
        position = month_index(month) - first
        modelled = float(h100e[position]) if 0 <= position < len(timeline.months) else None
        checks.append(StatedCheck(statement, month, modelled))
    return tuple(checks)


def capex_by_year(timeline: Timeline) -> dict[int, float]:
    """Capex the build-out spends in each calendar year of the timeline, USD.

    Hardware (every install and refresh) is paid in the month it starts and
    the facility once per phase, as ``capex_cumulative_usd`` counts them; a
    year cut by the timeline's ends counts its months inside.

    Examples
    --------
    >>> import calc
    >>> from calc.analysis.timeline import run_timeline
    >>> library = calc.load()
    >>> t = run_timeline(library, library.scenario("cortex-buildout"), until="2026-12")
    >>> spend = capex_by_year(t)
    >>> total = float(t.series["capex_cumulative_usd"][-1])
    >>> sorted(spend), round(sum(spend.values()) / total, 9)
    ([2024, 2025, 2026], 1.0)
    """
    cumulative = np.asarray(timeline.series["capex_cumulative_usd"], dtype=float)
    years = [int(m[:4]) for m in timeline.months]
    spend: dict[int, float] = {}
    before = 0.0
    for position, year in enumerate(years):
        if position + 1 == len(years) or years[position + 1] != year:
            spend[year] = float(cumulative[position]) - before
            before = float(cumulative[position])
    return spend


@dataclass(frozen=True)
class CapexYear:
    """The build-out's capex in one calendar year beside the company's figure for that year."""

    year: int
    modelled_usd: float
    months: int
    company: Spent | None

    @property
    def share(self) -> float | None:
        """Modelled ÷ the company's figure."""
        return None if self.company is None else self.modelled_usd / self.company.usd_2025

    @property
    def exceeds(self) -> bool:
        """Whether the modelled AI build alone spends more than the company's whole figure."""
        return self.company is not None and self.modelled_usd > self.company.usd_2025


def capex_checks(timeline: Timeline, company: Mapping[int, Spent]) -> tuple[CapexYear, ...]:
    """Capex per calendar year of the timeline, each beside the company's capex of that year."""
    months_in: dict[int, int] = {}
    for month in timeline.months:
        months_in[int(month[:4])] = months_in.get(int(month[:4]), 0) + 1
    return tuple(CapexYear(year, usd, months_in[year], company.get(year))
                 for year, usd in capex_by_year(timeline).items()
                 if usd > 0 or year in company)


def capex_by_quarter(timeline: Timeline) -> dict[tuple[int, int], float]:
    """Capex the build-out spends in each calendar quarter of the timeline, USD, keyed
    ``(year, quarter)`` (as :func:`capex_by_year` counts it)."""
    cumulative = np.asarray(timeline.series["capex_cumulative_usd"], dtype=float)
    quarters = [(int(m[:4]), (int(m[5:7]) - 1) // 3 + 1) for m in timeline.months]
    spend: dict[tuple[int, int], float] = {}
    before = 0.0
    for position, quarter in enumerate(quarters):
        if position + 1 == len(quarters) or quarters[position + 1] != quarter:
            spend[quarter] = float(cumulative[position]) - before
            before = float(cumulative[position])
    return spend


@dataclass(frozen=True)
class CapexQuarter:
    """The build-out's capex in one calendar quarter beside the company's reported figure
    of that quarter (None where it reported none)."""

    year: int
    quarter: int
    modelled_usd: float
    company: Spent | None

    @property
    def label(self) -> str:
        """``YYYY-Qn``."""
        return f"{self.year}-Q{self.quarter}"

    @property
    def share(self) -> float | None:
        """Modelled ÷ the company's figure of the quarter."""
        return None if self.company is None else self.modelled_usd / self.company.usd_2025


def quarter_checks(timeline: Timeline, company: Mapping[tuple[int, int], Spent]
                   ) -> tuple[CapexQuarter, ...]:
    """Capex per calendar quarter that the build-out spends in, or the company reported."""
    return tuple(CapexQuarter(year, quarter, usd, company.get((year, quarter)))
                 for (year, quarter), usd in capex_by_quarter(timeline).items()
                 if usd > 0 or (year, quarter) in company)
