"""The fleet core's month-major running totals and chip picks give the numbers of the plain
formulas they replace, to the bit.

The running totals settle rounding residues with a cheap bound and test only
the columns that may hold one; the chip a sample buys is read from a table of
the best chip by how many are released. Each is checked against the direct
formula (a cumulative sum and a mask over every month; ``argmax`` over the
released chips) on random installs that include ones cancelling exactly, ones
leaving a residue, ties and release months out of catalog order.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from calc.core.fleet_totals import RESIDUE, MonthlyDeltas, cumsum_months, first_month
from calc.core.generations import ChipTable, latest_pick


def _direct_settled(deltas: np.ndarray, months: int) -> np.ndarray:
    """The formula the bound stands in for: every month of every column tested (``deltas``
    of the months shown; a change beyond them changes none)."""
    totals = np.cumsum(deltas, axis=0)
    scale = np.cumsum(np.abs(deltas), axis=0)
    return np.where(np.abs(totals) <= RESIDUE * scale, 0.0, totals)[:months]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), months=st.integers(1, 40), samples=st.integers(1, 30),
       installs=st.integers(1, 8))
def test_settled_totals_equal_the_direct_formula(seed: int, months: int, samples: int,
                                                 installs: int) -> None:
    rng = np.random.default_rng(seed)
    totals = MonthlyDeltas(months, samples)
    rows = np.arange(samples)
    # the direct way: sample-major, one more month for ends beyond the horizon
    direct = np.zeros((samples, months + 1))
    for _ in range(installs):
        # values of very different sizes, so that removing the large ones leaves residues
        value = rng.choice([1e19, 3.3e18, 7.1e3, 0.0], samples) * rng.uniform(0.5, 2.0, samples)
        begin = rng.integers(0, months + 1, samples)
        end = np.minimum(months, begin + rng.integers(0, months + 1, samples))
        totals.add(rows, begin, value)
        totals.remove(rows, end, value)
        direct[rows, begin] += value
        direct[rows, end] -= value
    expected = _direct_settled(direct.T, months)
    got = totals.settled()
    assert np.array_equal(got, expected)


def test_a_residue_is_settled_and_a_genuine_small_total_kept() -> None:
    totals = MonthlyDeltas(4, 2)
    rows = np.arange(2)
    big, small = np.array([1e19, 1e19]), np.array([0.1, 3e12])
    totals.add(rows, np.array([0, 0]), big)
    totals.add(rows, np.array([0, 0]), small)
    totals.remove(rows, np.array([2, 2]), big)
    totals.remove(rows, np.array([3, 3]), small)
    got = totals.settled()
    assert np.array_equal(got, _direct_settled(totals.deltas, 4))
    assert got[2, 0] == 0.0  # 0.1 next to 1e19 was lost to rounding: a residue, settled
    assert got[2, 1] > 0 and got[3, 1] == 0.0  # 3e12 is well above 1e-9 × 2e19: kept


def test_a_nan_column_is_tested_month_by_month() -> None:
    totals = MonthlyDeltas(3, 2)
    rows = np.arange(2)
    totals.add(rows, np.array([0, 0]), np.array([1e19, 1e19]))
    totals.remove(rows, np.array([1, 1]), np.array([1e19, 1e19]))
    totals.add(rows, np.array([2, 2]), np.array([np.nan, 5.0]))
    got = totals.settled()
    expected = _direct_settled(totals.deltas, 3)
    assert np.array_equal(got, expected, equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), months=st.integers(1, 30), columns=st.integers(1, 20))
def test_month_major_sums_and_first_months_equal_numpy(seed: int, months: int,
                                                       columns: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(months, columns)) * 10.0 ** rng.integers(-3, 20, (months, columns))
    assert np.array_equal(cumsum_months(x), np.cumsum(x, axis=0))
    hit = rng.random((months, columns)) < 0.2
    expected = np.where(hit.any(axis=0), hit.argmax(axis=0), -1)
    assert np.array_equal(first_month(hit), expected)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), chips=st.integers(1, 7), samples=st.integers(1, 25))
def test_latest_pick_is_the_best_released_chip(seed: int, chips: int, samples: int) -> None:
    """The pick is ``argmax`` of FLOP/s per watt over the chips released by the order month,
    the first in catalog order on a tie, whatever the order of the release months."""
    rng = np.random.default_rng(seed)
    release = rng.integers(0, 12, (chips, samples))
    if rng.random() < 0.5:  # most samples alike, a few with their own release months
        release[:, 1:] = release[:, :1]
        release[:, rng.integers(0, samples)] = rng.integers(0, 12, chips)
    ratio = rng.choice([1.0, 2.0, 2.0, 3.5], (chips, samples))  # ties
    table = ChipTable(tuple(f"c{i}" for i in range(chips)), release, ratio,
                      np.full(samples, 20))
    order = rng.integers(-1, 14, samples)
    released = release <= order[None, :]
    score = np.where(released, ratio, -np.inf)
    expected = np.where(released.any(axis=0), np.argmax(score, axis=0), -1)
    pick, _, _ = latest_pick(table, order)
    assert np.array_equal(pick, expected)
