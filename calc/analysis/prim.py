"""PRIM: the Patient Rule Induction Method, boxes of inputs where an outcome is likely.

Friedman and Fisher's bump hunting (1999), as scenario discovery uses it
(Bryant and Lempert 2010; the sdtoolkit R package, EMA Workbench's
``analysis/prim.py``, and the standalone ``prim`` package derived from it):
starting from the box holding every future, repeatedly peel off the share
``alpha`` of the box along one input — the lowest or highest values of a
number, or one category of a name — choosing the peel that raises the mean
outcome most per future removed (the ``lenient1`` objective; ties go to the
peel restricting fewer inputs), until no peel helps or the box would hold
less than ``mass_min`` of the futures. Each step of this *peeling
trajectory* is a box with its

* **coverage**: the share of all futures of interest that lie in the box, and
* **density**: the share of the futures in the box that are of interest.

The outcome may be a fraction per point (the share of a point's Monte Carlo
samples that reach a target): each point then stands for its samples, and
coverage and density count them. The quantile rule, the objective and the
tie-breaking are those of the ``prim`` package, against which
``tests/analysis/test_discover.py`` checks this implementation on the same data.

Each input is sorted once (:class:`Peeler`) and every box keeps its futures
in each input's order, so a peel's bound is read off that order and the
futures it removes are a run at one end: a step costs a pass over the box,
and a ladder of deadlines shares the sorting. A trajectory over 10⁵ futures
takes a few hundredths of a second.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Box", "Peeler", "box_quantile", "peeling_trajectory", "select_box"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Box:
    """One box of a peeling trajectory: its limits and how well it captures the outcome.

    ``limits`` maps each numeric input to its ``(low, high)`` (inclusive);
    ``categories`` each categorical input to the names it keeps. ``restricted``
    lists the inputs whose limits are narrower than the data's.
    """

    limits: Mapping[str, tuple[float, float]]
    categories: Mapping[str, frozenset[str]]
    coverage: float
    density: float
    mass: float
    restricted: tuple[str, ...]

    def contains(self, numeric: Mapping[str, FloatArray],
                 categorical: Mapping[str, npt.NDArray[np.str_]]) -> BoolArray:
        """Which of the futures given lie in the box."""
        n = len(next(iter({**numeric, **categorical}.values())))
        inside = np.ones(n, dtype=bool)
        for key, (low, high) in self.limits.items():
            inside &= (numeric[key] >= low) & (numeric[key] <= high)
        for key, kept in self.categories.items():
            inside &= np.isin(categorical[key], list(kept))
        return inside


def box_quantile(data: FloatArray, q: float) -> float:
    """The ``q`` quantile of ``data`` as PRIM peels it: between two distinct values.

    The position ``(n - 1) q``; where the values around it are equal, the
    bound moves to the next distinct value (down for an upper peel, ``q > 0.5``,
    up for a lower one), and the midpoint of the two is returned, so a peel
    never cuts through a run of equal values.

    >>> box_quantile(np.arange(11.0), 0.05), box_quantile(np.arange(11.0), 0.95)
    (0.5, 9.5)
    >>> box_quantile(np.array([1.0, 1.0, 1.0, 2.0]), 0.05)
    1.5
    """
    return _sorted_quantile(np.sort(np.asarray(data, dtype=float)), q)


def _sorted_quantile(ordered: FloatArray, q: float) -> float:
    """:func:`box_quantile` of values already in ascending order."""
    n = ordered.size
    position = (n - 1) * q
    lo, hi = math.floor(position), math.ceil(position)
    a, b = float(ordered[lo]), float(ordered[hi])
    if a != b:
        return (a + b) / 2
    if q > 0.5:
        below = int(np.searchsorted(ordered, b, side="left")) - 1  # the largest value < b
        return (float(ordered[below]) + b) / 2 if below >= 0 else b
    above = int(np.searchsorted(ordered, a, side="right"))  # the smallest value > a
    return (a + float(ordered[above])) / 2 if above < n else a


def _restricted(limits: Mapping[str, tuple[float, float]],
                initial: Mapping[str, tuple[float, float]],
                categories: Mapping[str, frozenset[str]],
                all_categories: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    numeric = [k for k, v in limits.items() if v != initial[k]]
    named = [k for k, v in categories.items() if v != all_categories[k]]
    return tuple(numeric + named)


@dataclass(frozen=True)
class _Peel:
    """One candidate peel: the futures it removes (indices), and the box it leaves."""

    removed: IntArray
    limits: dict[str, tuple[float, float]]
    categories: dict[str, frozenset[str]]


class Peeler:
    """PRIM over one set of futures, for any number of outcomes.

    Each numeric input is sorted once, here; a box keeps, per input, its futures
    in that order, so a peel's bound is read off the order and the futures it
    removes are a run at one end. Every outcome (each deadline of a ladder)
    peels from these orders.

    Parameters
    ----------
    numeric : mapping of str to ndarray
        Numeric inputs, one value per future.
    categorical : mapping of str to ndarray of str, optional
        Categorical inputs (chips), one name per future.
    """

    def __init__(self, numeric: Mapping[str, FloatArray],
                 categorical: Mapping[str, npt.NDArray[np.str_]] | None = None) -> None:
        self.x = {k: np.asarray(v, dtype=float) for k, v in numeric.items()}
        self.c = {k: np.asarray(v).astype(str) for k, v in (categorical or {}).items()}
        self.names = [*self.x, *self.c]
        self.order = {k: np.argsort(v, kind="stable") for k, v in self.x.items()}
        self.initial = {k: (float(v.min()), float(v.max())) for k, v in self.x.items()
                        if v.size}
        self.all_categories = {k: frozenset(v.tolist()) for k, v in self.c.items()}

    def _peels(self, order: Mapping[str, IntArray], ordered: Mapping[str, FloatArray],
               inside: BoolArray, limits: Mapping[str, tuple[float, float]],
               categories: Mapping[str, frozenset[str]], alpha: float) -> list[_Peel]:
        """Every peel of the box, in PRIM's order: each input's top then bottom share
        ``alpha``, then each category of a name (one at a time)."""
        peels = []
        for key, values in ordered.items():
            for q, top in ((1 - alpha, True), (alpha, False)):
                bound = _sorted_quantile(values, q)
                if top:  # keep the values ≤ bound: the run above it goes
                    cut = int(np.searchsorted(values, bound, side="right"))
                    removed, kept = order[key][cut:], (limits[key][0], bound)
                else:
                    cut = int(np.searchsorted(values, bound, side="left"))
                    removed, kept = order[key][:cut], (bound, limits[key][1])
                peels.append(_Peel(removed, {**limits, key: kept}, dict(categories)))
        if self.c:
            inbox = np.flatnonzero(inside)
            for key, names in self.c.items():
                if len(categories[key]) > 1:
                    for name in sorted(categories[key]):
                        peels.append(_Peel(inbox[names[inbox] == name], dict(limits),
                                           {**categories, key: categories[key] - {name}}))
        return peels

    def trajectory(self, outcome: FloatArray, *, alpha: float = 0.05,
                   mass_min: float = 0.05) -> list[Box]:
        """Every box PRIM's peeling passes through for ``outcome``, from the box of all
        futures (see :func:`peeling_trajectory`)."""
        y = np.asarray(outcome, dtype=float)
        n_all = y.size
        total = float(y.sum())
        if n_all == 0 or total == 0 or not self.names:
            return []
        initial, all_categories = self.initial, self.all_categories
        limits, categories = dict(initial), dict(all_categories)
        inside = np.ones(n_all, dtype=bool)
        order = dict(self.order)
        ordered = {k: self.x[k][v] for k, v in order.items()}

        def box_of(y_in: FloatArray) -> Box:
            return Box(dict(limits), dict(categories), coverage=float(y_in.sum()) / total,
                       density=float(y_in.mean()), mass=y_in.size / n_all,
                       restricted=_restricted(limits, initial, categories, all_categories))

        y_in = y
        trajectory = [box_of(y_in)]
        while True:
            n_box, sum_box = y_in.size, float(y_in.sum())
            mean_old = sum_box / n_box
            best: tuple[float, int, _Peel] | None = None
            for peel in self._peels(order, ordered, inside, limits, categories, alpha):
                n_new = n_box - peel.removed.size
                if n_new == n_box:
                    objective = 0.0
                else:
                    # the removed futures summed in index order: one set, one sum
                    gone = float(y[np.sort(peel.removed)].sum())
                    mean_new = (sum_box - gone) / n_new if n_new else 0.0
                    objective = (mean_new - mean_old) / (n_box - n_new)
                free = len(self.names) - len(_restricted(peel.limits, initial,
                                                         peel.categories, all_categories))
                if best is None or (objective, free) > (best[0], best[1]):
                    best = (objective, free, peel)
            if best is None:
                break
            objective, _, peel = best
            n_new = n_box - peel.removed.size
            if not (n_new / n_all >= mass_min and n_new < n_box and objective > 0):
                break
            inside[peel.removed] = False
            for key, rows in order.items():
                keep = inside[rows]
                order[key], ordered[key] = rows[keep], ordered[key][keep]
            limits, categories = peel.limits, peel.categories
            y_in = y[inside]
            trajectory.append(box_of(y_in))
        return trajectory


def peeling_trajectory(numeric: Mapping[str, FloatArray],
                       categorical: Mapping[str, npt.NDArray[np.str_]] | None = None,
                       outcome: FloatArray | None = None, *, alpha: float = 0.05,
                       mass_min: float = 0.05) -> list[Box]:
    """Every box PRIM's peeling passes through, from the box holding all futures.

    Parameters
    ----------
    numeric : mapping of str to ndarray
        Numeric inputs, one value per future.
    categorical : mapping of str to ndarray of str, optional
        Categorical inputs (chips), one name per future.
    outcome : ndarray
        1 for a future of interest, 0 otherwise, or a fraction (the share of a
        point's samples that are of interest).
    alpha : float
        Share of the box each peel removes.
    mass_min : float
        Smallest share of all futures a box may hold.

    Returns
    -------
    list of Box
        The trajectory, coverage falling and density (mostly) rising along it.
    """
    assert outcome is not None
    return Peeler(numeric, categorical).trajectory(outcome, alpha=alpha, mass_min=mass_min)


def select_box(trajectory: Sequence[Box], density: float) -> Box | None:
    """The box of highest coverage whose density is at least ``density`` (None if none is)."""
    dense = [b for b in trajectory if b.density >= density]
    return max(dense, key=lambda b: (b.coverage, -len(b.restricted))) if dense else None
