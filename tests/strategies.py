"""Hypothesis strategies for sampled inputs: a key, a distribution family and a 90 % interval.

``PINNED`` lists cases once found hard (an interval at a valid-range bound,
a mode on the bound, a huge spread); tests apply them with :func:`pinned`
so they run on every test run, whatever hypothesis draws.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import assume, example
from hypothesis import strategies as st

from calc.analysis.distributions import FAMILIES
from calc.core.vocabulary import INPUTS

from tests.input_strategies import in_range

__all__ = ["NUMERIC_KEYS", "PINNED", "Interval", "intervals", "pinned", "rank_correlations"]

#: (key, family, value, low, high)
Interval = tuple[str, str, float, float, float]

NUMERIC_KEYS = tuple(k for k, spec in INPUTS.items() if spec.kind != "choice")

PINNED: tuple[Interval, ...] = (
    # availability: the lognormal's 95th percentile near the upper bound 1 (truncated refit)
    ("training.availability", "lognormal", 0.87, 0.80, 0.95),
    # load factor's interval ending at the bound itself: no refit exists, the fit is kept
    ("site.load_factor", "lognormal", 0.9, 0.6, 1.0),
    # PUE's lower bound 1 is closed: a normal centred near it puts mass below
    ("site.pue", "normal", 1.02, 1.0, 1.05),
    # a uniform over the whole valid range of MFU (its 5 % margins fall outside)
    ("training.mfu", "uniform", 0.5, 1e-6, 1.0),
    # a median at the upper end: the upper half is an atom at the bound
    ("site.load_factor", "lognormal", 1.0, 0.9, 1.0),
    # a skewed triangular no member of the family can have (refused with one line)
    ("training.run_days", "triangular", 62.0, 60.0, 120.0),
    # a median at the lower end of a two-piece normal
    ("site.pue", "normal", 1.0, 1.0, 1.3),
    # eight decades of spread on an open lower bound at 0
    ("site.facility_power_mw", "lognormal", 1.0, 1e-3, 1e5),
)


def pinned(test: Callable[..., Any]) -> Callable[..., Any]:
    """Apply every :data:`PINNED` case as a hypothesis ``@example(case=...)``."""
    for case in PINNED:
        test = example(case=case)(test)
    return test


@st.composite
def intervals(draw: st.DrawFn, *, keys: tuple[str, ...] = NUMERIC_KEYS,
              families: tuple[str, ...] = FAMILIES, max_ratio: float | None = None) -> Interval:
    """A key, a family and ``value, low, high`` with ``low <= value <= high``, ``low < high``,
    inside the key's range (``value`` is the median, ``low``/``high`` the 5th/95th percentiles).

    ``max_ratio`` bounds ``high / low`` (moderate spreads, for accuracy tests).
    """
    key = draw(st.sampled_from(keys))
    family = draw(st.sampled_from(families))
    a, b = draw(in_range(key)), draw(in_range(key))
    low, high = min(a, b), max(a, b)
    assume(high - low > 1e-6 * high)
    if max_ratio is not None:
        assume(high / low <= max_ratio)
    value = draw(st.floats(min_value=low, max_value=high))
    return key, family, value, low, high


def rank_correlations() -> st.SearchStrategy[float]:
    """Spearman rank correlations a Gaussian copula can hold with room to spare."""
    return st.floats(min_value=-0.9, max_value=0.9).map(lambda r: round(r, 2))
