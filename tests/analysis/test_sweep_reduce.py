"""Per-block helpers of a sweep: quantiles of its rows and the positions of its points."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from calc.analysis.sweep_reduce import row_quantiles

quantile_lists = st.lists(st.one_of(st.sampled_from([0.0, 0.05, 0.5, 0.95, 1.0]),
                                    st.floats(min_value=0, max_value=1)),
                          min_size=1, max_size=5)


def rows_of(elements: st.SearchStrategy[float]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 40)),
                      elements=elements)


# few distinct values, so that ties and equal neighbours are common
finite = st.one_of(st.integers(-3, 3).map(float),
                   st.floats(min_value=-1e300, max_value=1e300, allow_subnormal=True))


@given(rows_of(finite), quantile_lists)
def test_finite_rows_give_numpys_quantiles_bit_for_bit(rows, quantiles):
    expected = np.quantile(rows, quantiles, axis=1)
    assert np.array_equal(row_quantiles(rows.copy(), quantiles), expected)


@given(rows_of(st.one_of(finite, st.sampled_from([np.inf, -np.inf, np.nan]))),
       quantile_lists)
def test_infinite_neighbours_give_their_limit_and_nan_rows_nan(rows, quantiles):
    with np.errstate(invalid="ignore"):
        expected = np.quantile(rows, quantiles, axis=1)
    got = row_quantiles(rows.copy(), quantiles)
    ordered = np.sort(rows, axis=1)
    n = rows.shape[1]
    for i, q in enumerate(quantiles):
        for r in range(len(rows)):
            if np.isnan(rows[r]).any():
                assert np.isnan(got[i, r])
            elif not np.isnan(expected[i, r]):
                assert got[i, r] == expected[i, r]
            else:  # numpy's ∞ − ∞: a value between the two order statistics, not NaN
                lower = min(int(np.floor((n - 1) * q)), n - 1)
                upper = min(lower + 1, n - 1)
                assert ordered[r, lower] <= got[i, r] <= ordered[r, upper]


@given(st.lists(st.integers(1, 9), min_size=1, max_size=4), st.data())
def test_a_blocks_grid_positions_are_numpys_unravel_index(shape, data):
    from calc.analysis.sweep_design import _runs

    total = int(np.prod(shape))
    lo = data.draw(st.integers(0, total))
    hi = data.draw(st.integers(lo, total))
    expected = np.unravel_index(np.arange(lo, hi), shape)
    for j, length in enumerate(shape):
        stride = int(np.prod(shape[j + 1:]))
        assert np.array_equal(_runs(lo, hi, stride, length), expected[j])
