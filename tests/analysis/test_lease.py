"""Lease versus own: the leased cost by hand, and the break-even against a direct comparison."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import calc
from calc.analysis.lease import lease_at
from calc.core.errors import CapcalcError


def test_the_leased_cost_is_accelerators_times_hours_times_price(library):
    result = calc.run(library, "cortex-full-gb200")
    v = result.scenario.values
    price = v["cost.cloud_usd_per_accelerator_hour"]
    assert price == library.baseline.catalog["GB200"].cloud_usd_per_hour
    count = result["accelerators"]
    assert result["cloud_cost_per_year_usd"] == pytest.approx(count * 8760 * price, rel=1e-12)
    assert result["cloud_cost_per_run_usd"] == pytest.approx(
        count * 24 * v["training.run_days"] * price, rel=1e-12)


def test_a_set_price_replaces_the_catalogs(library):
    result = calc.run(library, library.scenario(
        "cortex-phase1", [("cost.cloud_usd_per_accelerator_hour", "1.5 USD_2025/h")]))
    assert result["cloud_cost_per_year_usd"] == pytest.approx(
        result["accelerators"] * 8760 * 1.5, rel=1e-12)


@given(st.floats(min_value=0.01, max_value=1.0), st.floats(min_value=0.05, max_value=50.0))
def test_owning_is_cheaper_exactly_above_the_break_even_utilisation(library, used, price):
    """Leasing for a share ``used`` of the year against owning all year, compared directly."""
    result = calc.run(library, library.scenario(
        "cortex-full", [("cost.cloud_usd_per_accelerator_hour", price)]))
    owned = result["annualized_cost_usd"]
    leased = result["cloud_cost_per_year_usd"] * used
    breakeven = result["lease_breakeven_utilisation"]
    if used > breakeven * (1 + 1e-9):
        assert owned < leased
    elif used < breakeven * (1 - 1e-9):
        assert owned > leased
    assert breakeven == pytest.approx(owned / result["cloud_cost_per_year_usd"], rel=1e-12)


def test_every_catalog_chip_has_a_sourced_rental_price(library):
    for name, chip in library.baseline.catalog.items():
        entry = chip.entries["cloud_usd_per_hour"]
        assert chip.cloud_usd_per_hour > 0, name
        assert entry.low is not None and entry.high is not None, name
        assert entry.low <= chip.cloud_usd_per_hour <= entry.high, name
        assert entry.source != "assumption" or entry.note, name


# ------------------------------------------------------------------ at a utilisation


@given(st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.0, max_value=1.0))
def test_leasing_at_a_utilisation_is_that_share_of_leasing_all_year(library, u, v):
    result = calc.run(library, "cortex-full")
    low, high = sorted((u, v))
    at_low, at_high = lease_at(result, low), lease_at(result, high)
    assert at_low.owned_usd_per_year == at_high.owned_usd_per_year == result[
        "annualized_cost_usd"]
    assert at_high.leased_usd_per_year == pytest.approx(
        high * result["cloud_cost_per_year_usd"], rel=1e-12)
    assert at_low.leased_usd_per_year <= at_high.leased_usd_per_year
    # owning is cheaper exactly above the break-even utilisation
    breakeven = result["lease_breakeven_utilisation"]
    for at in (at_low, at_high):
        if at.utilisation > breakeven * (1 + 1e-9):
            assert at.cheaper == "own"
        elif at.utilisation < breakeven * (1 - 1e-9):
            assert at.cheaper == "lease"


@pytest.mark.parametrize("utilisation", [-0.01, 1.01, float("nan")])
def test_a_utilisation_outside_the_year_is_refused(library, utilisation):
    with pytest.raises(CapcalcError, match="utilisation"):
        lease_at(calc.run(library, "cortex-phase1"), utilisation)
