"""capcalc's Streamlit dashboard: every assumption in the sidebar, the answer, cards, one view.

Run with ``make dashboard``, ``capcalc dashboard`` or ``streamlit run dashboard/app.py``.
The page computes nothing itself: numbers come from :func:`calc.run` and the tables
of :mod:`calc.presentation.tables`, through the cached helpers of :mod:`dashboard.compute`.

Views are modules ``dashboard/tabs/<name>.py`` with ``render(ctx: Context) -> None``,
listed in :data:`dashboard.state.VIEWS` as ``(link value, label)``. Only the view
chosen in the navigation is drawn (the browser has one view's charts to draw, not
all of them), and the choice travels in the link as ``view=…``.
"""

from __future__ import annotations

import importlib
import time

import streamlit as st

from dashboard import page
from dashboard.context import Context
from dashboard.state import VIEWS

#: The views, in order: (label shown, module in dashboard/tabs/).
TABS: tuple[tuple[str, str], ...] = tuple((label, name) for name, label in VIEWS)
_LABELS = dict(VIEWS)


def render_view(ctx: Context) -> None:
    """The navigation, then the one view it has chosen."""
    st.segmented_control("View", [name for name, _ in VIEWS], format_func=_LABELS.__getitem__,
                         required=True, label_visibility="collapsed", width="stretch",
                         **page.bound("view", "w:__view"))
    name = str(st.session_state["settings"]["view"])
    importlib.import_module(f"dashboard.tabs.{name}").render(ctx)


#: On a session's first run, the pause after the answer and the cards are sent: the browser
#: draws them before it receives (and starts loading the code of) the sidebar's widgets and
#: the view's charts. Measured in Chromium on a busy 2-core machine, the cards of a page
#: opening appeared after ~2.4 s with it and ~3.4 s without (benchmarks/dashboard_latency.py).
FIRST_PAINT_S = 0.15


def main() -> None:
    """Build the page: the answer and the cards first, then the sidebar, then one view."""
    st.set_page_config(page_title="capcalc: AI datacenter compute", page_icon="⚡",
                       layout="wide", initial_sidebar_state="auto")
    opening = page.opening()
    ctx = page.build()
    if opening:
        time.sleep(FIRST_PAINT_S)
    page.sidebar(ctx)
    render_view(ctx)


main()
