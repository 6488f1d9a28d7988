"""capcalc's Streamlit dashboard: every assumption in the sidebar, results, tabs of charts.

Run with ``make dashboard``, ``capcalc dashboard`` or ``streamlit run dashboard/app.py``.
The page computes nothing itself: numbers come from :func:`calc.run` and the tables
of :mod:`calc.presentation.tables`, through the cached helpers of :mod:`dashboard.compute`.

Tabs are modules ``dashboard/tabs/<name>.py`` with ``render(ctx: Context) -> None``,
listed in :data:`TABS` as ``(label, module name)``.
"""

from __future__ import annotations

import importlib

import streamlit as st

from dashboard import page
from dashboard.context import Context

#: The tabs, in order: (label shown, module in dashboard/tabs/). Add a tab by adding a module
#: with ``render(ctx: Context) -> None`` and one line here.
TABS: tuple[tuple[str, str], ...] = (
    ("Compare", "compare"),
    ("Power → compute", "power"),
    ("Cost", "cost"),
    ("Timeline & target", "timeline"),
    ("Peers", "peers"),
    ("Uncertainty", "uncertainty"),
    ("Assumptions", "assumptions"),
)


def render_tabs(ctx: Context) -> None:
    """Render every tab of :data:`TABS` (Streamlit draws all tabs on each run)."""
    for tab, (_label, module_name) in zip(st.tabs([label for label, _ in TABS]), TABS,
                                          strict=True):
        with tab:
            importlib.import_module(f"dashboard.tabs.{module_name}").render(ctx)


def main() -> None:
    """Build the page."""
    st.set_page_config(page_title="capcalc: AI datacenter compute", page_icon="⚡",
                       layout="wide", initial_sidebar_state="expanded")
    ctx = page.build()
    if ctx is not None:
        render_tabs(ctx)


main()
