"""Quantiles of every row of a sweep block's samples, exact and without a full sort.

:func:`row_quantiles` gives, for each row, the quantiles ``numpy.quantile``
gives with its default (``linear``) method — the same order statistics, the
same interpolation, bit for bit — from one single-index partition per
quantile (numpy's vectorised select) and the minimum of what lies above it.
``numpy.quantile`` partitions around four indices at once, which takes about
six times longer. Where a neighbouring order statistic is infinite (a target
out of reach needs infinite power), the quantile is its limit — the infinite
value, or the finite one when no interpolation is needed — not numpy's NaN
from ``inf − inf``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["row_quantiles"]

FloatArray = npt.NDArray[np.float64]


def _lerp(a: FloatArray, b: FloatArray, t: float) -> FloatArray:
    """numpy's interpolation between order statistics ``a ≤ b`` at weight ``t``.

    From the lower one below ``t = 0.5`` and from the upper one above, so that
    equal neighbours give themselves; infinite neighbours give their limit.
    """
    with np.errstate(invalid="ignore"):
        diff = b - a
        out = b - diff * (1 - t) if t >= 0.5 else a + diff * t
        lost = np.isnan(out) & ~(np.isnan(a) | np.isnan(b))
    if lost.any():  # ∞ − ∞ on the way: no interpolation, or the infinite end
        exact = lost & ((a == b) | (t == 0))
        out[exact] = a[exact]
        rest = lost & ~exact
        out[rest] = np.where(np.isinf(b[rest]), b[rest], a[rest])
    return out


def row_quantiles(rows: FloatArray, quantiles: Sequence[float]) -> FloatArray:
    """The ``quantiles`` of each row of ``rows``, ``(len(quantiles), len(rows))``.

    ``rows`` is reordered within each row (partitioned) in place. A row holding
    a NaN gives NaN, as ``numpy.quantile`` does.

    Examples
    --------
    >>> x = np.array([[4.0, 1.0, 3.0, 2.0], [10.0, 40.0, 20.0, 30.0]])
    >>> row_quantiles(x.copy(), [0.5, 0.25]).tolist()
    [[2.5, 25.0], [1.75, 17.5]]
    >>> bool(np.array_equal(row_quantiles(x.copy(), [0.5, 0.25]),
    ...                     np.quantile(x, [0.5, 0.25], axis=1)))
    True
    >>> row_quantiles(np.array([[1.0, np.inf, np.inf]]), [0.5, 0.75]).tolist()
    [[inf], [inf]]
    """
    count, n = rows.shape
    out = np.empty((len(quantiles), count))
    if count == 0:
        return out
    has_nan: npt.NDArray[np.bool_] | None = None
    start = 0  # everything left of ``start`` is at most the order statistics taken so far
    for i in sorted(range(len(quantiles)), key=lambda j: quantiles[j]):
        virtual = (n - 1) * float(quantiles[i])  # numpy's virtual index (linear method)
        if virtual >= n - 1:
            lower = upper = n - 1
            weight = virtual + 1  # numpy measures it from index -1 here; a = b anyway
        else:
            lower = math.floor(virtual)
            upper = lower + 1
            weight = virtual - lower
        if lower >= start:
            rows[:, start:].partition(lower - start, axis=1)
        a = rows[:, lower]
        b = a if upper == lower else rows[:, upper:].min(axis=1)
        if has_nan is None:  # NaN sorts last: in a row with one, a or b (the minimum) is NaN
            has_nan = np.isnan(a) | np.isnan(b)
        out[i] = _lerp(a, b, weight)
        start = max(start, lower + 1)
    assert has_nan is not None
    if has_nan.any():
        out[:, has_nan] = np.nan
    return out
