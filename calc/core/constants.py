"""True constants: lengths of time, the unit of H100-equivalents, and the currency of money.

These are the only numbers the code holds; every modelling number is an
assumption in ``assumptions.yaml``. One year is 365 days (8,760 hours)
everywhere, in the chain, in timelines and in the unit registry.
"""

from __future__ import annotations

__all__ = [
    "CURRENCY",
    "CURRENCY_YEAR",
    "DAYS_PER_YEAR",
    "H100_FP8_FLOP_PER_S",
    "HOURS_PER_DAY",
    "HOURS_PER_YEAR",
    "MONTHS_PER_YEAR",
    "SECONDS_PER_DAY",
    "SECONDS_PER_MONTH",
    "SECONDS_PER_YEAR",
    "W_PER_MW",
]

SECONDS_PER_DAY = 86_400.0
DAYS_PER_YEAR = 365.0
HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = DAYS_PER_YEAR * HOURS_PER_DAY  # 8,760 h
SECONDS_PER_YEAR = DAYS_PER_YEAR * SECONDS_PER_DAY
MONTHS_PER_YEAR = 12
#: One average month: a twelfth of the 365-day year.
SECONDS_PER_MONTH = SECONDS_PER_YEAR / MONTHS_PER_YEAR
W_PER_MW = 1e6
#: Dense 8-bit peak of one NVIDIA H100 SXM: the unit of H100-equivalents (Epoch AI's convention).
H100_FP8_FLOP_PER_S = 1.979e15
#: The year of the US dollars every amount of money is in.
CURRENCY_YEAR = 2025
#: The unit of money, as the unit registry and the vocabulary spell it.
CURRENCY = f"USD_{CURRENCY_YEAR}"
