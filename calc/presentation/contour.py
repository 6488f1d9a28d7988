"""Where a gridded quantity crosses a level: the contour line as straight segments.

:func:`contour_segments` is marching squares on a grid of values at known
positions: in each square of four neighbouring values, the level is crossed on
every side whose two corners lie on either side of it, at the point found by
linear interpolation along that side; the crossings are joined in pairs. A
square with a corner that is not finite draws nothing. Pure numpy, no drawing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["contour_segments"]

Point = tuple[float, float]
Segment = tuple[Point, Point]


def _crossing(a: float, b: float, pa: Point, pb: Point, level: float) -> Point:
    """Where the level lies between corner values ``a`` at ``pa`` and ``b`` at ``pb``."""
    t = (level - a) / (b - a)
    return float(pa[0] + t * (pb[0] - pa[0])), float(pa[1] + t * (pb[1] - pa[1]))


def contour_segments(xs: Sequence[float], ys: Sequence[float],
                     values: npt.ArrayLike, level: float) -> list[Segment]:
    """The segments of the line where ``values`` equals ``level``.

    Parameters
    ----------
    xs, ys : sequence of float
        Positions of the grid's columns and rows (increasing), in the units the
        line is drawn in (a log axis's logarithms, if the caller interpolates in them).
    values : array of shape (len(ys), len(xs))
        The quantity at each grid point; ``values[j, i]`` is at ``(xs[i], ys[j])``.
    level : float
        The value the line follows. A corner exactly at the level counts as above it.

    Returns
    -------
    list of ((x0, y0), (x1, y1))
        One segment per crossed square (two in a saddle, split by the square's mean).

    Examples
    --------
    >>> contour_segments([0, 1], [0, 1], [[0, 2], [0, 2]], 1.0)
    [((0.5, 0.0), (0.5, 1.0))]
    >>> contour_segments([0, 1], [0, 1], [[0, 0], [0, 0]], 1.0)
    []
    """
    grid = np.asarray(values, dtype=float)
    out: list[Segment] = []
    for j in range(len(ys) - 1):
        for i in range(len(xs) - 1):
            corners = (grid[j, i], grid[j, i + 1], grid[j + 1, i + 1], grid[j + 1, i])
            if not all(np.isfinite(corners)):
                continue
            places: tuple[Point, ...] = ((xs[i], ys[j]), (xs[i + 1], ys[j]),
                                         (xs[i + 1], ys[j + 1]), (xs[i], ys[j + 1]))
            above = [c >= level for c in corners]
            if all(above) or not any(above):
                continue
            # the crossings, side by side round the square (bottom, right, top, left)
            found = [_crossing(corners[k], corners[(k + 1) % 4], places[k],
                               places[(k + 1) % 4], level)
                     for k in range(4) if above[k] != above[(k + 1) % 4]]
            if len(found) == 2:
                if found[0] != found[1]:  # not a corner that only touches the level
                    out.append((found[0], found[1]))
                continue
            # a saddle: two corners above on one diagonal; the square's mean decides which
            # pairs of crossings are joined (the above corners joined through the middle or not)
            joined = (float(np.mean(corners)) >= level) == above[0]
            if joined:
                out += [(found[0], found[1]), (found[2], found[3])]
            else:
                out += [(found[3], found[0]), (found[1], found[2])]
    return out
