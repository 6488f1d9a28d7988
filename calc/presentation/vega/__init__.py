"""The dashboard's renderer: chart declarations as Vega-Lite specs (plain dicts, no matplotlib)."""

from __future__ import annotations

from calc.presentation.vega.render import vega_specs

__all__ = ["vega_specs"]
