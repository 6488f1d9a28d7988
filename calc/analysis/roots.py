"""A root of a small system of smooth equations, in numpy alone.

The distribution fits solve three equations in three unknowns (a truncated
input's parameters such that its 5th, 50th and 95th percentiles are the
stated ones). :func:`newton` is Newton's method with a forward-difference
Jacobian, a least-squares step where the Jacobian is singular and a
backtracking line search on the sum of squares, so that it only ever moves
downhill. Importing :mod:`scipy.optimize` for the same answer costs more than
a whole ``capcalc timeline``; the fits fall back on it only where this
search finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["newton"]

FloatArray = npt.NDArray[np.float64]

#: Relative step of the forward differences: about the square root of the double's epsilon.
_STEP = 1.4901161193847656e-08


def _jacobian(residuals: Callable[[FloatArray], FloatArray], x: FloatArray, at_x: FloatArray
              ) -> FloatArray:
    """Forward-difference Jacobian of ``residuals`` at ``x`` (one row per residual)."""
    columns = []
    for i in range(x.size):
        h = _STEP * max(1.0, abs(float(x[i])))
        moved = x.copy()
        moved[i] += h
        columns.append((residuals(moved) - at_x) / h)
    return np.column_stack(columns)


def _polished(residuals: Callable[[FloatArray], FloatArray], x: FloatArray, r: FloatArray,
              steps: int = 3) -> FloatArray:
    """``x`` moved by up to ``steps`` more full Newton steps while each makes the residuals
    smaller: a root found to the tolerance, refined to what doubles can resolve."""
    for _ in range(steps):
        step = np.linalg.lstsq(_jacobian(residuals, x, r), -r, rcond=None)[0]
        trial = x + step
        at_trial = residuals(trial)
        if not (np.all(np.isfinite(at_trial)) and float(at_trial @ at_trial) < float(r @ r)):
            break
        x, r = trial, at_trial
    return x


def newton(residuals: Callable[[FloatArray], FloatArray], start: FloatArray, *,
           tolerance: float = 1e-9, iterations: int = 100) -> FloatArray | None:
    """A point where every residual is below ``tolerance`` in size, searched from ``start``,
    or ``None`` when the search stalls or runs out of ``iterations``.

    Examples
    --------
    >>> root = newton(lambda x: np.array([x[0] ** 2 - 2.0, x[1] - x[0]]), np.array([1.0, 0.0]))
    >>> [round(float(v), 9) for v in root]
    [1.414213562, 1.414213562]
    >>> newton(lambda x: np.array([x[0] ** 2 + 1.0]), np.array([0.5])) is None
    True
    """
    x = np.asarray(start, dtype=float).copy()
    with np.errstate(all="ignore"):
        r = residuals(x)
        for _ in range(iterations):
            if not np.all(np.isfinite(r)):
                return None
            if np.all(np.abs(r) < tolerance):
                return _polished(residuals, x, r)
            step = np.linalg.lstsq(_jacobian(residuals, x, r), -r, rcond=None)[0]
            if not np.all(np.isfinite(step)):
                return None
            size = float(r @ r)
            scale = 1.0
            while scale > 1e-10:
                trial = x + scale * step
                at_trial = residuals(trial)
                if np.all(np.isfinite(at_trial)) and float(at_trial @ at_trial) < size:
                    x, r = trial, at_trial
                    break
                scale *= 0.5
            else:
                return None
    return x if np.all(np.abs(r) < tolerance) else None
