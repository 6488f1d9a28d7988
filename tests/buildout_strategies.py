"""Hypothesis strategies for build-outs: random phases in order of start and total power."""

from __future__ import annotations

from hypothesis import strategies as st

from calc.core.months import month_label
from calc.core.phases import LATEST, Phase

__all__ = ["CHIPS", "build_outs"]

CHIPS = (None, LATEST, "H100", "H200", "GB200", "GB300", "Rubin")


@st.composite
def build_outs(draw: st.DrawFn) -> tuple[list[Phase], float]:
    """A random build-out: 1-4 phases in order of start and total power, and a hardware life."""
    count = draw(st.integers(1, 4))
    starts = sorted(draw(st.lists(st.integers(2024 * 12, 2031 * 12), min_size=count,
                                  max_size=count)))
    totals = sorted(draw(st.lists(st.floats(10.0, 2000.0), min_size=count, max_size=count)))
    phases = [Phase(f"p{i}", month_label(start), total, draw(st.sampled_from(CHIPS)),
                    delay_months=draw(st.integers(0, 18)), refresh=draw(st.booleans()))
              for i, (start, total) in enumerate(zip(starts, totals, strict=True))]
    return phases, draw(st.sampled_from([2.0, 3.5, 5.0, 6.0]))
