"""Goal-seeking: the value of one input that makes an output reach a target.

The search is bracketed: the input's valid range (from the vocabulary) is
scanned on a grid for a sign change of ``output - target``, and Brent's method
refines the first bracket found. When no value in range reaches the target,
:class:`NoSolution` says so with the best value achievable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from calc.errors import CapcalcError
from calc.vocabulary import INPUTS, OUTPUTS, InputSpec

__all__ = ["NoSolution", "Solution", "search_range", "solve_scalar"]

_GRID = 241
_SIZING = ("site.facility_power_mw", "site.accelerators")


class NoSolution(CapcalcError):
    """No value of the input in its valid range reaches the target."""


@dataclass(frozen=True)
class Solution:
    """The solved input value and what the output reaches with it."""

    key: str
    value: float
    unit: str
    output: str
    target: float
    achieved: float


def search_range(spec: InputSpec) -> tuple[float, float]:
    """The span searched for ``spec``: its valid range, open ends nudged inward.

    >>> search_range(INPUTS["training.mfu"])
    (1e-06, 1.0)
    """
    if spec.kind == "choice" or spec.lower is None or spec.upper is None:
        raise CapcalcError("is not a numeric input; solve needs a number to vary", key=spec.key)
    lower, upper = spec.lower, spec.upper
    if spec.lower_open:
        lower = lower + max(abs(upper - lower) * 1e-6, 1e-12) if lower == 0 else lower * (1 + 1e-9)
    if spec.upper_open:
        upper = upper * (1 - 1e-9)
    return float(lower), float(upper)


def solve_scalar(
    key: str,
    output: str,
    target: float,
    outcome: Callable[[np.ndarray], np.ndarray],
) -> Solution:
    """Find ``x`` in ``key``'s valid range with ``outcome(x) == target``.

    Parameters
    ----------
    key : input key varied (vocabulary unit)
    output : output name reached
    target : wanted value of the output, in its unit
    outcome : vectorised map from input values to output values

    Examples
    --------
    >>> s = solve_scalar("training.mfu", "compute_multiple", 2.0, lambda x: x / 0.4)
    >>> round(s.value, 9)
    0.8
    """
    spec = INPUTS[key]
    if output not in OUTPUTS:
        raise CapcalcError(f"unknown output {output!r}", key="--target")
    if not math.isfinite(target):
        raise CapcalcError(f"target must be a finite number (got {target})", key="--target")
    lower, upper = search_range(spec)
    if lower > 0 and upper / lower > 100:
        grid = np.geomspace(lower, upper, _GRID)
    else:
        grid = np.linspace(lower, upper, _GRID)
    with np.errstate(all="ignore"):
        values = np.asarray(outcome(grid), dtype=float)
    gap = values - target
    finite = np.isfinite(gap)
    exact = np.flatnonzero(finite & (gap == 0))
    if exact.size:
        x = float(grid[exact[0]])
        return Solution(key, x, spec.unit, output, target, float(values[exact[0]]))
    sign = np.sign(gap)
    crossings = np.flatnonzero(finite[:-1] & finite[1:] & (sign[:-1] != sign[1:]))
    if crossings.size == 0:
        best = int(np.nanargmin(np.where(finite, np.abs(gap), np.nan)))
        raise NoSolution(
            f"no value of {key} in [{lower:.4g}, {upper:.4g}] {spec.unit} makes {output} "
            f"reach {target:.4g}; the closest is {values[best]:.4g} at {key}={grid[best]:.4g}",
            key=key,
        )
    i = int(crossings[0])
    from scipy.optimize import brentq  # imported here: scipy.optimize costs ~0.5 s at start-up

    def gap_at(x: float) -> float:
        return float(np.asarray(outcome(np.array([x])), dtype=float)[0] - target)

    x = float(brentq(gap_at, float(grid[i]), float(grid[i + 1]), xtol=1e-15, rtol=1e-13,
                     maxiter=200))
    achieved = gap_at(x) + target
    return Solution(key, x, spec.unit, output, target, achieved)
