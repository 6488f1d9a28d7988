"""The cost of capital: the capital recovery factor, straight line at zero, a hand-computed case."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import calc
from calc.core.money import amortized_usd, capital_recovery_factor

RATES = st.floats(min_value=1e-6, max_value=1.0)
YEARS = st.floats(min_value=0.5, max_value=100.0)


def test_a_hand_computed_recovery_factor():
    # $1 B over 5 years at 10 %: 0.1 / (1 - 1.1^-5) = 0.263797... a year (annuity tables)
    assert capital_recovery_factor(0.10, 5) == pytest.approx(0.1 / (1 - 1.1 ** -5), rel=1e-15)
    assert amortized_usd(1e9, 5, 0.10) == pytest.approx(263_797_480.8, rel=1e-9)


@given(RATES, YEARS)
def test_the_payments_repay_the_capital_at_the_rate(rate, years):
    """The present value of n yearly payments of the factor is 1 (for whole and part years)."""
    factor = capital_recovery_factor(rate, years)
    present_value = factor * (1 - (1 + rate) ** -years) / rate
    assert present_value == pytest.approx(1.0, rel=1e-9)
    assert factor >= 1 / years  # capital has a price: at least straight line
    assert factor >= rate  # and at least the interest, or the capital is never repaid


@given(YEARS)
def test_a_rate_of_zero_is_straight_line(years):
    assert capital_recovery_factor(0.0, years) == 1 / years
    # and a vanishing rate approaches it continuously
    assert capital_recovery_factor(1e-9, years) == pytest.approx(1 / years, rel=1e-6)


def test_the_factor_is_vectorised_elementwise():
    rates = np.array([0.0, 0.05, 0.12])
    years = np.array([5.0, 20.0, 4.0])
    got = capital_recovery_factor(rates, years)
    assert got.shape == (3,)
    for r, n, g in zip(rates, years, got, strict=True):
        assert g == capital_recovery_factor(float(r), float(n))


@pytest.mark.parametrize("name", ["cortex-phase1", "cortex-full-gb200", "tesla-2025-q2"])
def test_wacc_zero_gives_straight_line_costs(library, name):
    """With cost.wacc = 0 both capex parts are spread evenly over their lives."""
    result = calc.run(library, library.scenario(name, [("cost.wacc", 0.0)]))
    v = result.scenario.values
    straight = (result["accelerator_capex_total_usd"] / v["cost.hardware_lifetime_years"]
                + result["facility_capex_total_usd"] / v["cost.facility_lifetime_years"]
                + result["annual_electricity_cost_usd"])
    assert result["annualized_cost_usd"] == pytest.approx(straight, rel=1e-12)
    assert result["cost_per_run_usd"] == pytest.approx(
        straight * v["training.run_days"] / 365.0, rel=1e-12)


def test_the_default_wacc_annualises_both_capex_parts(library):
    result = calc.run(library, "cortex-phase1")
    v = result.scenario.values
    rate = v["cost.wacc"]
    assert rate > 0

    def crf(years: float) -> float:
        return rate / (1 - (1 + rate) ** -years)

    expected = (result["accelerator_capex_total_usd"] * crf(v["cost.hardware_lifetime_years"])
                + result["facility_capex_total_usd"] * crf(v["cost.facility_lifetime_years"])
                + result["annual_electricity_cost_usd"])
    assert result["annualized_cost_usd"] == pytest.approx(expected, rel=1e-12)
    # a positive cost of capital costs more each year than straight line, never less
    flat = calc.run(library, library.scenario("cortex-phase1", [("cost.wacc", 0.0)]))
    assert result["annualized_cost_usd"] > flat["annualized_cost_usd"]
    assert math.isfinite(result["cost_per_run_usd"])


@given(st.floats(min_value=0.0, max_value=0.5), st.floats(min_value=0.0, max_value=0.5))
def test_the_yearly_cost_rises_with_the_cost_of_capital(a, b):
    low, high = sorted((a, b))
    # to rounding: a few ulps of noise in the last digit are not a fall
    assert capital_recovery_factor(low, 5.0) <= capital_recovery_factor(high, 5.0) * (1 + 1e-14)
    assert capital_recovery_factor(low, 5.0) >= capital_recovery_factor(0.0, 5.0)
