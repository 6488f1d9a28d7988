"""The normal distribution function and its inverse written in numpy, and the Newton search.

Sampling draws every (log)normal input through :func:`calc.analysis.normal.ndtr`
and :func:`~calc.analysis.normal.ndtri`; the distribution fits solve their
equations with :func:`calc.analysis.roots.newton`. Both replace scipy on the
path of an ordinary run, so they are held against arbitrary-precision values
(mpmath), against scipy over millions of points, and against the properties
every distribution function has.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special

from calc.analysis.normal import ndtr, ndtri
from calc.analysis.roots import newton

mpmath.mp.dps = 40


def exact_cdf(x: float) -> float:
    return float(mpmath.ncdf(mpmath.mpf(x)))


@pytest.mark.parametrize("x", [-38.0, -37.0, -20.0, -10.0, -5.7, -5.6, -3.0, -0.7, -0.6744,
                               -0.1, 0.0, 0.3, 0.6745, 1.0, 2.5, 5.6, 8.0])
def test_the_distribution_function_is_exact_to_a_few_units_in_the_last_place(x: float) -> None:
    assert float(ndtr(x)) == pytest.approx(exact_cdf(x), rel=5e-15, abs=0)


@pytest.mark.parametrize("p", [1e-300, 1e-100, 1e-20, 1e-11, 1e-5, 0.02, 0.075, 0.3, 0.5, 0.7,
                               0.925, 0.98, 1 - 1e-10])
def test_the_quantile_function_is_exact_to_a_few_units_in_the_last_place(p: float) -> None:
    with mpmath.workdps(400):  # 2p - 1 must not round to -1
        exact = float(mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1))
    assert float(ndtri(p)) == pytest.approx(exact, rel=5e-15, abs=1e-300)


def test_both_agree_with_scipy_over_millions_of_points() -> None:
    x = np.concatenate([np.linspace(-37.0, 37.0, 1_000_001),
                        np.random.default_rng(1).standard_normal(1_000_000) * 4])
    want = special.ndtr(x)
    # scipy's erfc-based tail is itself a few hundred ulp off beyond |x| ≈ 20
    assert np.allclose(ndtr(x), want, rtol=1e-12, atol=0)
    p = np.concatenate([np.random.default_rng(2).random(1_000_000), np.logspace(-300, -1, 10_000)])
    assert np.allclose(ndtri(p), special.ndtri(p), rtol=1e-14, atol=1e-300)


def test_the_edges_are_those_of_a_distribution() -> None:
    assert ndtr(np.array([-np.inf, np.inf])).tolist() == [0.0, 1.0]
    assert math.isnan(float(ndtr(np.nan)))
    assert ndtri(np.array([0.0, 1.0])).tolist() == [-np.inf, np.inf]
    assert np.isnan(ndtri(np.array([-0.1, 1.1, np.nan]))).all()
    assert ndtr(np.zeros((2, 3))).shape == (2, 3)


def test_the_distribution_function_never_decreases() -> None:
    x = np.linspace(-39.0, 39.0, 2_000_001)
    assert np.all(np.diff(ndtr(x)) >= 0)
    p = np.linspace(0.0, 1.0, 2_000_001)
    assert np.all(np.diff(ndtri(p)) >= 0)


@given(st.floats(-37.0, 37.0))
def test_the_two_are_symmetric_and_inverse(x: float) -> None:
    assert float(ndtr(x)) + float(ndtr(-x)) == pytest.approx(1.0, abs=2e-16)
    lower = -abs(x)  # p = Φ(x) near 1 keeps only the absolute precision of 1 - p
    p = float(ndtr(lower))
    if p > 1e-300:
        assert float(ndtri(p)) == pytest.approx(lower, rel=1e-12, abs=1e-14)


@given(st.floats(0.1, 50.0), st.floats(-5.0, 5.0))
def test_newton_finds_the_root_of_a_smooth_system(a: float, b: float) -> None:
    def residuals(x: np.ndarray) -> np.ndarray:
        return np.array([x[0] ** 3 - a, np.exp(x[1]) - math.exp(b) + x[0] - a ** (1 / 3)])

    root = newton(residuals, np.array([1.0, 0.0]))
    assert root is not None
    assert np.all(np.abs(residuals(root)) < 1e-9)
    assert root[0] == pytest.approx(a ** (1 / 3), rel=1e-8)


def test_newton_says_when_there_is_no_root() -> None:
    assert newton(lambda x: np.array([x[0] ** 2 + 1.0]), np.array([0.3])) is None
    assert newton(lambda x: np.array([np.nan]), np.array([0.3])) is None
