"""Energy and money of one site: a year's energy, electricity, capex, the cost of capital,
leasing and the utilisation at which owning pays (plain numpy, any array shape).

The formulas :mod:`calc.core.chain` evaluates after the compute: each takes and returns
floats or arrays in the units of its name (MWh, J, US dollars of capcalc's currency
year, years, hours, shares of one).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from calc.core.constants import DAYS_PER_YEAR, HOURS_PER_YEAR, W_PER_MW

__all__ = [
    "amortized_usd",
    "annual_electricity_cost_usd",
    "annual_energy_mwh",
    "annualized_cost_usd",
    "capex_usd",
    "capital_recovery_factor",
    "cloud_cost_usd",
    "cost_per_run_usd",
    "energy_per_flop_j",
    "lease_breakeven_utilisation",
    "owned_cost_per_used_hour_usd",
]

Array: TypeAlias = float | npt.NDArray[np.float64]


def annual_energy_mwh(facility_power_mw: Array, load_factor: Array) -> Array:
    """Energy drawn in a year, MWh.

    >>> annual_energy_mwh(100, 0.75)
    657000.0
    """
    return facility_power_mw * load_factor * HOURS_PER_YEAR


def energy_per_flop_j(facility_power_mw: Array, load_factor: Array, effective: Array) -> Array:
    """Facility energy per effective FLOP, J/FLOP."""
    return facility_power_mw * W_PER_MW * load_factor / effective


def annual_electricity_cost_usd(annual_energy: Array, usd_per_mwh: Array) -> Array:
    """Electricity bill of a year, USD.

    >>> annual_electricity_cost_usd(657000, 60)
    39420000
    """
    return annual_energy * usd_per_mwh


def capex_usd(accelerator_capex: Array, facility_capex: Array) -> Array:
    """Capital cost: accelerators (with servers, network) plus facility, USD."""
    return accelerator_capex + facility_capex


def capital_recovery_factor(rate: Array, years: Array) -> Array:
    """The yearly payment that repays 1 over ``years`` at ``rate``: r / (1 − (1 + r)^−n).

    A rate of 0 gives exactly 1 / n (straight-line amortisation).

    >>> capital_recovery_factor(0.0, 4)
    0.25
    >>> round(capital_recovery_factor(0.10, 5), 6)
    0.263797
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(r > 0, r / -np.expm1(-n * np.log1p(r)), 1.0 / n)
    # never below straight line, which rounding would break by an ulp at rates near zero
    factor = np.maximum(factor, 1.0 / n)
    return float(factor) if factor.ndim == 0 else factor


def amortized_usd(capex: Array, lifetime_years: Array, wacc: Array = 0.0) -> Array:
    """Yearly cost of ``capex`` over ``lifetime_years`` at cost of capital ``wacc``, USD.

    >>> amortized_usd(4e9, 4)
    1000000000.0
    >>> round(amortized_usd(1e9, 5, 0.10) / 1e6, 1)
    263.8
    """
    return capex * capital_recovery_factor(wacc, lifetime_years)


def annualized_cost_usd(
    accelerator_capex: Array,
    hardware_lifetime_years: Array,
    facility_capex: Array,
    facility_lifetime_years: Array,
    electricity_usd: Array,
    wacc: Array = 0.0,
) -> Array:
    """Yearly cost: both capex parts annualised at ``wacc``, plus electricity, USD.

    >>> annualized_cost_usd(4e9, 4, 1e9, 20, 4e7)
    1090000000.0
    """
    return (
        amortized_usd(accelerator_capex, hardware_lifetime_years, wacc)
        + amortized_usd(facility_capex, facility_lifetime_years, wacc)
        + electricity_usd
    )


def cost_per_run_usd(annualized: Array, run_days: Array) -> Array:
    """Share of the annualized cost one run of ``run_days`` days takes, USD."""
    return annualized * run_days / DAYS_PER_YEAR


def cloud_cost_usd(accelerators: Array, hours: Array, usd_per_accelerator_hour: Array) -> Array:
    """What leasing ``accelerators`` for ``hours`` hours costs at the hourly price, USD.

    >>> cloud_cost_usd(1000, 24 * 90, 2.5)
    5400000.0
    """
    return accelerators * hours * usd_per_accelerator_hour


def owned_cost_per_used_hour_usd(annualized_owned: Array, accelerators: Array,
                                 utilisation: Array) -> Array:
    """Owning per accelerator-hour of work, USD/h: the yearly cost spread over the hours the
    fleet is busy (``utilisation`` of 8,760 h per accelerator).

    >>> round(owned_cost_per_used_hour_usd(6.1e8, 57_377, 0.8), 3)
    1.517
    """
    return annualized_owned / (accelerators * HOURS_PER_YEAR * utilisation)


def lease_breakeven_utilisation(annualized_owned: Array, leased_per_year: Array) -> Array:
    """The share of a year above which owning is cheaper than leasing the same fleet.

    Owning costs ``annualized_owned`` whether the fleet is busy or idle;
    leasing costs ``leased_per_year`` times the share of the year it is used.
    Above 1, leasing all year is cheaper than owning.

    >>> lease_breakeven_utilisation(6e8, 1.2e9)
    0.5
    """
    return annualized_owned / leased_per_year
