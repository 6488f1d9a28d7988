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
``tests/test_discover.py`` checks this implementation on the same data. The
work shrinks with the box (each step looks only at the futures still in it),
so a trajectory over 10⁵ futures takes a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Box", "box_quantile", "peeling_trajectory", "select_box"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


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
    n = data.size
    position = (n - 1) * q
    lo, hi = int(np.floor(position)), int(np.ceil(position))
    part = np.partition(data, sorted({lo, hi}))
    a, b = float(part[lo]), float(part[hi])
    if a != b:
        return (a + b) / 2
    if q > 0.5:
        below = data[data < b]
        return (float(below.max()) + b) / 2 if below.size else b
    above = data[data > a]
    return (a + float(above.min())) / 2 if above.size else a


def _restricted(limits: Mapping[str, tuple[float, float]],
                initial: Mapping[str, tuple[float, float]],
                categories: Mapping[str, frozenset[str]],
                all_categories: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    numeric = [k for k, v in limits.items() if v != initial[k]]
    named = [k for k, v in categories.items() if v != all_categories[k]]
    return tuple(numeric + named)


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
    categorical = dict(categorical or {})
    assert outcome is not None
    y_all = np.asarray(outcome, dtype=float)
    n_all = y_all.size
    total = float(y_all.sum())
    names = [*numeric, *categorical]
    if n_all == 0 or total == 0 or not names:
        return []
    x = {k: np.asarray(v, dtype=float) for k, v in numeric.items()}
    c = {k: np.asarray(v).astype(str) for k, v in categorical.items()}
    initial = {k: (float(v.min()), float(v.max())) for k, v in x.items()}
    all_categories = {k: frozenset(v.tolist()) for k, v in c.items()}
    limits, categories = dict(initial), dict(all_categories)
    y = y_all

    def box_of(lim: Mapping[str, tuple[float, float]], cats: Mapping[str, frozenset[str]],
               y_in: FloatArray) -> Box:
        return Box(dict(lim), dict(cats), coverage=float(y_in.sum()) / total,
                   density=float(y_in.mean()), mass=y_in.size / n_all,
                   restricted=_restricted(lim, initial, cats, all_categories))

    trajectory = [box_of(limits, categories, y)]
    while True:
        n_box, mean_old = y.size, float(y.mean())
        best: tuple[float, int, BoolArray, dict[str, tuple[float, float]],
                    dict[str, frozenset[str]]] | None = None
        candidates: list[tuple[BoolArray, dict[str, tuple[float, float]],
                               dict[str, frozenset[str]]]] = []
        for key, values in x.items():
            for q, side in ((1 - alpha, 1), (alpha, 0)):
                bound = box_quantile(values, q)
                keep = values <= bound if side else values >= bound
                new = dict(limits)
                new[key] = (limits[key][0], bound) if side else (bound, limits[key][1])
                candidates.append((keep, new, categories))
        for key, values in c.items():
            if len(categories[key]) > 1:
                for name in sorted(categories[key]):
                    new_cats = dict(categories)
                    new_cats[key] = categories[key] - {name}
                    candidates.append((values != name, limits, new_cats))
        for keep, new_limits, new_cats in candidates:
            n_new = int(keep.sum())
            if n_new == n_box:
                objective = 0.0
            else:
                mean_new = float(y[keep].mean()) if n_new else 0.0
                objective = (mean_new - mean_old) / (n_box - n_new)
            free = len(names) - len(_restricted(new_limits, initial, new_cats, all_categories))
            if best is None or (objective, free) > (best[0], best[1]):
                best = (objective, free, keep, new_limits, new_cats)
        if best is None:
            break
        objective, _, keep, new_limits, new_cats = best
        n_new = int(keep.sum())
        if not (n_new / n_all >= mass_min and n_new < n_box and objective > 0):
            break
        x = {k: v[keep] for k, v in x.items()}
        c = {k: v[keep] for k, v in c.items()}
        y = y[keep]
        limits, categories = new_limits, new_cats
        trajectory.append(box_of(limits, categories, y))
    return trajectory


def select_box(trajectory: Sequence[Box], density: float) -> Box | None:
    """The box of highest coverage whose density is at least ``density`` (None if none is)."""
    dense = [b for b in trajectory if b.density >= density]
    return max(dense, key=lambda b: (b.coverage, -len(b.restricted))) if dense else None
