"""The operators' records the answer reads from ``peers.yaml``, as plain frozen dataclasses.

Every answer sentence gives a build-out's date with its schedule slip and beside
the operator's own pace, so ``capcalc run`` reads the schedule record, the stated
compute and how ``peers.yaml`` says to read them; ``capcalc timeline`` also sets
the build-out beside the companies' capex. Validating the whole peers file costs
pydantic; these dataclasses hold just what the slip, the pace and those checks
need, so the shipped-library cache (:mod:`calc.data.cache`) can keep them beside
the library, and a warm ``capcalc run`` or ``capcalc timeline`` validates
nothing. :func:`records_of` builds them from a validated
:class:`~calc.data.peers.PeersFile`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

__all__ = ["CONFIDENCE_ORDER", "Capex", "Milestone", "PeerRecords", "Statement", "month_index",
           "quarterly_capex_of", "records_of", "stated_by", "yearly_capex_of"]

#: Order of confidence, strongest first.
CONFIDENCE_ORDER: tuple[str, ...] = ("confirmed", "secondary", "unconfirmed")


def month_index(date: str) -> int:
    """A dated month as a count of months since year 0, to subtract dates in whole months.

    The day, when given, is ignored: a slip is counted in calendar months.

    >>> month_index("2024-12") - month_index("2024-10-23")
    2
    """
    parts = date.split("-")
    if len(parts) < 2:
        raise ValueError(f"{date!r} names no month")
    return int(parts[0]) * 12 + int(parts[1]) - 1


class _Stated(Protocol):
    @property
    def operator(self) -> str: ...
    @property
    def date(self) -> str: ...


class _Spent(Protocol):
    @property
    def company(self) -> str: ...
    @property
    def year(self) -> int: ...
    @property
    def quarter(self) -> int | None: ...


S = TypeVar("S", bound=_Stated)
C = TypeVar("C", bound=_Spent)


def stated_by(statements: Iterable[S], operator: str) -> tuple[S, ...]:
    """``operator``'s statements of its training compute, oldest first."""
    return tuple(sorted((s for s in statements if s.operator == operator), key=lambda s: s.date))


def yearly_capex_of(figures: Iterable[C], company: str) -> dict[int, C]:
    """``company``'s capex by year (whole-year figures)."""
    return {c.year: c for c in figures if c.company == company and c.quarter is None}


def quarterly_capex_of(figures: Iterable[C], company: str) -> dict[tuple[int, int], C]:
    """``company``'s capex by (year, quarter), where it reported quarters."""
    return {(c.year, c.quarter): c for c in figures
            if c.company == company and c.quarter is not None}


@dataclass(frozen=True)
class Milestone:
    """One schedule milestone, as :class:`~calc.data.peers.ScheduleMilestone` has it."""

    id: str
    site: str
    operator: str
    milestone: str
    announced: str
    announced_on: str
    status: str
    confidence: str
    delivered: str | None = None
    as_of: str | None = None
    revised: str | None = None


@dataclass(frozen=True)
class Statement:
    """An operator's statement of its training compute, H100-equivalents at a date, as
    :class:`~calc.data.peers.StatedCompute` has it."""

    operator: str
    date: str
    h100_equivalents: float
    source: str
    confidence: str
    bound: str | None = None


@dataclass(frozen=True)
class Capex:
    """A company's capex for a calendar year or one quarter of it, US dollars, as
    :class:`~calc.data.peers.CompanyCapex` has it."""

    company: str
    year: int
    usd_2025: float
    kind: str
    covers: str
    source: str
    quarter: int | None = None
    bound: str | None = None


@dataclass(frozen=True)
class PeerRecords:
    """The schedule record, the stated compute and how ``peers.yaml`` says to read them."""

    milestones: tuple[Milestone, ...]
    statements: tuple[Statement, ...]
    min_horizon_months: float
    prior_milestones: float
    min_step_months: float
    warn_factor: float
    capex: tuple[Capex, ...] = ()

    def stated(self, operator: str) -> tuple[Statement, ...]:
        """``operator``'s statements, oldest first."""
        return stated_by(self.statements, operator)

    def capex_of(self, company: str) -> dict[int, Capex]:
        """``company``'s capex by year (whole-year figures)."""
        return yearly_capex_of(self.capex, company)

    def quarterly_capex_of(self, company: str) -> dict[tuple[int, int], Capex]:
        """``company``'s capex by (year, quarter), where it reported quarters."""
        return quarterly_capex_of(self.capex, company)


def records_of(peers: Any) -> PeerRecords:
    """The records of a validated :class:`calc.data.peers.PeersFile` (a :class:`PeerRecords`
    is returned as it is). Typed loosely: :mod:`calc.data.peers` imports this module."""
    if isinstance(peers, PeerRecords):
        return peers
    return PeerRecords(
        milestones=tuple(
            Milestone(id=m.id, site=m.site, operator=m.operator, milestone=m.milestone,
                      announced=m.announced, announced_on=m.announced_on, status=m.status,
                      confidence=m.confidence, delivered=m.delivered, as_of=m.as_of,
                      revised=m.revised)
            for m in peers.schedules),
        statements=tuple(Statement(operator=s.operator, date=s.date,
                                   h100_equivalents=float(s.h100_equivalents), source=s.source,
                                   confidence=s.confidence, bound=s.bound)
                         for s in peers.stated_compute),
        capex=tuple(Capex(company=c.company, year=c.year, usd_2025=float(c.usd_2025),
                          kind=c.kind, covers=c.covers, source=c.source, quarter=c.quarter,
                          bound=c.bound)
                    for c in peers.company_capex),
        min_horizon_months=float(peers.slip_record.min_horizon_months.value),
        prior_milestones=float(peers.slip_record.prior_milestones.value),
        min_step_months=float(peers.pace.min_step_months.value),
        warn_factor=float(peers.pace.warn_factor.value))
