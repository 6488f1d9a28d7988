"""Goal-seeking: the value of one input that makes an output reach a target.

One search serves a single question and many samples at once. An input's
valid range (from the vocabulary, or given bounds) is scanned on a grid for
sign changes of ``output - target``; the lowest bracket is then bisected,
vectorised over samples, until the two ends are adjacent floating-point
numbers. :func:`solve_scalar` answers one question (and lists every root when
the output is not monotone); :func:`solve_vectorised` answers one question per
sample, each with its lowest root, so the two agree by construction. When no
value reaches the target, :class:`~calc.core.errors.NoSolution` says so with
the best value achievable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from calc.core.errors import CapcalcError, NoSolution, quoted
from calc.core.vocabulary import INPUTS, OUTPUTS, InputSpec

__all__ = [
    "GRID_POINTS",
    "Solution",
    "bracket",
    "refine",
    "search_grid",
    "search_range",
    "solve_scalar",
    "solve_vectorised",
]

FloatArray = npt.NDArray[np.float64]
#: ``gap(x)``: ``output - target`` at input values ``x`` (any shape that broadcasts).
Gap = Callable[[FloatArray], FloatArray]
#: ``gap(x, part)``: ``output - target`` for the samples in ``part`` (a slice) at input values
#: ``x`` of shape ``(points, n)`` or ``(n,)``, ``n`` being the samples in ``part``.
SampleGap = Callable[[FloatArray, slice], FloatArray]

#: Points of the grid scanned for sign changes (log-spaced over ranges of more than 100×).
GRID_POINTS = 241
_MAX_ROOTS = 8
_MAX_STEPS = 1100  # bisection of a double-precision bracket ends well before this


@dataclass(frozen=True)
class Solution:
    """The solved input value and what the output reaches with it.

    ``roots`` lists every value found that reaches the target (more than one
    when the output is not monotone in the input; ``value`` is the lowest);
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
    (0.001, 1.0)
    """
    if spec.kind == "choice" or spec.lower is None or spec.upper is None:
        raise CapcalcError("is not a numeric input; solve needs a number to vary", key=spec.key)
    return _open_range(spec.lower, spec.upper, spec.lower_open, spec.upper_open)


def _open_range(lower: float, upper: float, lower_open: bool, upper_open: bool
                ) -> tuple[float, float]:
    if lower_open:
        lower = lower + max(abs(upper - lower) * 1e-6, 1e-12) if lower == 0 else lower * (1 + 1e-9)
    if upper_open:
        upper = upper * (1 - 1e-9)
    return float(lower), float(upper)


def search_grid(lower: float, upper: float, points: int = GRID_POINTS) -> FloatArray:
    """The grid scanned between ``lower`` and ``upper``: log-spaced over more than 100×.

    >>> search_grid(1.0, 1000.0, 4).tolist()
    [1.0, 10.0, 100.0, 1000.0]
    >>> search_grid(0.0, 1.0, 3).tolist()
    [0.0, 0.5, 1.0]
    """
    if lower > 0 and upper / lower > 100:
        return np.geomspace(lower, upper, points)
    return np.linspace(lower, upper, points)


def bracket(gaps: FloatArray) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """The lowest grid interval where each column of ``gaps`` reaches or crosses zero.

    ``gaps`` has shape ``(points, samples)``. Returns ``found`` (a bracket exists)
    and ``first`` (its lower grid index) per sample; an exact zero at a grid
    point counts, so does a sign change between finite neighbours.

    >>> found, first = bracket(np.array([[-1.0, 2.0], [1.0, 1.0], [3.0, -1.0]]))
    >>> found.tolist(), first.tolist()
    ([True, True], [0, 1])
    """
    sign = np.sign(gaps)
    finite = np.isfinite(gaps)
    hit = (sign[:-1] * sign[1:] <= 0) & finite[:-1] & finite[1:]
    return np.asarray(hit.any(axis=0), dtype=bool), np.asarray(hit.argmax(axis=0), dtype=np.int64)


def refine(gap: Gap, lo: FloatArray, hi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Bisect each bracket ``[lo, hi]`` of ``gap`` until its ends are adjacent floats.

    ``gap`` takes and returns arrays of shape ``(samples,)``. Returns the two
    ends: ``lo`` keeps the sign ``gap(lo)`` had, ``hi`` the other (or zero).

    >>> lo, hi = refine(lambda x: x * x - 2.0, np.array([1.0]), np.array([2.0]))
    >>> bool(abs(lo[0] - 2 ** 0.5) < 1e-15)
    True
    """
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    lo_sign = np.sign(gap(lo))
    for _ in range(_MAX_STEPS):
        mid = lo + (hi - lo) / 2
        moving = (mid != lo) & (mid != hi) & (lo_sign != 0)
        if not moving.any():
            break
        same = np.sign(gap(mid)) == lo_sign
        lo = np.where(moving & same, mid, lo)
        hi = np.where(moving & ~same, mid, hi)
    return lo, hi


def _unit_text(unit: str) -> str:
    return "" if unit in ("1", "") else f" {unit}"


def _range_of(key: str, bounds: tuple[float, float] | None, unit: str | None,
              lower_open: bool) -> tuple[float, float, str]:
    if bounds is None:
        if key not in INPUTS:
            raise CapcalcError("unknown key; solve varies a numeric input key", key=key)
        spec = INPUTS[key]
        lower, upper = search_range(spec)
        return lower, upper, spec.unit
    lower, upper = _open_range(float(bounds[0]), float(bounds[1]), lower_open, False)
    return lower, upper, unit or ""


def solve_scalar(
    key: str,
    output: str,
    target: float,
    outcome: Callable[[FloatArray], FloatArray],
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
        The lowest value that reaches the target; ``roots`` holds all found
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
    lower, upper, unit = _range_of(key, bounds, unit, lower_open)
    if output not in outputs:
        raise CapcalcError(f"unknown output {quoted(output)} (choose from {', '.join(outputs)})",
                           key="target")
    if not math.isfinite(target):
        raise CapcalcError(f"target must be a finite number (got {target})", key="target")
    unit_text = _unit_text(unit)
    if not lower < upper:
        raise NoSolution(f"{key} has no room to vary: its range is [{lower:.4g}, {upper:.4g}]"
                         f"{unit_text}", key=key)
    grid = search_grid(lower, upper)

    def gap(x: FloatArray) -> FloatArray:
        with np.errstate(all="ignore"):
            values = np.asarray(outcome(np.asarray(x, dtype=float).ravel()), dtype=float)
        return np.broadcast_to(values, np.shape(x)) - target

    gaps = gap(grid)
    values = gaps + target
    finite = np.isfinite(gaps)
    if not finite.any():
        raise NoSolution(f"{output} is not a finite number for any {key} in "
                         f"[{lower:.4g}, {upper:.4g}]{unit_text}", key=key)
    seen = values[finite]
    if np.ptp(seen) <= 1e-12 * max(float(np.max(np.abs(seen))), 1e-300):
        raise NoSolution(
            f"{output} does not change with {key} (it stays {seen[0]:.4g} across "
            f"[{lower:.4g}, {upper:.4g}]{unit_text}); solve for an input that moves it",
            key=key, best_achieved=float(seen[0]))
    sign = np.sign(gaps)
    exact = np.flatnonzero(finite & (gaps == 0))
    crossings = np.flatnonzero(finite[:-1] & finite[1:] & (sign[:-1] * sign[1:] < 0))
    if exact.size == 0 and crossings.size == 0:
        best = int(np.nanargmin(np.where(finite, np.abs(gaps), np.nan)))
        raise NoSolution(
            f"no value of {key} in [{lower:.4g}, {upper:.4g}]{unit_text} makes {output} "
            f"reach {target:.4g}; the closest is {values[best]:.4g} at {key}={grid[best]:.4g}",
            key=key, best_value=float(grid[best]), best_achieved=float(values[best]),
        )
    found: list[tuple[float, float]] = [(float(grid[i]), float(values[i])) for i in exact]
    jumps: list[float] = []
    chosen = crossings[:_MAX_ROOTS]
    if chosen.size:
        lo, hi = refine(gap, grid[chosen], grid[chosen + 1])
        for x_lo, x_hi in zip(lo, hi, strict=True):
            g_lo, g_hi = float(gap(np.array([x_lo]))[0]), float(gap(np.array([x_hi]))[0])
            x, achieved = (x_lo, g_lo + target) if abs(g_lo) <= abs(g_hi) else \
                (x_hi, g_hi + target)
            if abs(achieved - target) > 1e-6 * max(abs(target), 1e-300):
                # a step: the output jumps across the target; answer the end that reaches it
                x, achieved = (x_hi, g_hi + target) if g_lo < 0 else (x_lo, g_lo + target)
                jumps.append(float(x))
            found.append((float(x), float(achieved)))
    found.sort()
    x, achieved = found[0]
    roots = tuple(r for r, _ in found)
    notes = []
    if len(found) > 1:
        listed = ", ".join(f"{r:.4g}" for r in roots)
        notes.append(f"not monotone: {output} equals {target:.4g} at {len(found)} values of "
                     f"{key} ({listed}{unit_text}); the lowest is given")
    if jumps:
        notes.append(f"{output} jumps across {target:.4g} at {key}={jumps[0]:.4g} (it moves "
                     f"in steps), so it reaches {achieved:.4g} there, not the target exactly")
    return Solution(key, x, unit, output, target, achieved, roots=roots, note="; ".join(notes))


def solve_vectorised(key: str, gap: SampleGap, samples: int, *,
                     bounds: tuple[float, float] | None = None,
                     chunk: int = 4096) -> FloatArray:
    """The lowest value of ``key`` where ``gap`` reaches zero, for each of ``samples``.

    ``gap(x, part)`` is ``output - target`` for the samples in the slice
    ``part`` (a chunk of at most ``chunk``), at values ``x`` of shape
    ``(points, n)`` or ``(n,)``. Samples where no value in range reaches the
    target are NaN. The grid and the bisection are :func:`solve_scalar`'s, so a
    sample whose inputs are the central ones gets the same (lowest) root.

    >>> f = lambda x, part: 1 - 4 * (x - 0.5) ** 2 - 0.64  # roots 0.2 and 0.8
    >>> [round(float(v), 9) for v in solve_vectorised("training.mfu", f, 2)]
    [0.2, 0.2]
    """
    lower, upper, _ = _range_of(key, bounds, None, False)
    grid = search_grid(lower, upper)
    solved = np.full(samples, np.nan)
    for start in range(0, samples, chunk):
        part = slice(start, min(start + chunk, samples))
        n = part.stop - part.start

        def gap_of(x: FloatArray, part: slice = part, n: int = n) -> FloatArray:
            with np.errstate(all="ignore"):
                out = np.asarray(gap(x, part), dtype=float)
            return np.broadcast_to(out, np.broadcast_shapes(np.shape(x), (n,)))

        gaps = gap_of(grid[:, None])
        found, first = bracket(gaps)
        lo, hi = refine(gap_of, grid[first], grid[first + 1])
        exact_lo = gaps[first, np.arange(n)] == 0
        g_lo, g_hi = np.abs(gap_of(lo)), np.abs(gap_of(hi))
        best = np.where(exact_lo, grid[first], np.where(g_lo <= g_hi, lo, hi))
        solved[part] = np.where(found, best, np.nan)
    return solved
