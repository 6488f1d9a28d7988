"""Schedule slip: how many months AI training sites delivered after the dates announced for them.

``peers.yaml`` records, under ``schedules:``, build-out milestones of the
sites in the peers list (Colossus, Stargate Abilene, Cortex, Fairwater,
Rainier, ...) with the month each promise fell due and the month it was met,
or, for a milestone still late, the date of the latest evidence that it was
(a right-censored observation). This module turns that record into a slip
per milestone and into the schedule-slip distribution of an announced
build-out phase: a 90 % interval of months of delay, which the sampled
timeline applies by default.

The slip of an operator's phase is fitted on that operator's own record,
shrunk toward the other operators': a mixture of the two Kaplan-Meier
distributions, the operator's weighted n / (n + k) for its n milestones and
``slip_record.prior_milestones`` = k in ``peers.yaml``. A promise made less
than ``slip_record.min_horizon_months`` before it fell due ("by the end of
this month", "now operational") is kept in the record but not fitted: it is a
claim of work nearly done, not a schedule. The pooled record of every
operator is ``--slip peers``.

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
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from calc.core.errors import CapcalcError, suggest
from calc.core.phases import Phase
from calc.core.vocabulary import PHASE_DOMAINS
from calc.data.records import CONFIDENCE_ORDER, Milestone, PeerRecords, month_index, records_of

if TYPE_CHECKING:
    from calc.data.peers import PeersFile

__all__ = [
    "NO_SLIP",
    "POOLED",
    "PROBABILITIES",
    "SlipDistribution",
    "SlipRow",
    "default_slip",
    "horizon_months",
    "kaplan_meier_weights",
    "mixture_quantiles",
    "record_names",
    "slip_months",
    "slip_quantiles",
    "slip_table",
    "with_slip",
]

#: ``--slip`` value for every operator's milestones pooled.
POOLED = "peers"
#: ``--slip`` value that turns the slip off.
NO_SLIP = "none"

#: The probabilities of ``low``, ``value`` and ``high``: a 90 % interval around the median.
PROBABILITIES: tuple[float, float, float] = (0.05, 0.5, 0.95)

#: The one-line description of the method, carried by every distribution.
METHOD = ("Kaplan-Meier over milestone slips (a milestone still late counts as at least its "
          "lateness: its weight moves to the later slips, or stays at its bound when none is "
          "later); an operator's own record mixed with the others' by weight n / (n + k); "
          "p5/p50/p95 by midpoint interpolation, rounded to whole months")


class Dated(Protocol):
    """A schedule milestone's dates, as :class:`calc.data.records.Milestone` and
    :class:`calc.data.peers.ScheduleMilestone` both hold them."""

    @property
    def announced(self) -> str: ...
    @property
    def announced_on(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def delivered(self) -> str | None: ...
    @property
    def as_of(self) -> str | None: ...
    @property
    def revised(self) -> str | None: ...


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
    record: str = POOLED
    own: int = 0
    weight: float = 0.0
    short: int = 0

    @property
    def described(self) -> str:
        """Which record the slip comes from, in words.

        >>> SlipDistribution(7, 0, 16, 8, 4, (), record="Tesla", own=3, weight=0.5).described
        "Tesla's record (3 milestones, weighted 50 %) shrunk toward 5 of other operators"
        >>> SlipDistribution(4, 0, 16, 8, 4, ()).described
        "the peers' pooled record (8 milestones)"
        """
        if self.record == POOLED:
            return f"the peers' pooled record ({self.n} milestones)"
        others = self.n - self.own
        if not self.own:
            return (f"the other operators' record ({others} milestones; {self.record} has none "
                    "of its own)")
        return (f"{self.record}'s record ({self.own} milestone{'s' if self.own != 1 else ''}, "
                f"weighted {self.weight * 100:.0f} %) shrunk toward {others} of other operators")

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
                "method": self.method, "record": self.record, "own_milestones": self.own,
                "own_weight": self.weight, "short_horizon_left_out": self.short,
                "described": self.described}


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
    operator: str = ""
    horizon_months: int = 0
    fitted: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data; ``delivered_or_as_of`` is the date the slip is counted to."""
        return {"id": self.id, "site": self.site, "operator": self.operator,
                "milestone": self.milestone, "announced": self.announced,
                "delivered_or_as_of": self.delivered or self.as_of,
                "slip_months": self.slip_months, "censored": self.censored,
                "confidence": self.confidence, "horizon_months": self.horizon_months,
                "fitted": self.fitted}


def slip_months(milestone: Dated) -> float:
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


def horizon_months(milestone: Dated) -> int:
    """Months from the day a promise was made to the month it fell due (its horizon).

    >>> from calc.data.peers import ScheduleMilestone
    >>> m = ScheduleMilestone(id="x", site="s", operator="o", milestone="m",
    ...     announced="2025-12", announced_as="over the next 18 months",
    ...     announced_on="2024-06-20", announced_in="post", status="delivered",
    ...     delivered="2026-06", source="https://a.example", confidence="secondary")
    >>> horizon_months(m)
    18
    """
    return month_index(milestone.announced) - month_index(_month_of(milestone.announced_on))


def _month_of(date: str) -> str:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date as a month (a bare year: its January)."""
    return date if len(date.split("-")) > 1 else f"{date}-01"


def mixture_quantiles(parts: Sequence[tuple[np.ndarray, np.ndarray, float]],
                      probabilities: Sequence[float] = PROBABILITIES) -> np.ndarray:
    """Quantiles of a mixture of discrete distributions, by midpoint interpolation.

    Each part is ``(values, weights, share)``: the weights sum to 1 within a part, and
    the shares of the parts to 1; values are pooled with weight ``weight x share``
    and read as :func:`slip_quantiles` reads one distribution.

    >>> a = (np.array([0.0, 2.0]), np.array([0.5, 0.5]), 0.5)
    >>> b = (np.array([10.0]), np.array([1.0]), 0.5)
    >>> round(float(mixture_quantiles([a, b], [0.5])[0]), 3)  # 2 + (0.125 / 0.375) x 8
    4.667
    """
    values = np.concatenate([v for v, _, share in parts if share > 0])
    weights = np.concatenate([w * share for _, w, share in parts if share > 0])
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    middles = np.cumsum(weights) - weights / 2
    return np.interp(np.asarray(probabilities, dtype=float), middles, values)


def _whole(months: float) -> int:
    """Round half up to whole months (monotone, so rounding keeps the order of quantiles)."""
    return int(np.floor(months + 0.5))


def _confident(peers: PeerRecords, weakest: str) -> tuple[Milestone, ...]:
    if weakest not in CONFIDENCE_ORDER:
        raise CapcalcError(f"{weakest!r} is not a confidence level (one of "
                           f"{', '.join(CONFIDENCE_ORDER)})", key="weakest")
    limit = CONFIDENCE_ORDER.index(weakest)
    return tuple(m for m in peers.milestones if CONFIDENCE_ORDER.index(m.confidence) <= limit)


def _fitted(peers: PeerRecords, milestone: Dated) -> bool:
    """Whether a milestone was promised far enough ahead to count in a fitted slip."""
    return horizon_months(milestone) >= peers.min_horizon_months


def record_names(peers: PeersFile | PeerRecords) -> tuple[str, ...]:
    """What ``--slip`` takes: every operator in the record, ``peers`` and ``none``."""
    operators = dict.fromkeys(m.operator for m in records_of(peers).milestones)
    return (*operators, POOLED, NO_SLIP)


def _operator(peers: PeerRecords, record: str) -> str:
    """The operator named ``record`` (any case), or a CapcalcError listing the choices."""
    for name in dict.fromkeys(m.operator for m in peers.milestones):
        if name.lower() == record.strip().lower():
            return name
    choices = record_names(peers)
    raise CapcalcError(f"no schedule record of {record!r}: choose an operator of peers.yaml's "
                       f"schedules, {POOLED} (every operator pooled) or {NO_SLIP} ("
                       + ", ".join(repr(c) for c in choices) + ")" + suggest(record, choices),
                       key="slip")


def _km(milestones: Sequence[Dated]) -> tuple[np.ndarray, np.ndarray]:
    return kaplan_meier_weights([slip_months(m) for m in milestones],
                                [m.status == "not_delivered" for m in milestones])


def default_slip(peers: PeersFile | PeerRecords, record: str | None = None, *,
                 weakest: str = "secondary", operator: str | None = None) -> SlipDistribution:
    """The schedule slip of an announced phase: p5/p50/p95 of a record, whole months.

    Uses every milestone of ``peers.schedules`` whose confidence is ``weakest`` or
    stronger (by default confirmed and secondary) and that was promised at least
    ``slip_record.min_horizon_months`` ahead. Delivered milestones are exact
    observations; the not delivered ones are right-censored at their least slip
    and enter by Kaplan-Meier (:func:`kaplan_meier_weights`), so a milestone still
    late can only raise the interval.

    ``record`` names whose record: an operator (default ``operator``, the story's operator
    in focus, :attr:`calc.data.story.Story.operator`) — its own milestones mixed with the other
    operators' by weight n / (n + k), k = ``slip_record.prior_milestones`` — or
    :data:`POOLED` for every operator's milestones as one record.

    Raises
    ------
    CapcalcError
        When no milestone qualifies, the record names no operator, or the fitted
        slip lies beyond the longest delay a phase may take (a record of dates that
        cannot be meant: refused rather than sampled as something else).
    """
    peers = records_of(peers)
    used = tuple(m for m in _confident(peers, weakest) if _fitted(peers, m))
    short = sum(1 for m in _confident(peers, weakest) if not _fitted(peers, m))
    if not used:
        raise CapcalcError(f"no schedule milestone at confidence {weakest} or stronger, "
                           f"promised at least {peers.min_horizon_months:g} months ahead; add "
                           "some under schedules: in peers.yaml", key="schedules")
    name = record if record is not None else (operator or POOLED)
    if name.strip().lower() == POOLED:
        values, weights = _km(used)
        quantiles = mixture_quantiles([(values, weights, 1.0)])
        own_count, weight, label = 0, 0.0, POOLED
    else:
        # the operator in focus with no milestone of its own takes the others'; a named record
        # must exist
        label = name if record is None and name not in {m.operator for m in peers.milestones} \
            else _operator(peers, name)
        own = [m for m in used if m.operator == label]
        others = [m for m in used if m.operator != label]
        k = peers.prior_milestones
        weight = len(own) / (len(own) + k) if others else 1.0
        parts = [(*_km(own), weight)] if own else []
        if others:
            parts.append((*_km(others), 1.0 - weight if own else 1.0))
        quantiles = mixture_quantiles(parts)
        own_count = len(own)
        weight = weight if own else 0.0
    low, value, high = (_whole(q) for q in quantiles)
    longest = int(PHASE_DOMAINS["delay_months"][1])
    if high > longest:
        raise CapcalcError(
            f"the schedule record gives a slip of up to {high:,} months (95th percentile), "
            f"beyond the {longest} months a phase's delay may take; check the dates of "
            "schedules: in peers.yaml (a promise due, met or still late decades apart), or "
            f"run with --slip {NO_SLIP}", key="schedules")
    return SlipDistribution(value=value, low=low, high=high, n=len(used),
                            censored=sum(m.status == "not_delivered" for m in used),
                            sources=tuple(m.id for m in used), record=label, own=own_count,
                            weight=weight, short=short)


def slip_table(peers: PeersFile | PeerRecords) -> tuple[SlipRow, ...]:
    """Every recorded milestone with its slip and horizon, in file order, for display."""
    peers = records_of(peers)
    return tuple(
        SlipRow(id=m.id, site=m.site, milestone=m.milestone, announced=m.announced,
                delivered=m.delivered, as_of=m.as_of, slip_months=slip_months(m),
                censored=m.status == "not_delivered", confidence=m.confidence,
                operator=m.operator, horizon_months=horizon_months(m),
                fitted=_fitted(peers, m))
        for m in peers.milestones)


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
