"""The saved charts' renderer: chart declarations drawn as matplotlib figures.

Importing it loads matplotlib, so only the code that writes a file imports it,
inside the function that writes (:mod:`calc.presentation.export`).
"""

from __future__ import annotations

from calc.presentation.figure.files import figure_bytes
from calc.presentation.figure.render import draw

__all__ = ["draw", "figure_bytes"]
