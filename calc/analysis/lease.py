"""Owning against leasing the same fleet when it is busy only part of the year.

Owning costs the annualised cost (``annualized_cost_usd``: capital recovery and
electricity) whether the fleet is busy or idle; leasing the same accelerators is
paid only for the hours used: the cloud price all year
(``cloud_cost_per_year_usd``) times the utilisation, the share of the year the
fleet is used. Owning is cheaper above the break-even utilisation
(``lease_breakeven_utilisation``), leasing below it.
"""

from __future__ import annotations

from dataclasses import dataclass

from calc.analysis.run import Result
from calc.core.errors import CapcalcError

__all__ = ["LeaseAt", "lease_at"]


@dataclass(frozen=True)
class LeaseAt:
    """Owned against leased cost at one utilisation.

    Attributes
    ----------
    utilisation : float
        Share of the year the fleet is used, 0 to 1.
    owned_usd_per_year : float
        Owning, USD_2025 per year (the same at any utilisation).
    leased_usd_per_year : float
        Leasing the same accelerators for that share of the year, USD_2025 per year.
    breakeven : float
        The utilisation at which the two are equal (above 1: leasing is cheaper even all
        year).
    """

    utilisation: float
    owned_usd_per_year: float
    leased_usd_per_year: float
    breakeven: float

    @property
    def cheaper(self) -> str:
        """``"own"``, ``"lease"`` or ``"either"`` (equal)."""
        if self.owned_usd_per_year < self.leased_usd_per_year:
            return "own"
        return "lease" if self.leased_usd_per_year < self.owned_usd_per_year else "either"

    @property
    def owned_over_leased(self) -> float:
        """Owning as a multiple of leasing (inf when leasing costs nothing: utilisation 0)."""
        if self.leased_usd_per_year == 0:
            return float("inf")
        return self.owned_usd_per_year / self.leased_usd_per_year


def lease_at(result: Result, utilisation: float) -> LeaseAt:
    """Owned and leased cost of ``result``'s fleet at ``utilisation`` (share of the year).

    Raises
    ------
    CapcalcError
        ``utilisation`` outside 0 to 1 (keyed ``utilisation``).

    Examples
    --------
    >>> import calc
    >>> result = calc.run(calc.load(), "cortex-phase1")
    >>> at = lease_at(result, result["lease_breakeven_utilisation"])
    >>> round(at.owned_over_leased, 9)
    1.0
    >>> lease_at(result, 1.0).leased_usd_per_year == result["cloud_cost_per_year_usd"]
    True
    """
    if not 0.0 <= utilisation <= 1.0:
        raise CapcalcError(f"must be a share of the year from 0 to 1 (0 % to 100 %), got "
                           f"{utilisation:g}", key="utilisation")
    owned = float(result["annualized_cost_usd"])
    leased_all_year = float(result["cloud_cost_per_year_usd"])
    return LeaseAt(utilisation, owned, leased_all_year * utilisation,
                   float(result["lease_breakeven_utilisation"]))
