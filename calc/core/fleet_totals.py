"""Running totals of a build-out's installs, month by month, laid out month-major.

Each install adds a constant (its chips, FLOP/s, MW, ...) from the month it
begins to the month it ends. A total is kept as its changes — +value in the
begin month, −value in the end month — in an array of shape ``(months,
columns)``: one row per month, one column per sample (or per generation and
sample); a change beyond the horizon changes no month shown. The running sum
down the months gives the total in use each month.

Month-major (C order, months first) puts one month of every sample in one
contiguous row: the running sum adds whole rows, and every series derived from
the totals multiplies a row by per-sample factors of shape ``(samples,)``.
The numbers are those of the same sums taken sample by sample: each total is
added month after month in the same order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from calc.core.fleet_chips import FloatArray, IntArray

__all__ = ["MonthlyDeltas", "cumsum_months", "first_month"]

#: A total within this share of everything added to and removed from it so far is what
#: rounding left of removed installs: it is 0 (a total counts installs in use).
RESIDUE = 1e-9


def cumsum_months(x: npt.ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """Running sum down axis 0 (months) of a month-major array ``(months, columns)``.

    The same numbers as ``np.cumsum(x, axis=0)`` (each column added month after
    month, in order), a few times faster: a whole row is added at once. ``out``
    may be ``x`` itself.

    >>> cumsum_months(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).tolist()
    [[1.0, 2.0], [4.0, 6.0], [9.0, 12.0]]
    """
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x) if out is None else out
    if len(x):
        out[0] = x[0]
    for month in range(1, len(x)):
        np.add(out[month - 1], x[month], out=out[month])
    return out


def first_month(hit: npt.NDArray[np.bool_]) -> IntArray:
    """Row of the first True in each column of a month-major ``(months, columns)`` array;
    -1 in a column with none.

    The same as ``argmax`` down the months where a column has a True, several
    times faster for many columns: each month is or-ed with the one before
    (True from the first hit on), and the months so marked are counted.

    >>> first_month(np.array([[False, False, True], [True, False, True]])).tolist()
    [1, -1, 0]
    """
    seen = hit.copy()
    for month in range(1, len(seen)):
        np.logical_or(seen[month - 1], seen[month], out=seen[month])
    marked = np.add.reduce(seen.view(np.uint8), axis=0, dtype=np.int64)
    return np.where(marked > 0, len(hit) - marked, -1)


class MonthlyDeltas:
    """The changes of one running total, ``(months, columns)``, and for each column
    an upper bound on the sum of their sizes (to settle rounding residues cheaply).

    Parameters
    ----------
    months : int
        Months of the timeline; a change at month ``months`` or later is beyond
        the horizon, and dropped.
    columns : int
        Samples, or generations × samples.
    """

    def __init__(self, months: int, columns: int) -> None:
        self.months = months
        self.deltas = np.zeros((months, columns))
        self._flat = self.deltas.reshape(-1)
        self._size = np.zeros(columns)  # Σ |everything added or removed|, per column

    def add(self, column: IntArray | slice, month: IntArray, value: Any) -> None:
        """Add ``value`` (per sample, in the total's unit) in ``month`` (row index per sample)
        of ``column`` (one column per sample, none twice)."""
        self._change(np.add, column, month, value)

    def remove(self, column: IntArray | slice, month: IntArray, value: Any) -> None:
        """Subtract ``value`` in ``month`` of ``column`` (an install's end)."""
        self._change(np.subtract, column, month, value)

    def _change(self, op: np.ufunc, column: IntArray | slice, month: IntArray,
                value: Any) -> None:
        columns = np.arange(self.deltas.shape[1])[column] if isinstance(column, slice) \
            else column
        np.add.at(self._size, columns, np.abs(value))
        inside = month < self.months
        if not inside.all():  # an end beyond the horizon
            columns, month = columns[inside], month[inside]
            value = np.broadcast_to(value, inside.shape)[inside]
        op.at(self._flat, month * self.deltas.shape[1] + columns, value)

    def settled(self) -> FloatArray:
        """The running totals, ``(months, columns)``, with what rounding leaves of removed
        installs set to 0.

        A total is 0 where it is at most :data:`RESIDUE` × the running sum of the
        sizes of its changes so far: after an install of 1e19 FLOP/s retires, the
        sum may keep a residue of a few thousand from rounding, which would read
        as a negative compute. That running sum is at most the column's whole
        sum of sizes (``_size``, kept as changes are added), so only the columns
        with a nonzero total under twice that bound (room for rounding) are
        tested month by month; every other total is kept as summed.
        """
        totals = cumsum_months(self.deltas)
        with np.errstate(invalid="ignore"):  # a NaN input: every month of its column tested
            limit = np.where(np.isnan(self._size), np.inf, 2 * RESIDUE * self._size)
        near = totals <= limit  # |total| ≤ limit, without an array of |total|
        near &= totals >= -limit
        np.logical_and(near, totals, out=near)  # an exact 0 stays 0 either way
        columns = np.flatnonzero(near.any(axis=0))
        if columns.size:
            kept = totals[:, columns]
            scale = np.cumsum(np.abs(self.deltas[:, columns]), axis=0)
            totals[:, columns] = np.where(np.abs(kept) <= RESIDUE * scale, 0.0, kept)
        return totals
