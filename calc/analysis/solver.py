"""Goal-seeking: the value of one input that makes an output reach a target.

The search is bracketed: the input's valid range (from the vocabulary) is
scanned on a grid for a sign change of ``output - target``, and Brent's method
refines the first bracket found. When no value in range reaches the target,
:class:`NoSolution` says so with the best value achievable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from calc.core.errors import CapcalcError
from calc.core.vocabulary import INPUTS, OUTPUTS, InputSpec

__all__ = ["NoSolution", "Solution", "search_range", "solve_scalar"]

_GRID = 241
_MAX_ROOTS = 8
_SIZING = ("site.facility_power_mw", "site.accelerators")


class NoSolution(CapcalcError):
    """No value of the input in its valid range reaches the target.

    ``best_value`` is the input value that comes closest and ``best_achieved``
    what the output reaches there (None where the output does not move).
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 best_value: float | None = None, best_achieved: float | None = None):
        super().__init__(message, file=file, key=key)
        self.best_value = best_value
        self.best_achieved = best_achieved


@dataclass(frozen=True)
class Solution:
    """The solved input value and what the output reaches with it.

    ``roots`` lists every value found that reaches the target (more than one
    when the output is not monotone in the input; ``value`` is the first);
    ``note`` says so in words; ``text`` writes the value for people where a
    number would mislead (a month, ``2027-03``).
    """

    key: str
    value: float
    unit: str
    output: str
    target: float
    achieved: float
    roots: tuple[float, ...] = ()
    note: str = ""
    text: str | None = None


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


def _edge(gap_at: Callable[[float], float], a: float, b: float) -> float:
    """Bisect a jump of ``gap_at`` across zero in [a, b]; return the end at or above zero."""
    below_a = gap_at(a) < 0
    for _ in range(200):
        middle = 0.5 * (a + b)
        if not a < middle < b:
            break
        if (gap_at(middle) < 0) == below_a:
            a = middle
        else:
            b = middle
    return b if below_a else a


def solve_scalar(
    key: str,
    output: str,
    target: float,
    outcome: Callable[[np.ndarray], np.ndarray],
    *,
    outputs: Collection[str] = OUTPUTS,
    bounds: tuple[float, float] | None = None,
    unit: str | None = None,
    lower_open: bool = False,
) -> Solution:
    """Find ``x`` in ``key``'s valid range with ``outcome(x) == target``.

    Parameters
    ----------
    key : input key varied (vocabulary unit)
    output : output name reached
    target : wanted value of the output, in its unit
    outcome : vectorised map from input values to output values
    outputs : the names ``output`` may take (default the model's outputs)
    bounds, unit : search range and its unit, for keys outside the vocabulary
        (a timeline phase's power); default the vocabulary's valid range
    lower_open : the lower bound itself is excluded (with ``bounds``)

    Returns
    -------
    Solution
        The first value that reaches the target; ``roots`` holds all found
        when the output is not monotone in the input.

    Raises
    ------
    NoSolution
        No value in range reaches the target, or the output does not depend on
        the input; the message names the best value achievable.

    Examples
    --------
    >>> s = solve_scalar("training.mfu", "compute_multiple", 2.0, lambda x: x / 0.4)
    >>> round(s.value, 9)
    0.8
    >>> s = solve_scalar("training.mfu", "compute_multiple", 0.64, lambda x: 1 - 4 * (x - 0.5) ** 2)
    >>> [round(r, 9) for r in s.roots]
    [0.2, 0.8]
    """
    if bounds is None:
        if key not in INPUTS:
            raise CapcalcError("unknown key; solve varies a numeric input key", key=key)
        spec = INPUTS[key]
        lower, upper = search_range(spec)
        unit = spec.unit
    else:
        lower, upper = (float(b) for b in bounds)
        if lower_open:
            lower = (lower + max(abs(upper - lower) * 1e-6, 1e-12) if lower == 0
                     else lower * (1 + 1e-9))
        unit = unit or ""
    if output not in outputs:
        raise CapcalcError(f"unknown output {output!r} (choose from {', '.join(outputs)})",
                           key="--target")
    if not math.isfinite(target):
        raise CapcalcError(f"target must be a finite number (got {target})", key="--target")
    unit_text = "" if unit in ("1", "") else f" {unit}"
    if not lower < upper:
        raise NoSolution(f"{key} has no room to vary: its range is [{lower:.4g}, {upper:.4g}]"
                         f"{unit_text}", key=key)
    if lower > 0 and upper / lower > 100:
        grid = np.geomspace(lower, upper, _GRID)
    else:
        grid = np.linspace(lower, upper, _GRID)
    with np.errstate(all="ignore"):
        values = np.broadcast_to(np.asarray(outcome(grid), dtype=float), grid.shape)
    gap = values - target
    finite = np.isfinite(gap)
    if not finite.any():
        raise NoSolution(f"{output} is not a finite number for any {key} in "
                         f"[{lower:.4g}, {upper:.4g}]{unit_text}", key=key)
    seen = values[finite]
    if np.ptp(seen) <= 1e-12 * max(float(np.max(np.abs(seen))), 1e-300):
        raise NoSolution(
            f"{output} does not change with {key} (it stays {seen[0]:.4g} across "
            f"[{lower:.4g}, {upper:.4g}]{unit_text}); solve for an input that moves it",
            key=key, best_achieved=float(seen[0]))
    sign = np.sign(gap)
    exact = [int(i) for i in np.flatnonzero(finite & (gap == 0))]
    crossings = [int(i) for i in np.flatnonzero(finite[:-1] & finite[1:]
                                                 & (sign[:-1] * sign[1:] < 0))]
    if not exact and not crossings:
        best = int(np.nanargmin(np.where(finite, np.abs(gap), np.nan)))
        raise NoSolution(
            f"no value of {key} in [{lower:.4g}, {upper:.4g}]{unit_text} makes {output} "
            f"reach {target:.4g}; the closest is {values[best]:.4g} at {key}={grid[best]:.4g}",
            key=key, best_value=float(grid[best]), best_achieved=float(values[best]),
        )
    from scipy.optimize import brentq  # imported here: scipy.optimize costs ~0.5 s at start-up

    def gap_at(x: float) -> float:
        return float(np.asarray(outcome(np.array([x])), dtype=float).reshape(-1)[0] - target)

    found: list[tuple[float, float]] = [(float(grid[i]), float(values[i])) for i in exact]
    jumps: list[float] = []
    for i in crossings[:_MAX_ROOTS]:
        x = float(brentq(gap_at, float(grid[i]), float(grid[i + 1]), xtol=1e-15, rtol=1e-13,
                         maxiter=200))
        achieved = gap_at(x) + target
        if abs(achieved - target) > 1e-6 * max(abs(target), 1e-300):
            # a step: the output jumps across the target; answer the edge that reaches it
            x = _edge(gap_at, float(grid[i]), float(grid[i + 1]))
            achieved = gap_at(x) + target
            jumps.append(x)
        found.append((x, achieved))
    found.sort()
    x, achieved = found[0]
    roots = tuple(r for r, _ in found)
    notes = []
    if len(found) > 1:
        shown = ", ".join(f"{r:.4g}" for r in roots)
        notes.append(f"not monotone: {output} equals {target:.4g} at {len(found)} values of "
                     f"{key} ({shown}{unit_text}); the lowest is given")
    if jumps:
        notes.append(f"{output} jumps across {target:.4g} at {key}={jumps[0]:.4g} (it moves "
                     f"in steps), so it reaches {achieved:.4g} there, not the target exactly")
    return Solution(key, x, unit, output, target, achieved, roots=roots, note="; ".join(notes))
