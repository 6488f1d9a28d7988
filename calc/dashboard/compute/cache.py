"""The dashboard's one cache policy, and a chart drawn for the screen.

Results, tables and specs are immutable values shared by every session, so
they are cached with :func:`memo` (``st.cache_resource``: kept once per server,
no copy on each hit, which ``st.cache_data`` would make by unpickling); callers
never modify them. This is the one module of :mod:`calc.dashboard.compute` that
imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import streamlit as st

from calc.presentation.chart_spec import Chart
from calc.presentation.export import chart_bytes
from calc.presentation.vega import vega_specs

__all__ = ["Drawn", "drawn", "figure_bytes", "memo"]

F = TypeVar("F", bound=Callable[..., Any])


def memo(max_entries: int | None = None) -> Callable[[F], F]:
    """Cache a pure function of hashable arguments whose result is never modified.

    Arguments whose name starts with ``_`` are left out of the key (their function's
    other arguments must identify them).
    """
    return cast("Callable[[F], F]",
                st.cache_resource(show_spinner=False, max_entries=max_entries))


@dataclass(frozen=True)
class Drawn:
    """A chart's declaration, its Vega-Lite specs (one per panel) and what it was drawn
    from (``key``: the identity its saved files are cached on)."""

    chart: Chart
    specs: tuple[dict[str, Any], ...]
    key: Hashable


def drawn(chart: Chart, key: Hashable) -> Drawn:
    """``chart`` with its Vega-Lite specs (:func:`calc.presentation.vega.vega_specs`)."""
    return Drawn(chart, tuple(vega_specs(chart)), key)


@memo(max_entries=32)
def figure_bytes(key: Hashable, fmt: str, _chart: Chart) -> bytes:
    """The chart drawn ``key`` names as a file of ``fmt`` (png, svg, pdf): the same
    declaration as on the screen, drawn by matplotlib on a download's click."""
    return chart_bytes(_chart, fmt)
