"""capcalc's Streamlit dashboard: every assumption in the sidebar, the answer, cards, one view.

Run with ``make dashboard``, ``capcalc dashboard`` or ``streamlit run calc/dashboard/app.py``.
The page computes nothing itself: numbers come from :func:`calc.run` and the tables
of :mod:`calc.presentation.tables`, through the cached helpers of
:mod:`calc.dashboard.compute`.

Views are modules ``calc/dashboard/views/<name>.py`` with
``render(ctx: Context) -> PhaseEdit | None``, listed in
:data:`calc.dashboard.settings.VIEWS` as ``(name, label)``. Only the view chosen in
the navigation is drawn (the browser has one view's charts to draw, not all of
them), and the choice travels in the link as ``view=…``.
"""

from __future__ import annotations

import importlib
import time

import streamlit as st

from calc.dashboard import page, session
from calc.dashboard.context import Context, PhaseEdit
from calc.dashboard.settings import VIEWS

_LABELS = dict(VIEWS)


def render_view(ctx: Context) -> None:
    """The navigation, then the one view it has chosen; a phase table's edit becomes the
    state, and the page runs again with it."""
    st.segmented_control("View", [name for name, _ in VIEWS], format_func=_LABELS.__getitem__,
                         required=True, label_visibility="collapsed", width="stretch",
                         **session.bound("view", session.VIEW_WIDGET))
    name = session.current().settings.view
    edit = importlib.import_module(f"calc.dashboard.views.{name}").render(ctx)
    if isinstance(edit, PhaseEdit):
        session.on_phases(edit.phases)
        st.rerun()


#: On a session's first run, the pause after the answer and the cards are sent: the browser
#: draws them before it receives (and starts loading the code of) the sidebar's widgets and
#: the view's charts. Measured in Chromium on a busy 2-core machine, the cards of a page
#: opening appeared after ~2.4 s with it and ~3.4 s without (benchmarks/dashboard_latency.py).
FIRST_PAINT_S = 0.15


def main() -> None:
    """Build the page: the answer and the cards first, then the sidebar, then one view."""
    st.set_page_config(page_title="capcalc: AI datacenter compute", page_icon="⚡",
                       layout="wide", initial_sidebar_state="auto")
    opening = session.opening()
    page.compact()
    ctx = page.build()
    if opening:
        time.sleep(FIRST_PAINT_S)
    page.sidebar(ctx)
    render_view(ctx)


main()
