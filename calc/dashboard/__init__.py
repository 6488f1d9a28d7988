"""capcalc's Streamlit dashboard: widgets built from the vocabulary, numbers from :mod:`calc`.

``streamlit run`` serves :data:`APP` (``capcalc dashboard`` does, with capcalc's server
settings); docs/architecture.md describes its modules.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["APP"]

#: The Streamlit script of the dashboard.
APP = Path(__file__).with_name("app.py")
