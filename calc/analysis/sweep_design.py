"""The points of a sweep: a grid of listed values times a Latin hypercube or Sobol design.

Grid axes (lists of values) combine in every way, the first axis slowest; the
range axes are filled together by ``points`` points of a space-filling design
(scipy's :mod:`scipy.stats.qmc`), and each design point is combined with every
grid combination. Point ``p`` of a sweep is therefore grid combination
``p // points`` and design point ``p % points``: any block of points is
computed from its indices alone, without the whole table in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from calc.analysis.joint_sampling import stream
from calc.core.vocabulary import INPUTS
from calc.data.sweep_file import Axis

__all__ = ["Design", "design_of", "unit_design", "whole_numbered"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Stream tag of a sweep's design, apart from every input's sampling stream.
_DESIGN_STREAM = 0x5EE9


def whole_numbered(key: str) -> bool:
    """Whether an axis takes whole numbers only: counts, months and delays.

    >>> whole_numbered("site.accelerators"), whole_numbered("timeline[1].delay_months")
    (True, True)
    >>> whole_numbered("training.mfu")
    False
    """
    if key.startswith("timeline"):
        return key.endswith((".start", ".delay_months"))
    return key in INPUTS and INPUTS[key].kind == "count"


def unit_design(kind: str, points: int, dims: int, seed: int) -> FloatArray:
    """``points`` × ``dims`` points in the unit cube: a Latin hypercube or scrambled Sobol.

    The same arguments give the same points.

    >>> d = unit_design("lhs", 4, 2, seed=1)
    >>> d.shape, bool(((d >= 0) & (d < 1)).all())
    ((4, 2), True)
    >>> sorted(np.floor(d[:, 0] * 4).astype(int).tolist())  # one point in each quarter
    [0, 1, 2, 3]
    """
    # deferred: scipy loads in a quarter of a second; a sweep without ranges never needs it
    from scipy.stats import qmc

    rng = stream(seed, "sweep.design", _DESIGN_STREAM)
    if kind == "sobol":
        sampler = qmc.Sobol(d=dims, scramble=True, rng=rng)
        return np.asarray(sampler.random_base2(int(points).bit_length() - 1), dtype=float)
    return np.asarray(qmc.LatinHypercube(d=dims, rng=rng).random(points), dtype=float)


@dataclass(frozen=True)
class Design:
    """Where every point of a sweep lies: its grid combination and its design point.

    Attributes
    ----------
    grid : tuple of Axis
        Axes with listed values, in the order written (the first varies slowest).
    ranges : tuple of Axis
        Axes with a ``low``–``high`` range, filled by the design.
    kind : str
        ``lhs`` or ``sobol``.
    design_points : int
        Points of the design (1 when there is no range axis).
    seed : int
        Seed of the design.
    """

    grid: tuple[Axis, ...]
    ranges: tuple[Axis, ...]
    kind: str
    design_points: int
    seed: int

    @property
    def shape(self) -> tuple[int, ...]:
        """Length of each grid axis, then the design's points when there are ranges."""
        lengths = tuple(len(a.values or ()) for a in self.grid)
        return (*lengths, self.design_points) if self.ranges else lengths

    @property
    def points(self) -> int:
        """Every point: the product of :attr:`shape`."""
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @cached_property
    def unit(self) -> FloatArray:
        """The design in the unit cube, ``(design_points, len(ranges))``."""
        if not self.ranges:
            return np.zeros((1, 0))
        return unit_design(self.kind, self.design_points, len(self.ranges), self.seed)

    def positions(self, lo: int, hi: int) -> dict[str, IntArray]:
        """Index of each grid axis's value (and of the design point) for points ``lo:hi``.

        >>> from calc.data.sweep_file import Axis
        >>> d = Design(grid=(Axis("a", values=(1.0, 2.0)), Axis("b", values=(5.0, 6.0, 7.0))),
        ...            ranges=(), kind="lhs", design_points=1, seed=0)
        >>> {k: v.tolist() for k, v in d.positions(2, 6).items()}
        {'a': [0, 1, 1, 1], 'b': [2, 0, 1, 2]}
        """
        shape = self.shape
        if not shape:
            return {}
        keys = [axis.key for axis in self.grid] + (["design_point"] if self.ranges else [])
        out: dict[str, IntArray] = {}
        stride = 1
        for key, length in reversed(list(zip(keys, shape, strict=True))):
            out[key] = _runs(lo, hi, stride, length)
            stride *= length
        return {key: out[key] for key in keys}

    @cached_property
    def _listed(self) -> dict[str, npt.NDArray[Any]]:
        """Each grid axis's values as an array (names stay names)."""
        return {axis.key: np.asarray(axis.values, dtype=object if axis.categorical else float)
                for axis in self.grid}

    def values(self, lo: int, hi: int) -> dict[str, Any]:
        """The value of every axis at points ``lo:hi``: an array of length ``hi - lo`` each.

        Grid values keep their type (names stay names); range values are floats,
        rounded to whole numbers for counts, months and delays.
        """
        where = self.positions(lo, hi)
        out: dict[str, Any] = {}
        for axis in self.grid:
            out[axis.key] = np.take(self._listed[axis.key], where[axis.key])
        if self.ranges:
            u = np.take(self.unit, where["design_point"], axis=0)
            for j, axis in enumerate(self.ranges):
                out[axis.key] = _scaled(axis, u[:, j])
        return out


def _runs(lo: int, hi: int, stride: int, length: int) -> IntArray:
    """Index along one dimension of points ``lo:hi`` of a C-ordered grid, where it
    advances every ``stride`` points and wraps after ``length`` values: runs of equal
    indices, made by repeating (what ``numpy.unravel_index`` gives, faster).

    >>> _runs(3, 11, 2, 3).tolist()
    [1, 2, 2, 0, 0, 1, 1, 2]
    """
    if hi <= lo:
        return np.zeros(0, dtype=np.int64)
    first, last = lo // stride, (hi - 1) // stride
    runs, start = last - first + 1, first % length
    if runs <= length:  # at most one wrap: no division (slow on integers) needed
        index = np.arange(start, start + runs, dtype=np.int64)
        index[index >= length] -= length
    else:  # whole cycles: the cycle repeated
        index = np.resize(np.roll(np.arange(length, dtype=np.int64), -start), runs)
    if stride == 1:
        return index
    counts = np.full(runs, stride, dtype=np.int64)
    counts[0] -= lo - first * stride
    counts[-1] -= (last + 1) * stride - hi
    return np.repeat(index, counts)


def _scaled(axis: Axis, u: FloatArray) -> FloatArray:
    """Unit-cube coordinates ``u`` mapped onto ``axis``'s range (log or linear)."""
    assert axis.low is not None and axis.high is not None
    if axis.log:
        x = np.exp(np.log(axis.low) + u * (np.log(axis.high) - np.log(axis.low)))
    else:
        x = axis.low + u * (axis.high - axis.low)
    if whole_numbered(axis.key):
        x = np.rint(x)
    return np.clip(x, axis.low, axis.high)


def design_of(axes: Sequence[Axis], kind: str, points: int | None, seed: int) -> Design:
    """The :class:`Design` of a sweep's ``axes``."""
    grid = tuple(a for a in axes if not a.is_range)
    ranges = tuple(a for a in axes if a.is_range)
    return Design(grid=grid, ranges=ranges, kind=kind,
                  design_points=(points or 1) if ranges else 1, seed=seed)
