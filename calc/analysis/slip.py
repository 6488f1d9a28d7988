"""Schedule slip: how many months AI training sites delivered after the dates announced for them.

``peers.yaml`` records, under ``schedules:``, build-out milestones of the
sites in the peers list (Colossus, Stargate Abilene, Cortex, Fairwater,
Rainier, ...) with the month each promise fell due and the month it was met,
or, for a milestone still late, the date of the latest evidence that it was
(a right-censored observation). This module turns that record into a slip
per milestone and into capcalc's default schedule-slip distribution: a 90 %
interval of months of delay of an announced build-out phase, which a user can
switch on for the phases of a timeline.

Slips are counted in whole calendar months (the day of a date is ignored). A
site that delivered early has a negative slip and is kept as such in the
record and in ``low``/``value``/``high``; the delay applied to an announced
phase is :meth:`SlipDistribution.delays`, the same interval clipped at 0: an
early delivery counts as on time, since capcalc never moves a phase before
the date announced for it.

Pure functions on numpy; no I/O, no plotting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from calc.core.errors import CapcalcError
from calc.core.phases import Phase
from calc.data.peers import CONFIDENCE_ORDER, PeersFile, ScheduleMilestone, month_index

__all__ = [
    "PROBABILITIES",
    "SlipDistribution",
    "SlipRow",
    "default_slip",
    "kaplan_meier_weights",
    "slip_months",
    "slip_quantiles",
    "slip_table",
    "with_slip",
]

#: The probabilities of ``low``, ``value`` and ``high``: a 90 % interval around the median.
PROBABILITIES: tuple[float, float, float] = (0.05, 0.5, 0.95)

#: The one-line description of the method, carried by every distribution.
METHOD = ("Kaplan-Meier over milestone slips (a milestone still late counts as at least its "
          "lateness: its weight moves to the later slips, or stays at its bound when none is "
          "later); p5/p50/p95 by midpoint interpolation, rounded to whole months")


@dataclass(frozen=True)
class SlipDistribution:
    """A 90 % interval of schedule slip, in whole months after the announced date.

    ``value`` is the median (p50), ``low`` the 5th and ``high`` the 95th
    percentile. ``low`` is negative when sites delivered early;
    :meth:`delays` clips the interval at 0 for use as a delay. ``n`` counts
    the milestones used, ``censored`` those still not delivered among them,
    and ``sources`` names them by id.
    """

    value: int
    low: int
    high: int
    n: int
    censored: int
    sources: tuple[str, ...]
    method: str = METHOD

    def delays(self) -> SlipDistribution:
        """The same interval as a delay: early deliveries clipped to 0 months (on time).

        >>> SlipDistribution(value=1, low=-12, high=6, n=9, censored=3, sources=()).delays().low
        0
        """
        return replace(self, value=max(self.value, 0), low=max(self.low, 0),
                       high=max(self.high, 0))

    def as_dict(self) -> dict[str, Any]:
        """The distribution as plain data (for JSON and tables)."""
        return {"value": self.value, "low": self.low, "high": self.high, "unit": "months",
                "n": self.n, "censored": self.censored, "sources": list(self.sources),
                "method": self.method}


@dataclass(frozen=True)
class SlipRow:
    """One milestone for display: its dates and its slip in months."""

    id: str
    site: str
    milestone: str
    announced: str
    delivered: str | None
    as_of: str | None
    slip_months: float
    censored: bool
    confidence: str

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data; ``delivered_or_as_of`` is the date the slip is counted to."""
        return {"id": self.id, "site": self.site, "milestone": self.milestone,
                "announced": self.announced, "delivered_or_as_of": self.delivered or self.as_of,
                "slip_months": self.slip_months, "censored": self.censored,
                "confidence": self.confidence}


def slip_months(milestone: ScheduleMilestone) -> float:
    """Months from the announced due month to delivery, or the least slip of a late milestone.

    A delivered milestone's slip is ``delivered - announced`` in whole calendar
    months (negative when early). A milestone not delivered is censored: its
    slip is at least ``as_of - announced``, or ``revised - announced`` when a
    later due date has been published and is larger.

    >>> from calc.data.peers import ScheduleMilestone
    >>> late = ScheduleMilestone(id="x", site="s", operator="o", milestone="m",
    ...     announced="2024-10", announced_as="by the end of this month",
    ...     announced_on="2024-10-23", announced_in="call", status="delivered",
    ...     delivered="2024-12", source="https://a.example", confidence="secondary")
    >>> slip_months(late)
    2.0
    >>> still_late = late.model_copy(update={"status": "not_delivered", "delivered": None,
    ...                                      "as_of": "2025-03", "revised": "2025-06"})
    >>> slip_months(still_late)
    8.0
    """
    due = month_index(milestone.announced)
    if milestone.status == "delivered":
        assert milestone.delivered is not None  # the model guarantees it
        return float(month_index(milestone.delivered) - due)
    assert milestone.as_of is not None  # the model guarantees it
    least = month_index(milestone.as_of) - due
    if milestone.revised is not None:
        least = max(least, month_index(milestone.revised) - due)
    return float(least)


def kaplan_meier_weights(slips: Sequence[float] | np.ndarray,
                         censored: Sequence[bool] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan-Meier distribution of slips, months, as sorted values and their weights.

    Efron's "redistribute to the right" form of the product-limit estimator:
    every milestone starts with weight 1/n; taken in increasing order of slip
    (a delivered milestone before a censored one of the same slip), a
    milestone still late at L months will be delivered later than L, so its
    weight passes in equal shares to the milestones after it. The last one,
    if still late, keeps its weight at its bound: an "at least" value, the
    most the record can say. The weights sum to 1; a censored milestone
    never moves weight to a smaller slip, so adding one never lowers any
    quantile.

    >>> x, w = kaplan_meier_weights([0, 2, 4, 6], [False, False, True, False])
    >>> x.tolist(), w.round(3).tolist()
    ([0.0, 2.0, 6.0], [0.25, 0.25, 0.5])
    """
    values = np.asarray(slips, dtype=float)
    late = np.asarray(censored, dtype=bool)
    if values.ndim != 1 or values.shape != late.shape or values.size == 0:
        raise ValueError("slips and censored must be two non-empty lists of one length")
    order = np.lexsort((late, values))
    values, late = values[order], late[order]
    n = values.size
    weights = np.full(n, 1.0 / n)
    for i in range(n):
        rest = n - i - 1
        if late[i] and rest:
            weights[i + 1:] += weights[i] / rest
            weights[i] = 0.0
    keep = weights > 0
    return values[keep], weights[keep]


def slip_quantiles(slips: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray,
                   probabilities: Sequence[float] = PROBABILITIES) -> np.ndarray:
    """Quantiles of the Kaplan-Meier slip distribution, months (not rounded).

    Each value sits at the middle of its weight on the cumulative scale and
    the quantile function interpolates linearly between them (Hazen's
    plotting positions; beyond the first and last it is the smallest and
    largest value). Without censoring the median is the sample median.

    >>> slip_quantiles([0, 1, 2, 7], [False] * 4, [0.5]).tolist()
    [1.5]
    >>> slip_quantiles([0, 1, 2, 7], [False, False, False, True], [0.5, 0.95]).tolist()
    [1.5, 7.0]
    """
    values, weights = kaplan_meier_weights(slips, censored)
    middles = np.cumsum(weights) - weights / 2
    return np.interp(np.asarray(probabilities, dtype=float), middles, values)


def _whole(months: float) -> int:
    """Round half up to whole months (monotone, so rounding keeps the order of quantiles)."""
    return int(np.floor(months + 0.5))


def _used(peers: PeersFile, weakest: str) -> tuple[ScheduleMilestone, ...]:
    if weakest not in CONFIDENCE_ORDER:
        raise CapcalcError(f"{weakest!r} is not a confidence level (one of "
                           f"{', '.join(CONFIDENCE_ORDER)})", key="weakest")
    limit = CONFIDENCE_ORDER.index(weakest)
    return tuple(m for m in peers.schedules if CONFIDENCE_ORDER.index(m.confidence) <= limit)


def default_slip(peers: PeersFile, *, weakest: str = "secondary") -> SlipDistribution:
    """capcalc's default schedule slip: p5/p50/p95 of the recorded milestones, whole months.

    Uses every milestone of ``peers.schedules`` whose confidence is
    ``weakest`` or stronger (by default confirmed and secondary; the
    unconfirmed ones are recorded but left out). Delivered milestones are
    exact observations; the not delivered ones are right-censored at their
    least slip and enter by Kaplan-Meier (:func:`kaplan_meier_weights`), so a
    milestone still late can only raise the interval. The quantiles are
    those of :func:`slip_quantiles`, rounded half up to whole months.

    Raises
    ------
    CapcalcError
        When no milestone is recorded at that confidence.
    """
    used = _used(peers, weakest)
    if not used:
        raise CapcalcError(f"no schedule milestone at confidence {weakest} or stronger; add "
                           "some under schedules: in peers.yaml", key="schedules")
    slips = [slip_months(m) for m in used]
    late = [m.status == "not_delivered" for m in used]
    low, value, high = (_whole(q) for q in slip_quantiles(slips, late, PROBABILITIES))
    return SlipDistribution(value=value, low=low, high=high, n=len(used), censored=sum(late),
                            sources=tuple(m.id for m in used))


def slip_table(peers: PeersFile) -> tuple[SlipRow, ...]:
    """Every recorded milestone with its slip, in file order, for display."""
    return tuple(
        SlipRow(id=m.id, site=m.site, milestone=m.milestone, announced=m.announced,
                delivered=m.delivered, as_of=m.as_of, slip_months=slip_months(m),
                censored=m.status == "not_delivered", confidence=m.confidence)
        for m in peers.schedules)


def with_slip(phases: Sequence[Phase], slip: SlipDistribution) -> tuple[Phase, ...]:
    """``phases`` with ``slip`` added to every announced phase that has no slip range of its own.

    A delivered phase keeps its dates, and a phase with its own
    ``delay_months`` range keeps that range; an announced phase's fixed delay
    (if any) is added to the slip's median and ends. The slip is clipped at 0
    first (:meth:`SlipDistribution.delays`): an early delivery counts as on time.

    >>> from calc.core.phases import Phase
    >>> slip = SlipDistribution(value=1, low=-12, high=6, n=9, censored=3, sources=())
    >>> [(p.delay_months, p.delay_low, p.delay_high) for p in with_slip(
    ...     [Phase("built", "2024-10", 100, status="delivered"),
    ...      Phase("planned", "2026-07", 500, delay_months=2)], slip)]
    [(0, None, None), (3, 2, 8)]
    """
    delays = slip.delays()
    return tuple(
        replace(p, delay_months=p.delay_months + delays.value,
                delay_low=p.delay_months + delays.low, delay_high=p.delay_months + delays.high)
        if p.status == "announced" and p.delay_low is None else p
        for p in phases)
